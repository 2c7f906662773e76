import { config } from "../../config";
import { db } from "../../db/client";
import { AppError } from "../../errors";
import { log } from "../../log";
import { countCacheHit, trackBuild } from "../../metrics";
import { buildCancelled, cappedLog } from "../../runtime/local/build/build-local";
import type { LaunchEvent } from "../events";
import { followBuild, type HubEvent } from "./build-hub";
import { builder } from "./builder";
import { admitBuild, claimBuildRow, finishBuildRow, heartbeat, QUEUE_POLL_MS } from "./build-queue";
import type { BuildRequest } from "../../runtime/types";

// Build once per commit: a built image is reported at once (a cache hit); otherwise this process
// follows the one build of that image (lib/launch/builds/build-hub.ts), which waits its turn in
// the queue shared by all replicas (the builds table), then runs on the runtime's builder.

export interface EnsureBuiltResult {
  cached: boolean;
}

export async function ensureBuilt(req: BuildRequest, requestedBy: string, emit: (e: LaunchEvent) => void, signal: AbortSignal): Promise<EnsureBuiltResult> {
  const b = await builder();
  if (await b.isBuilt(req)) {
    countCacheHit(req.provider);
    return { cached: true };
  }
  const toLaunch = (e: HubEvent): LaunchEvent => ({ phase: e.phase, message: e.message.endsWith("\n") ? e.message : `${e.message}\n` });
  await followBuild(req.imageName, (push, viewers) => runBuild(req, requestedBy, push, viewers), (e) => emit(toLaunch(e)), signal);
  return { cached: false };
}

export interface RunBuildOptions {
  /** Build although the image exists (an administrator's rebuild). */
  force?: boolean;
  /** Nobody watches (a rebuild started from the console): keep the place in the queue anyway. */
  detached?: boolean;
  /** Called with the build row's id once it is claimed. */
  onClaimed?: (id: string) => void;
}

/** How often a running build refreshes its row (heartbeat, log so far) and looks for a cancel. */
export const BEAT_MS = 1000;

export async function runBuild(req: BuildRequest, requestedBy: string, push: (e: HubEvent) => void, viewers: () => number, opts: RunBuildOptions = {}): Promise<void> {
  const settings = config();
  const b = await builder();
  const row = await claimBuildRow(req, b.kind, requestedBy, opts.force ?? false);
  opts.onClaimed?.(row.id);
  // Queued: wait for a slot, telling viewers their position. Nobody left watching → give up the
  // place (nobody would launch the result).
  let lastMessage = "";
  for (;;) {
    const turn = await admitBuild(row.id, settings.builds.limit);
    if (turn.admitted) break;
    if (turn.gone) {
      const beat = await heartbeat(row.id);
      if (beat.cancelRequested) throw buildCancelled(beat.cancelledBy);
      throw new AppError("unavailable", "The queued build was cancelled. Launch again.");
    }
    const message = `Waiting for a build slot: number ${turn.position} in the queue (${turn.running} of ${settings.builds.limit} builds running).`;
    if (message !== lastMessage) push({ phase: "waiting", message });
    lastMessage = message;
    await new Promise((r) => setTimeout(r, QUEUE_POLL_MS));
    if (viewers() === 0 && !opts.detached) {
      await db().build.deleteMany({ where: { id: row.id, state: "queued" } });
      throw new AppError("abandoned", "Nobody is waiting for this build any more; it left the queue.");
    }
    const beat = await heartbeat(row.id);
    if (beat.cancelRequested) {
      await finishBuildRow(row.id, "failed", "", buildCancelled(beat.cancelledBy).message);
      throw buildCancelled(beat.cancelledBy);
    }
  }

  const finish = trackBuild(req.provider);
  const stored = cappedLog(settings.localBuild.logMaxBytes);
  const cancel = new AbortController();
  let cancelledBy: string | null = null;
  let logChanged = false;
  // The row carries the log so far (the console's live view, from any replica) and the cancel
  // signal an administrator's request leaves there, whichever replica it reached.
  const beat = setInterval(() => {
    const text = logChanged ? stored.text() : undefined;
    logChanged = false;
    void heartbeat(row.id, text)
      .then((s) => {
        if (s.cancelRequested && !cancel.signal.aborted) {
          cancelledBy = s.cancelledBy;
          push({ phase: "building", message: `Cancelled by an administrator${s.cancelledBy ? ` (${s.cancelledBy})` : ""}; stopping the build.` });
          cancel.abort();
        }
      })
      .catch(() => undefined);
  }, BEAT_MS);
  push({ phase: "building", message: opts.force ? `Rebuilding ${req.imageName} (an administrator asked for a new build)` : `Building ${req.imageName}` });
  try {
    // The builder's run outlives any one viewer: only the process ending stops following it.
    await b.build(
      req,
      (line) => {
        stored.add(line);
        logChanged = true;
        push({ phase: "building", message: line });
      },
      new AbortController().signal,
      { cancel: cancel.signal, force: opts.force },
    );
    if (cancel.signal.aborted) throw buildCancelled(cancelledBy);
    finish("success");
    await finishBuildRow(row.id, "built", stored.text(), null);
  } catch (caught) {
    let err = caught;
    // However the builder ended (processes killed, Job deleted), a requested cancel is what happened.
    if (!cancel.signal.aborted) {
      const s = await heartbeat(row.id).catch(() => undefined);
      if (s?.cancelRequested) {
        cancel.abort();
        cancelledBy = s.cancelledBy;
      }
    }
    if (cancel.signal.aborted) err = buildCancelled(cancelledBy);
    finish("failure");
    const message = err instanceof AppError ? err.message : "The build failed because of an internal error; try again.";
    if (!(err instanceof AppError)) log.error("build failed", { image: req.imageName, error: (err as Error).message });
    await finishBuildRow(row.id, "failed", stored.text(), message).catch(() => undefined);
    throw err instanceof AppError ? err : new AppError("start_failed", message);
  } finally {
    clearInterval(beat);
  }
}
