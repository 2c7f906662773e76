import { db } from "../db/client";
import { log } from "../log";
import { shared } from "../shared";

// Activity is counted in memory on the hot path and written in one statement per flush.
const pending = () => shared("activity", () => new Map<string, number>());

export function touch(serverId: string): void {
  pending().set(serverId, Date.now());
}

/** Activity this replica saw for the server and has not written yet (ms since the epoch), if any. */
export function lastTouched(serverId: string): number | undefined {
  return pending().get(serverId);
}

export async function flushActivity(): Promise<number> {
  const p = pending();
  if (p.size === 0) return 0;
  const batch = [...p.entries()];
  p.clear();
  const ids = batch.map(([id]) => id);
  const times = batch.map(([, t]) => new Date(t).toISOString());
  try {
    await db().$executeRaw`
      UPDATE servers AS s SET last_activity_at = GREATEST(COALESCE(s.last_activity_at, v.t), v.t)
      FROM (SELECT unnest(${ids}::uuid[]) AS id, unnest(${times}::timestamptz[]) AS t) AS v
      WHERE s.id = v.id`;
  } catch (err) {
    // Put them back; the next flush tries again.
    for (const [id, t] of batch) if (!p.has(id)) p.set(id, t);
    log.warn("activity flush failed", { error: String(err) });
  }
  return batch.length;
}
