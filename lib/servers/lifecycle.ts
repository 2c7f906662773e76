import { db } from "../db/client";
import { log } from "../log";
import { invalidateRoute } from "../proxy/route-cache";
import { runtime } from "../runtime";
import { LocalRuntime } from "../runtime/local/local-runtime";
import { recordEvent } from "../audit/record-event";
import { SYSTEM } from "../auth/actor";

// Keeps the database true to what the runtime is doing: crashes become `failed` with a reason,
// and servers left mid-flight by an earlier Berth process are settled at start-up.

export function watchRuntimeExits(): void {
  runtime().onUnexpectedExit((serverId, reason) => {
    void (async () => {
      const s = await db().server.findUnique({ where: { id: serverId }, include: { owner: true } });
      if (!s) return;
      const marked = await db().server.updateMany({
        where: { id: serverId, state: "running" },
        data: { state: "failed", stateReason: reason, upstream: null, runtimeRef: null, progress: null },
      });
      invalidateRoute(s.owner.name, s.name);
      if (marked.count > 0) {
        log.warn("server exited unexpectedly", { user: s.owner.name, server: s.name, reason });
        await recordEvent(SYSTEM, { action: "failed", targetUser: s.owner.name, serverName: s.name, reason });
      }
    })().catch((err) => log.error("could not record a server exit", { error: String(err) }));
  });
}

export async function recoverAfterRestart(): Promise<number> {
  const rt = runtime();
  // Pods outlive Berth: the reconciler adopts or settles them instead.
  if (!rt.stopsServersOnShutdown) return 0;
  const stale = await db().server.findMany({ where: { state: { in: ["starting", "running", "stopping"] } }, include: { owner: true } });
  for (const s of stale) {
    // The local runtime cannot adopt a Jupyter it did not start in this process: end it, so no
    // orphan keeps running with a token nobody can reach.
    if (rt instanceof LocalRuntime) rt.killOrphan(s.runtimeRef, s.id);
    await db().server.update({
      where: { id: s.id },
      data: { state: "stopped", stateReason: "Berth restarted while this server was running; its files are kept. Start it again.", upstream: null, runtimeRef: null, progress: null },
    });
    await recordEvent(SYSTEM, { action: "reconcile", targetUser: s.owner.name, serverName: s.name, reason: `was ${s.state} when Berth restarted` });
  }
  return stale.length;
}

export async function stopAllOnShutdown(): Promise<void> {
  const rt = runtime();
  await rt.shutdown();
  if (!rt.stopsServersOnShutdown) return;
  await db().server.updateMany({
    where: { state: { in: ["starting", "running", "stopping"] } },
    data: { state: "stopped", stateReason: "Berth was shut down; its files are kept. Start it again.", upstream: null, runtimeRef: null, progress: null },
  });
}
