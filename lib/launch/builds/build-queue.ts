import { db } from "../../db/client";
import { SERIALISED_TX } from "../../db/transactions";
import type { BuildRequest } from "../../runtime/types";

// The build queue, shared by every replica through the builds table. A row per build; at most one
// queued or building row per image name (a partial unique index), so a second launch of the same
// commit, from any replica, joins the row instead of adding a build. Admission takes a
// transaction-scoped advisory lock, so two replicas never both take the last slot. Whoever waits
// or follows a build refreshes its heartbeat; rows nobody refreshes are not counted.

export const QUEUE_POLL_MS = 2000;
/** A queued row not refreshed for this long has nobody waiting for it. */
const QUEUED_STALE_SECONDS = 30;
/** A building row not refreshed for this long is not counted against the limit. */
const BUILDING_STALE_SECONDS = 60;
const QUEUE_LOCK = "berth:build-queue";

export interface BuildRow {
  id: string;
  state: string;
}

/** The active row of this image, created queued if there is none. */
export async function claimBuildRow(req: BuildRequest, runtime: string, requestedBy: string, rebuild = false): Promise<BuildRow> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const inserted = await db().$queryRaw<BuildRow[]>`
      INSERT INTO builds (id, image_name, provider, repo, "commit", runtime, requested_by, rebuild)
      VALUES (gen_random_uuid(), ${req.imageName}, ${req.provider}, ${req.repo}, ${req.commit}, ${runtime}, ${requestedBy}, ${rebuild})
      ON CONFLICT (image_name) WHERE state IN ('queued', 'building') DO NOTHING
      RETURNING id, state::text AS state`;
    if (inserted[0]) return inserted[0];
    const active = await db().build.findFirst({ where: { imageName: req.imageName, state: { in: ["queued", "building"] } }, select: { id: true, state: true } });
    if (active) return active;
    // It finished between the two statements: try again.
  }
  throw new Error(`could not claim a build row for ${req.imageName}`);
}

export type Admission = { admitted: true } | { admitted: false; gone: true } | { admitted: false; gone: false; position: number; running: number };

/** Takes a build slot for `id` if one is free and it is next in line. */
export async function admitBuild(id: string, limit: number): Promise<Admission> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${QUEUE_LOCK}))`;
    await tx.$executeRaw`DELETE FROM builds WHERE state = 'queued' AND heartbeat_at < now() - make_interval(secs => ${QUEUED_STALE_SECONDS}) AND id <> ${id}::uuid`;
    const row = await tx.build.findUnique({ where: { id }, select: { state: true, createdAt: true } });
    if (!row || (row.state !== "queued" && row.state !== "building")) return { admitted: false, gone: true };
    if (row.state === "building") return { admitted: true };
    const [{ running }] = await tx.$queryRaw<{ running: number }[]>`
      SELECT count(*)::int AS running FROM builds WHERE state = 'building' AND heartbeat_at > now() - make_interval(secs => ${BUILDING_STALE_SECONDS})`;
    const [{ ahead }] = await tx.$queryRaw<{ ahead: number }[]>`
      SELECT count(*)::int AS ahead FROM builds WHERE state = 'queued' AND (created_at, id) < (${row.createdAt}::timestamptz, ${id}::uuid)`;
    const position = ahead + 1;
    if (running + position <= limit) {
      await tx.build.update({ where: { id }, data: { state: "building", startedAt: new Date(), heartbeatAt: new Date() } });
      return { admitted: true };
    }
    return { admitted: false, gone: false, position, running };
  }, SERIALISED_TX);
}

export interface Beat {
  /** An administrator asked to cancel this build (lib/launch/builds/cancel-build.ts). */
  cancelRequested: boolean;
  cancelledBy: string | null;
}

/**
 * Refreshes the row's heartbeat and, when given, its log so far (the console shows a running
 * build's log from the row, on any replica); answers whether an administrator asked to cancel it.
 */
export async function heartbeat(id: string, logText?: string): Promise<Beat> {
  const rows =
    logText === undefined
      ? await db().$queryRaw<{ cancel_requested_at: Date | null; cancelled_by: string | null }[]>`
          UPDATE builds SET heartbeat_at = now() WHERE id = ${id}::uuid AND state IN ('queued', 'building') RETURNING cancel_requested_at, cancelled_by`
      : await db().$queryRaw<{ cancel_requested_at: Date | null; cancelled_by: string | null }[]>`
          UPDATE builds SET heartbeat_at = now(), log = ${logText} WHERE id = ${id}::uuid AND state IN ('queued', 'building') RETURNING cancel_requested_at, cancelled_by`;
  if (rows[0]) return { cancelRequested: rows[0].cancel_requested_at !== null, cancelledBy: rows[0].cancelled_by };
  // Finished (by an administrator's cancel of a queued build, or elsewhere): say whether it was a cancel.
  const row = await db().build.findUnique({ where: { id }, select: { cancelRequestedAt: true, cancelledBy: true } });
  return { cancelRequested: row?.cancelRequestedAt != null, cancelledBy: row?.cancelledBy ?? null };
}

export async function finishBuildRow(id: string, state: "built" | "failed", logText: string, message: string | null): Promise<void> {
  await db().build.updateMany({ where: { id, state: { in: ["queued", "building"] } }, data: { state, log: logText, message, finishedAt: new Date() } });
}

/**
 * Builds left unfinished by a Berth process that ended: local builds die with their process;
 * on Kubernetes a Job may still be running, but no replica is following it (a later launch of
 * the commit finds the image, or attaches to or replaces the Job).
 */
export async function settleAbandonedBuilds(runtime: string, olderThanSeconds: number): Promise<number> {
  return db().$executeRaw`
    UPDATE builds SET state = 'failed', finished_at = now(),
      message = 'Berth stopped following this build (it restarted or nobody was waiting). Launching the repository again builds or finds the image.'
    WHERE state IN ('queued', 'building') AND runtime = ${runtime} AND heartbeat_at < now() - make_interval(secs => ${olderThanSeconds})`;
}
