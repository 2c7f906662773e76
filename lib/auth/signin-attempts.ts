import { config } from "../config";
import { db } from "../db/client";
import { SERIALISED_TX } from "../db/transactions";

// Berth must never be the reason Jira locks someone out (Jira arms a CAPTCHA after a few failed
// logins), so failed attempts per username are capped before anything reaches Jira, and failed
// attempts per client address are rate-limited. Only failures count per address: a classroom or an
// office behind one NAT signs in dozens of people from one address, and their successes must not
// lock the next person out. Kept in the database: shared by replicas, survives restarts.
// An attempt is reserved ("pending", counted as a failure) before the call and settled after, so
// concurrent tries cannot slip past the cap.

export type Reservation = { ok: true; id: bigint } | { ok: false; code: "user_locked" | "address_limited"; retryAfterSeconds: number };
export type Settlement = "failed" | "success" | "unavailable";

export async function reserveAttempt(username: string, address: string | null, opts: { limitUser: boolean }): Promise<Reservation> {
  const { maxFailedPerUser, maxPerAddress, windowMs } = config().signin;
  const user = username.trim().toLowerCase();
  return db().$transaction(async (tx) => {
    // Serialise per username, then per address (always in this order: no deadlock).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`signin:user:${user}`}))`;
    if (address) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`signin:addr:${address}`}))`;
    const now = Date.now();
    const windowStart = new Date(now - windowMs);

    if (opts.limitUser) {
      const lastSuccess = await tx.signinAttempt.findFirst({ where: { username: user, outcome: "success" }, orderBy: { at: "desc" }, select: { at: true } });
      const since = lastSuccess && lastSuccess.at > windowStart ? lastSuccess.at : windowStart;
      const failures = await tx.signinAttempt.findMany({
        where: { username: user, outcome: { in: ["failed", "pending"] }, at: { gt: since } },
        orderBy: { at: "asc" },
        select: { at: true },
      });
      if (failures.length >= maxFailedPerUser) {
        return { ok: false as const, code: "user_locked" as const, retryAfterSeconds: Math.max(1, Math.ceil((failures[0].at.getTime() + windowMs - now) / 1000)) };
      }
    }
    if (address) {
      const recent = await tx.signinAttempt.findMany({
        where: { address, outcome: { in: ["failed", "pending"] }, at: { gt: windowStart } },
        orderBy: { at: "asc" },
        select: { at: true },
      });
      if (recent.length >= maxPerAddress) {
        return { ok: false as const, code: "address_limited" as const, retryAfterSeconds: Math.max(1, Math.ceil((recent[0].at.getTime() + windowMs - now) / 1000)) };
      }
    }
    const row = await tx.signinAttempt.create({ data: { username: user, address, outcome: "pending" }, select: { id: true } });
    return { ok: true as const, id: row.id };
  }, SERIALISED_TX);
}

export async function settleAttempt(id: bigint, outcome: Settlement): Promise<void> {
  await db().signinAttempt.update({ where: { id }, data: { outcome } });
}

/** Old rows only slow the counts down; the job keeps a day for the audit of lockouts. */
export async function pruneAttempts(olderThanMs = 24 * 3600 * 1000): Promise<number> {
  const r = await db().signinAttempt.deleteMany({ where: { at: { lt: new Date(Date.now() - olderThanMs) } } });
  return r.count;
}
