import { config } from "../config";
import { db } from "../db/client";
import { log } from "../log";

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
  const c = config();
  const user = username.trim().toLowerCase();
  // A try still in flight (double-clicked sign-in, two tabs, a classroom signing in at once) counts
  // against the caps until it is settled, so that concurrent tries cannot slip past them. A refusal
  // that only in-flight tries caused is not a lockout: wait for them to settle (a Jira call has
  // its deadline), then ask again. A refusal that settled failures caused comes at once.
  const flightMs = (c.jira?.timeoutMs ?? 5000) + 2000;
  const deadline = Date.now() + flightMs;
  const waiting = (r: Reservation) => !r.ok && inFlight(r.code === "user_locked" ? { username: user } : { address: address! }, flightMs);
  let waited = false;
  for (;;) {
    const r = await reserveOnce(user, address, opts.limitUser);
    if (r.ok || Date.now() >= deadline) return r;
    if (!(await waiting(r))) {
      // Nothing in flight now: settled failures refused it, unless the tries it counted settled
      // between the two reads. Asking once more tells which.
      const again = await reserveOnce(user, address, opts.limitUser);
      if (!(await waiting(again))) return again;
    }
    if (!waited) log.debug("sign-in waits for tries in flight", { username: user, address, limit: r.code });
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function reserveOnce(user: string, address: string | null, limitUser: boolean): Promise<Reservation> {
  const { maxFailedPerUser, maxPerAddress, windowMs } = config().signin;
  // One round trip: the locks, counts and insert run inside the database function
  // (prisma/migrations/20261202200000_signin_reserve), which keeps the locking order and the caps.
  const [row] = await db().$queryRaw<{ attempt_id: bigint | null; refused: "user_locked" | "address_limited" | null; retry_after_ms: bigint | null }[]>`
    SELECT * FROM berth_reserve_signin(${user}, ${address}, ${limitUser}, ${maxFailedPerUser}::int, ${maxPerAddress}::int, ${BigInt(windowMs)}::bigint)`;
  if (row.refused) return { ok: false, code: row.refused, retryAfterSeconds: Math.max(1, Math.ceil(Number(row.retry_after_ms ?? 0) / 1000)) };
  return { ok: true, id: row.attempt_id! };
}

/**
 * Whether tries for this username or address are still waiting for their outcome. One older than
 * a try can last was left by a process that ended mid-call: it stays a failure, and is not waited for.
 */
async function inFlight(key: { username: string } | { address: string }, flightMs: number): Promise<boolean> {
  const since = new Date(Date.now() - flightMs);
  return (await db().signinAttempt.count({ where: { ...key, outcome: "pending", at: { gt: since } } })) > 0;
}

export async function settleAttempt(id: bigint, outcome: Settlement): Promise<void> {
  await db().signinAttempt.update({ where: { id }, data: { outcome } });
}

/** Old rows only slow the counts down; the job keeps a day for the audit of lockouts. */
export async function pruneAttempts(olderThanMs = 24 * 3600 * 1000): Promise<number> {
  const r = await db().signinAttempt.deleteMany({ where: { at: { lt: new Date(Date.now() - olderThanMs) } } });
  return r.count;
}
