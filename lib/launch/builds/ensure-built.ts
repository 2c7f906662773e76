import { config } from "../../config";
import { db } from "../../db/client";
import { AppError } from "../../errors";
import { log } from "../../log";
import { countCacheHit, trackBuild } from "../../metrics";
import { cappedLog } from "../local-build/build-local";
import type { LaunchEvent } from "../events";
import { followBuild, type HubEvent } from "./build-hub";
import { builder } from "./builder";
import { admitBuild, claimBuildRow, finishBuildRow, heartbeat, QUEUE_POLL_MS } from "./build-queue";
import type { BuildRequest } from "./types";

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

async function runBuild(req: BuildRequest, requestedBy: string, push: (e: HubEvent) => void, viewers: () => number): Promise<void> {
  const settings = config();
  const b = await builder();
  const row = await claimBuildRow(req, b.kind, requestedBy);
  // Queued: wait for a slot, telling viewers their position. Nobody left watching → give up the
  // place (nobody would launch the result).
  let lastMessage = "";
  for (;;) {
    const turn = await admitBuild(row.id, settings.builds.limit);
    if (turn.admitted) break;
    if (turn.gone) throw new AppError("start_failed", 503, "The queued build was cancelled. Launch again.");
    const message = `Waiting for a build slot: number ${turn.position} in the queue (${turn.running} of ${settings.builds.limit} builds running).`;
    if (message !== lastMessage) push({ phase: "waiting", message });
    lastMessage = message;
    await new Promise((r) => setTimeout(r, QUEUE_POLL_MS));
    if (viewers() === 0) {
      await db().build.deleteMany({ where: { id: row.id, state: "queued" } });
      throw new AppError("start_failed", 499, "Nobody is waiting for this build any more; it left the queue.");
    }
    await heartbeat(row.id);
  }

  const finish = trackBuild(req.provider);
  const stored = cappedLog(settings.localBuild.logMaxBytes);
  const beat = setInterval(() => void heartbeat(row.id).catch(() => undefined), QUEUE_POLL_MS * 5);
  push({ phase: "building", message: `Building ${req.imageName}` });
  try {
    // The builder's run outlives any one viewer: only the process ending stops following it.
    await b.build(
      req,
      (line) => {
        stored.add(line);
        push({ phase: "building", message: line });
      },
      new AbortController().signal,
    );
    finish("success");
    await finishBuildRow(row.id, "built", stored.text(), null);
  } catch (err) {
    finish("failure");
    const message = err instanceof AppError ? err.message : "The build failed because of an internal error; try again.";
    if (!(err instanceof AppError)) log.error("build failed", { image: req.imageName, error: (err as Error).message });
    await finishBuildRow(row.id, "failed", stored.text(), message).catch(() => undefined);
    throw err instanceof AppError ? err : new AppError("start_failed", 500, message);
  } finally {
    clearInterval(beat);
  }
}
