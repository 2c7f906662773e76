import { db } from "../db/client";
import { log } from "../log";
import { runtime } from "../runtime";
import { recordEvent } from "../audit/record-event";
import { SYSTEM } from "../auth/actor";
import { BUSY_STATES, markAllStopped, removeServerRow, setServerState } from "./server-state";
import { serverBaseUrl } from "./types";

// Keeps the database true to what the runtime is doing: crashes become `failed` with a reason,
// and servers an earlier Berth process left busy are taken over or settled at start-up.

export function watchRuntimeExits(): void {
  runtime().onUnexpectedExit((serverId, reason) => {
    void (async () => {
      const s = await db().server.findUnique({ where: { id: serverId }, include: { owner: true } });
      if (!s) return;
      const marked = await setServerState({ id: s.id, owner: s.owner.name, name: s.name }, { to: "failed", reason }, ["running"]);
      if (marked) {
        log.warn("server exited unexpectedly", { user: s.owner.name, server: s.name, reason });
        await recordEvent(SYSTEM, { action: "failed", targetUser: s.owner.name, serverName: s.name, reason });
      }
    })().catch((err) => log.error("could not record a server exit", { error: String(err) }));
  });
}

export interface Recovery {
  /** servers that kept running across the restart */
  kept: number;
  /** servers the runtime ended (stopped, or deleted when a delete was under way) */
  ended: number;
}

/**
 * At start-up, before anything is served: the runtime takes over what an earlier Berth process
 * left running and can be verified, and ends the rest; the rows follow. A stop or delete that was
 * under way is finished. Servers the runtime leaves alone (pods) are the reconciler's.
 */
export async function recoverAfterRestart(): Promise<Recovery> {
  const rows = await db().server.findMany({ where: { state: { in: [...BUSY_STATES] } }, include: { owner: true } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const outcomes = await runtime().recover(
    rows.map((r) => ({ serverId: r.id, state: r.state as (typeof BUSY_STATES)[number], ref: r.runtimeRef, upstream: r.upstream, token: r.token, baseUrl: serverBaseUrl(r.owner.name, r.name) })),
  );
  const recovery: Recovery = { kept: 0, ended: 0 };
  for (const o of outcomes) {
    const r = byId.get(o.serverId);
    if (!r) continue;
    const key = { id: r.id, owner: r.owner.name, name: r.name };
    if (o.kept) {
      recovery.kept++;
      await recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: "kept running across a Berth restart" });
      continue;
    }
    recovery.ended++;
    if (r.state === "deleting") {
      try {
        await runtime().remove(r.id);
        await removeServerRow(key, (tx) => recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: "finished a delete interrupted by a Berth restart" }, tx), ["deleting"]);
      } catch (err) {
        log.warn("could not finish an interrupted delete", { user: r.owner.name, server: r.name, error: String(err) });
      }
      continue;
    }
    // A stop under way is simply finished; anything else was running (or starting) and is not any more.
    const stopped = await setServerState(key, { to: "stopped", reason: r.state === "stopping" ? null : o.reason }, [r.state]);
    if (stopped) await recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: `was ${r.state} when Berth restarted` });
  }
  return recovery;
}

/**
 * Process shutdown: the runtime stops watching. Servers keep running (as JupyterHub's do with
 * cleanup_servers off, the Kubernetes default): the next Berth process takes them over
 * (recoverAfterRestart). With BERTH_STOP_SERVERS_ON_SHUTDOWN the local runtime stops them instead.
 */
export async function detachOnShutdown(): Promise<void> {
  const rt = runtime();
  await rt.shutdown();
  if (rt.stopsServersOnShutdown) await markAllStopped("Berth was shut down; its files are kept. Start it again.");
}
