import { db, type Prisma } from "../db/client";
import { invalidateRoute } from "../proxy/route-cache";
import type { ServerState } from "../runtime/types";

// Every change of a server's state goes through here: the row's state and what belongs with it
// (a stopped server has no upstream; a failed one says why), made conditional on the state it
// leaves so that of two concurrent changes (two tabs, two replicas, the culler) exactly one wins,
// and the proxy's route cache dropped at once in this process (lib/proxy/route-cache.ts).

export type { ServerState };

/** States in which the server's process or pod may exist. */
export const BUSY_STATES = ["starting", "running", "stopping", "deleting"] as const satisfies readonly ServerState[];

/** Which server: its id, and its owner's and its own name for the route cache. */
export interface ServerKey {
  id: string;
  owner: string;
  name: string;
}

export type Transition =
  /** profileSpec: the profile recorded by this start, for a server created before profiles were recorded. */
  | { to: "starting"; token: string; profileSpec?: Prisma.InputJsonValue }
  | { to: "running"; upstream: string; runtimeRef: string; at: Date }
  | { to: "stopping"; progress?: string }
  | { to: "deleting" }
  | { to: "stopped"; reason?: string | null }
  | { to: "failed"; reason: string };

function fields(t: Transition) {
  switch (t.to) {
    case "starting":
      return { state: t.to, stateReason: null, progress: "Requested", token: t.token, upstream: null, runtimeRef: null, ...(t.profileSpec ? { profileSpec: t.profileSpec } : {}) };
    case "running":
      return { state: t.to, progress: null, upstream: t.upstream, runtimeRef: t.runtimeRef, startedAt: t.at, lastActivityAt: t.at };
    case "stopping":
      return { state: t.to, progress: t.progress ?? "Stopping Jupyter" };
    case "deleting":
      return { state: t.to, progress: "Deleting" };
    case "stopped":
      return { state: t.to, stateReason: t.reason ?? null, progress: null, upstream: null, runtimeRef: null };
    case "failed":
      return { state: t.to, stateReason: t.reason, progress: null, upstream: null, runtimeRef: null };
  }
}

/**
 * Moves the server to `t.to` when it is in one of `from` (any state when omitted); true when
 * this call made the change.
 */
export async function setServerState(server: ServerKey, t: Transition, from?: readonly ServerState[]): Promise<boolean> {
  const done = await db().server.updateMany({ where: { id: server.id, ...(from ? { state: { in: [...from] } } : {}) }, data: fields(t) });
  invalidateRoute(server.owner, server.name);
  return done.count > 0;
}

/**
 * The culler's batch: moves those of `servers` that are still `running` and idle since before
 * their own `cutoff` (profiles have idle timeouts of their own) to `stopping`, in one statement;
 * returns the ids that moved (whoever else won a row, a person stopping it or activity flushed
 * meanwhile, decides for it).
 */
export async function markIdleStopping(servers: (ServerKey & { cutoff: Date })[]): Promise<Set<string>> {
  if (!servers.length) return new Set();
  const rows = await db().$queryRaw<{ id: string }[]>`
    UPDATE servers AS s SET state = 'stopping', progress = 'Stopping Jupyter', updated_at = now()
    FROM (SELECT unnest(${servers.map((x) => x.id)}::uuid[]) AS id, unnest(${servers.map((x) => x.cutoff.toISOString())}::timestamptz[]) AS cutoff) AS v
    WHERE s.id = v.id AND s.state = 'running' AND COALESCE(s.last_activity_at, s.started_at) < v.cutoff
    RETURNING s.id`;
  const moved = new Set(rows.map((r) => r.id));
  for (const x of servers) if (moved.has(x.id)) invalidateRoute(x.owner, x.name);
  return moved;
}

/** The culler's batch: marks the servers it stopped `stopped` (those still `stopping`), saying why. */
export async function markStopped(servers: ServerKey[], reason: string): Promise<void> {
  if (!servers.length) return;
  await db().$executeRaw`
    UPDATE servers SET state = 'stopped', progress = NULL, upstream = NULL, runtime_ref = NULL, state_reason = ${reason}, updated_at = now()
    WHERE id = ANY(${servers.map((s) => s.id)}::uuid[]) AND state = 'stopping'`;
  for (const s of servers) invalidateRoute(s.owner, s.name);
}

/** Shutdown with BERTH_STOP_SERVERS_ON_SHUTDOWN: every server that was starting, running or stopping is stopped. */
export async function markAllStopped(reason: string): Promise<void> {
  const rows = await db().server.findMany({ where: { state: { in: ["starting", "running", "stopping"] } }, select: { id: true, name: true, owner: { select: { name: true } } } });
  await db().server.updateMany({
    where: { id: { in: rows.map((r) => r.id) }, state: { in: ["starting", "running", "stopping"] } },
    data: { state: "stopped", stateReason: reason, progress: null, upstream: null, runtimeRef: null },
  });
  for (const r of rows) invalidateRoute(r.owner.name, r.name);
}

type Tx = Prisma.TransactionClient;

/**
 * Removes the server's row once its runtime objects and storage are gone; true when this call
 * removed it. `onRemoved` runs in the same transaction (the audit event), only for the remover.
 */
export async function removeServerRow(server: ServerKey, onRemoved?: (tx: Tx) => Promise<void>, from?: readonly ServerState[]): Promise<boolean> {
  const gone = await db().$transaction(async (tx) => {
    // Two replicas (or two tabs) may delete one server at once: whoever removes the row says so;
    // the other finds it gone, which is what it wanted.
    const n = (await tx.server.deleteMany({ where: { id: server.id, ...(from ? { state: { in: [...from] } } : {}) } })).count;
    if (n && onRemoved) await onRemoved(tx);
    return n > 0;
  });
  invalidateRoute(server.owner, server.name);
  return gone;
}
