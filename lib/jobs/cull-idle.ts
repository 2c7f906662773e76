import { config } from "../config";
import { db } from "../db/client";
import { log } from "../log";
import { markIdleStopping, markStopped, setServerState } from "../servers/server-state";
import { recordEvent } from "../audit/record-event";
import { haltServer } from "../servers/stop-server";
import { SYSTEM } from "../auth/actor";
import { serverBaseUrl } from "../servers/types";
import { shared } from "../shared";
import { profiles } from "../policy/profiles";
import { mapLimit } from "./map-limit";
import { busyKernels, probeActivity } from "./probe-activity";

// Stops servers idle longer than their profile allows (storage kept; lib/policy/profiles.ts
// idleTimeoutSeconds, the operator's default otherwise). Idle means no traffic through the proxy
// AND nothing Jupyter itself counts as activity AND no kernel busy with a long run.
//
// One pass: one query for the candidates (running, no proxy activity since the cutoff), Jupyter's
// /api/status asked for every candidate with at most `concurrency` requests in flight (never one
// network wait after another), one statement recording the activity Jupyter reported, one marking
// the idle ones `stopping` (with their audit events), the runtime's stops with the same bound, and
// one statement marking them `stopped`. A server whose Jupyter does not answer is not culled on one
// failure (a restart, a slow node): only when the next pass cannot reach it either.

export interface CullOptions {
  now?: Date;
  /** Status requests (and stops) in flight at once. */
  concurrency?: number;
  /** Consecutive passes a server's Jupyter must fail to answer before it is culled as idle. */
  failuresBeforeCull?: number;
  /** How long one status request may take. */
  timeoutMs?: number;
}

export interface CullPass {
  candidates: number;
  /** Kept: Jupyter reported activity since the cutoff (recorded as the server's last activity). */
  active: number;
  /** Kept for now: Jupyter did not answer (culled when the next pass cannot reach it either). */
  unreachable: number;
  /** "user/server" of each server stopped. */
  culled: string[];
  /** Stops the runtime failed (the server is marked failed, with why). */
  failed: number;
  /** Where the pass spent its time (ms): the candidates query, asking Jupyter, the writes and stops. */
  ms: { candidates: number; probes: number; writes: number };
}

interface Candidate {
  id: string;
  name: string;
  owner: string;
  upstream: string | null;
  token: string;
  profile: string;
  since: Date;
  /** Idle since before this: culled (its profile's timeout back from now). */
  cutoff: Date;
}

const IDLE_REASON = "Stopped after being idle; its files are kept.";
// Consecutive failed status checks per server, kept by the replica running the jobs.
const failures = () => shared("cullFailures", () => new Map<string, number>());

/** Stops idle servers; returns "user/server" of each one stopped. */
export async function cullIdle(now = new Date(), opts: Omit<CullOptions, "now"> = {}): Promise<string[]> {
  return (await cullIdlePass({ ...opts, now })).culled;
}

export async function cullIdlePass(opts: CullOptions = {}): Promise<CullPass> {
  const pass: CullPass = { candidates: 0, active: 0, unreachable: 0, culled: [], failed: 0, ms: { candidates: 0, probes: 0, writes: 0 } };
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return Math.round(ms);
  };
  const now = opts.now ?? new Date();
  // The shortest timeout any server can have bounds the query; each row is then judged by its own
  // profile's. 0 is "never" (for one profile, or for all as the operator's default).
  const fallback = config().policy.idleTimeoutSeconds;
  // Per slug as idleTimeoutSeconds() (lib/policy/profiles.ts) says, looked up once for the pass.
  const timeoutOf = new Map(profiles().map((p) => [p.slug, p.idleTimeoutSeconds ?? fallback]));
  const timeouts = [fallback, ...timeoutOf.values()].filter((s) => s > 0);
  if (!timeouts.length) return pass;
  const widest = new Date(now.getTime() - Math.min(...timeouts) * 1000);
  const concurrency = Math.max(1, opts.concurrency ?? 32);
  const failuresBeforeCull = Math.max(1, opts.failuresBeforeCull ?? 2);
  const timeoutMs = opts.timeoutMs ?? 5000;

  // As the admin list's "idle for more than" judges it: no activity since the cutoff, or none since it started.
  const rows = await db().$queryRaw<Omit<Candidate, "cutoff">[]>`
    SELECT s.id, s.name, o.name AS owner, s.upstream, s.token, s.profile, COALESCE(s.last_activity_at, s.started_at) AS since
    FROM servers s JOIN users o ON o.id = s.owner_id
    WHERE s.state = 'running' AND COALESCE(s.last_activity_at, s.started_at) < ${widest}`;
  const candidates: Candidate[] = [];
  for (const r of rows) {
    const seconds = timeoutOf.get(r.profile) ?? fallback;
    const cutoff = new Date(now.getTime() - seconds * 1000);
    if (seconds > 0 && r.since < cutoff) candidates.push({ ...r, cutoff });
  }
  pass.candidates = candidates.length;
  pass.ms.candidates = lap();
  const failed = failures();
  const stillCandidates = new Set(candidates.map((c) => c.id));
  for (const id of failed.keys()) if (!stillCandidates.has(id)) failed.delete(id);

  const active: { id: string; at: Date }[] = [];
  const idle: Candidate[] = [];
  await mapLimit(candidates, concurrency, async (s) => {
    if (!s.upstream) {
      idle.push(s);
      return;
    }
    const base = `${s.upstream}${serverBaseUrl(s.owner, s.name)}`;
    const r = await probeActivity(`${base}api/status`, s.token, timeoutMs);
    if (!r.ok) {
      const n = (failed.get(s.id) ?? 0) + 1;
      if (n >= failuresBeforeCull) {
        failed.delete(s.id);
        idle.push(s);
      } else {
        failed.set(s.id, n);
        pass.unreachable++;
        log.info("an idle server's Jupyter did not answer; it is culled if it does not answer next time", { user: s.owner, server: s.name, error: r.error });
      }
      return;
    }
    failed.delete(s.id);
    if (r.lastActivity && r.lastActivity > s.cutoff) active.push({ id: s.id, at: r.lastActivity });
    // Busy now, however long ago it last said anything: active now.
    else if (r.kernels > 0 && (await busyKernels(`${base}api/kernels`, s.token, timeoutMs))) active.push({ id: s.id, at: now });
    else idle.push(s);
  });

  pass.ms.probes = lap();
  if (active.length) {
    pass.active = active.length;
    await db().$executeRaw`
      UPDATE servers AS s SET last_activity_at = GREATEST(COALESCE(s.last_activity_at, v.t), v.t)
      FROM (SELECT unnest(${active.map((a) => a.id)}::uuid[]) AS id, unnest(${active.map((a) => a.at.toISOString())}::timestamptz[]) AS t) AS v
      WHERE s.id = v.id`;
  }
  if (idle.length) await stopIdle(idle, concurrency, pass);
  pass.ms.writes = lap();
  return pass;
}

/** Marks the idle servers stopping (those still idle and running), stops them, marks them stopped. */
async function stopIdle(idle: Candidate[], concurrency: number, pass: CullPass): Promise<void> {
  // Whoever wins the row (a person stopping it, proxy activity flushed meanwhile) decides.
  const won = await markIdleStopping(idle);
  const stopping = idle.filter((s) => won.has(s.id));
  if (!stopping.length) return;
  await recordEvents("cull", stopping, "idle");

  const stopped: Candidate[] = [];
  await mapLimit(stopping, concurrency, async (s) => {
    try {
      await haltServer(s.id);
      stopped.push(s);
    } catch (err) {
      pass.failed++;
      const why = `Could not stop it cleanly: ${(err as Error).message}. Try stopping it again.`;
      log.error("server stop failed", { user: s.owner, server: s.name, error: String(err) });
      await setServerState(s, { to: "failed", reason: why }, ["stopping"]);
      await recordEvent(SYSTEM, { action: "failed", targetUser: s.owner, serverName: s.name, reason: why });
    }
  });
  if (stopped.length) {
    await markStopped(stopped, IDLE_REASON);
    await recordEvents("stopped", stopped);
  }
  for (const s of stopped) {
    pass.culled.push(`${s.owner}/${s.name}`);
    log.info("stopped an idle server", { user: s.owner, server: s.name });
  }
}

/** One audit event per server, written by Berth itself, in one statement. */
async function recordEvents(action: "cull" | "stopped", servers: Candidate[], reason?: string): Promise<void> {
  await db().$executeRaw`
    INSERT INTO events (id, at, actor_name, action, target_user, server_name, reason)
    SELECT gen_random_uuid(), now(), ${SYSTEM.name}, ${action}, t.owner, t.name, ${reason ?? null}
    FROM unnest(${servers.map((s) => s.owner)}::text[], ${servers.map((s) => s.name)}::text[]) AS t(owner, name)`;
}
