import { db } from "../../db/client";
import { AppError } from "../../errors";
import { log } from "../../log";
import { recordEvent } from "../../audit/record-event";
import type { Actor } from "../../auth/actor";
import { buildCancelled } from "../../runtime/local/build/build-local";
import { builder } from "./builder";
import { findBuild, type BuildView } from "./list-builds";

// An administrator cancels a queued or running build. The request is written on the build's row:
// the build may run on another replica, and whichever one runs it sees the request at its next
// heartbeat (lib/launch/builds/ensure-built.ts, about a second), stops the build (the local
// builder's processes are killed, the Kubernetes Job deleted) and tells everyone waiting on the
// launch page `failed: … cancelled by an administrator`. A queued row is finished here at once.

/** A building row whose heartbeat is older than this has nobody running it. */
const ORPHANED_SECONDS = 60;

export async function cancelBuild(actor: Actor, id: string): Promise<BuildView> {
  const build = await findBuild(id);
  if (build.outcome !== "queued" && build.outcome !== "building") {
    throw new AppError("invalid_state", `This build has already ended (${build.outcome}); there is nothing to cancel. Use Rebuild to build the commit again.`);
  }
  const message = buildCancelled(actor.name).message;
  const marked = await db().$executeRaw`
    UPDATE builds SET cancel_requested_at = now(), cancelled_by = ${actor.name}
    WHERE id = ${id}::uuid AND state IN ('queued', 'building') AND cancel_requested_at IS NULL`;
  if (marked === 0) {
    const again = await findBuild(id);
    if (again.cancelRequested && (again.outcome === "queued" || again.outcome === "building")) return again;
    throw new AppError("invalid_state", `This build ended (${again.outcome}) before it could be cancelled.`);
  }
  // Queued: nothing runs yet, so the row ends here; whoever waits for it reads why.
  // Building but orphaned (no replica refreshes it): nobody else would end it.
  await db().$executeRaw`
    UPDATE builds SET state = 'failed', finished_at = now(), message = ${message}
    WHERE id = ${id}::uuid AND (state = 'queued' OR (state = 'building' AND heartbeat_at < now() - make_interval(secs => ${ORPHANED_SECONDS})))`;
  // On Kubernetes the Job can be deleted from here at once, whichever replica follows it.
  const b = await builder();
  if (build.outcome === "building") {
    await b.cancelJob?.(build.imageName).catch((err: unknown) => log.warn("could not delete a cancelled build's Job; its follower will", { image: build.imageName, error: String(err) }));
  }
  await recordEvent(actor, { action: "build_cancel", reason: build.outcome, details: { build: id, provider: build.provider, repo: build.repo, commit: build.commit, image: build.imageName } });
  return findBuild(id);
}
