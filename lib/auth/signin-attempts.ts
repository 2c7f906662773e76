import { config } from "../config";
import { db } from "../db/client";

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
  // One round trip: the locks, counts and insert run inside the database function
  // (prisma/migrations/20261202200000_signin_reserve), which keeps the locking order and the caps.
  const [row] = await db().$queryRaw<{ attempt_id: bigint | null; refused: "user_locked" | "address_limited" | null; retry_after_ms: bigint | null }[]>`
    SELECT * FROM berth_reserve_signin(${user}, ${address}, ${opts.limitUser}, ${maxFailedPerUser}::int, ${maxPerAddress}::int, ${BigInt(windowMs)}::bigint)`;
  if (row.refused) return { ok: false, code: row.refused, retryAfterSeconds: Math.max(1, Math.ceil(Number(row.retry_after_ms ?? 0) / 1000)) };
  return { ok: true, id: row.attempt_id! };
}

export async function settleAttempt(id: bigint, outcome: Settlement): Promise<void> {
  await db().signinAttempt.update({ where: { id }, data: { outcome } });
}

/** Old rows only slow the counts down; the job keeps a day for the audit of lockouts. */
export async function pruneAttempts(olderThanMs = 24 * 3600 * 1000): Promise<number> {
  const r = await db().signinAttempt.deleteMany({ where: { at: { lt: new Date(Date.now() - olderThanMs) } } });
  return r.count;
}
