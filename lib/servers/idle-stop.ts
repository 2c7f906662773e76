import { db } from "../db/client";
import { AppError } from "../errors";
import { idleTimeoutSeconds } from "../policy/profiles";
import { lastTouched } from "../proxy/activity";
import { findServer } from "./find-server";
import { resolveOwner } from "./resolve-owner";
import type { Actor } from "../auth/actor";
import { serverLabel } from "./types";

// When a running server will be stopped for being idle, the same way for the dashboard, the Berth
// bar inside Jupyter and the culler (lib/jobs/cull-idle.ts): the last activity (proxy traffic,
// what Jupyter itself reported, "Keep running"), or the start when there was none, plus the
// timeout of the server's profile (lib/policy/profiles.ts). People are warned this long before.

export const IDLE_WARNING_SECONDS = 600;

export interface IdleView {
  state: string;
  /** 0: this server is never stopped for being idle. */
  idleTimeoutSeconds: number;
  /** When it stops without activity; null when not running or never. */
  idleStopAt: string | null;
  warningSeconds: number;
  /** The server's clock, so a browser counts down without trusting its own. */
  now: string;
}

interface Row {
  id: string;
  state: string;
  profile: string;
  lastActivityAt: Date | null;
  startedAt: Date | null;
}

/** The idle stop of a row; activity this replica saw but has not written yet counts too. */
export function idleStopAt(s: Row): Date | null {
  if (s.state !== "running") return null;
  const timeout = idleTimeoutSeconds(s.profile);
  const last = Math.max((s.lastActivityAt ?? s.startedAt)?.getTime() ?? 0, lastTouched(s.id) ?? 0);
  if (timeout <= 0 || last === 0) return null;
  return new Date(last + timeout * 1000);
}

export function idleView(s: Row, now = Date.now()): IdleView {
  return {
    state: s.state,
    idleTimeoutSeconds: idleTimeoutSeconds(s.profile),
    idleStopAt: idleStopAt(s)?.toISOString() ?? null,
    warningSeconds: IDLE_WARNING_SECONDS,
    now: new Date(now).toISOString(),
  };
}

const SELECT = { id: true, state: true, profile: true, lastActivityAt: true, startedAt: true } as const;

/** The idle view of one server by id (the proxy's bar endpoint: the route is already authorised). */
export async function idleViewById(serverId: string): Promise<IdleView | null> {
  const row = await db().server.findUnique({ where: { id: serverId }, select: SELECT });
  return row && idleView(row);
}

/**
 * "Keep running": counts as activity now, and does nothing else, so it is harmless whoever sends
 * it for a server they may open (any request through the proxy already counts as activity).
 * Written at once rather than with the next activity flush, so the dashboard shows it.
 */
export async function keepRunningById(serverId: string): Promise<IdleView | null> {
  const now = new Date();
  await db().$executeRaw`UPDATE servers SET last_activity_at = GREATEST(COALESCE(last_activity_at, ${now}), ${now}) WHERE id = ${serverId}::uuid AND state = 'running'`;
  return idleViewById(serverId);
}

/** The dashboard's "Keep running" (owner or administrator; a running server only). */
export async function keepServerRunning(actor: Actor, ownerName: string, name: string): Promise<IdleView> {
  const owner = await resolveOwner(actor, ownerName);
  const found = await findServer(owner.id, owner.name, name);
  if (found.state !== "running") {
    throw new AppError("invalid_state", `${serverLabel(name)} is ${found.state}, not running, so there is no idle stop to put off. Start it from My servers.`);
  }
  const view = await keepRunningById(found.id);
  if (!view || view.state !== "running") throw new AppError("invalid_state", `${serverLabel(name)} stopped meanwhile. Start it again from My servers.`);
  return view;
}
