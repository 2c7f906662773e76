import { db } from "../db/client";
import { log } from "../log";
import { runtime } from "../runtime";
import type { ServerState } from "../runtime/types";
import { pendingStarts } from "../servers/pending-starts";
import { recordEvent } from "../audit/record-event";
import { removeServerRow, setServerState } from "../servers/server-state";
import { launchServer } from "../servers/start-server";
import { SYSTEM } from "../auth/actor";

// Keeps the database and the runtime in agreement (leader only, at start-up and periodically):
// - running in the database, but not alive → stopped, with an event; one that failed → failed, with its reason;
// - starting, but nobody is waiting for it (the Berth that started it is gone) → resume waiting;
// - stopping or deleting for longer than any stop takes (the Berth doing it is gone) → finish that;
// - what the runtime runs or keeps for no server meant to have it (pods, claims) → the runtime ends it
//   (Runtime.reconcile); the events are written here.

export interface ReconcileReport {
  markedStopped: string[];
  markedFailed: string[];
  resumed: string[];
  /** interrupted stops finished (server stopped) */
  stopsFinished: string[];
  /** interrupted deletes finished (server and storage gone) */
  deletesFinished: string[];
  podsDeleted: string[];
  claimsDeleted: string[];
  claimsPending: string[];
}

export async function reconcileServers(opts: { resumeAfterMs?: number; stuckAfterMs?: number; now?: number } = {}): Promise<ReconcileReport> {
  const report: ReconcileReport = { markedStopped: [], markedFailed: [], resumed: [], stopsFinished: [], deletesFinished: [], podsDeleted: [], claimsDeleted: [], claimsPending: [] };
  const rt = runtime();
  const now = opts.now ?? Date.now();
  const resumeAfterMs = opts.resumeAfterMs ?? 60_000;
  // A stop or delete waits at most two minutes for its objects to go; after five, nobody is on it.
  const stuckAfterMs = opts.stuckAfterMs ?? 5 * 60_000;
  const rows = await db().server.findMany({ include: { owner: true } });
  const states = new Map<string, ServerState>(rows.map((r) => [r.id, r.state]));

  for (const r of rows) {
    const label = `${r.owner.name}/${r.name}`;
    const key = { id: r.id, owner: r.owner.name, name: r.name };
    if (r.state === "running" && !(await rt.isAlive(r.id, r.runtimeRef))) {
      const how = rt.howEnded(r.id);
      if (await setServerState(key, { to: how.failed ? "failed" : "stopped", reason: how.reason }, ["running"])) {
        // The runtime's pass below sees the new state (and ends a failed pod now, not next time).
        r.state = how.failed ? "failed" : "stopped";
        states.set(r.id, r.state);
        await recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: how.note });
        (how.failed ? report.markedFailed : report.markedStopped).push(label);
      }
    }
    if ((r.state === "stopping" || r.state === "deleting") && now - r.updatedAt.getTime() >= stuckAfterMs) {
      const deleting = r.state === "deleting";
      log.info(deleting ? "finishing an interrupted delete" : "finishing an interrupted stop", { user: r.owner.name, server: r.name });
      try {
        if (deleting) {
          await rt.remove(r.id);
          const gone = await removeServerRow(key, (tx) => recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: "finished an interrupted delete" }, tx), ["deleting"]);
          if (gone) {
            states.delete(r.id);
            report.deletesFinished.push(label);
          }
        } else {
          await rt.stop(r.id);
          if (await setServerState(key, { to: "stopped" }, ["stopping"])) {
            r.state = "stopped";
            states.set(r.id, r.state);
            await recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: "finished an interrupted stop" });
            report.stopsFinished.push(label);
          }
        }
      } catch (err) {
        log.warn("could not finish an interrupted stop or delete", { user: r.owner.name, server: r.name, error: String(err) });
      }
    }
    if (r.state === "starting" && !pendingStarts().has(r.id) && now - r.updatedAt.getTime() >= resumeAfterMs) {
      log.info("resuming an unfinished start", { user: r.owner.name, server: r.name });
      await recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: "resumed waiting for an unfinished start" });
      launchServer(SYSTEM, r, r.owner.name, r.token);
      report.resumed.push(label);
    }
  }

  const rowOf = (serverId: string) => db().server.findUnique({ where: { id: serverId }, include: { owner: true } });
  const result = await rt.reconcile({ states, now, currentState: async (serverId) => (await rowOf(serverId))?.state ?? null });
  for (const e of result.ended) {
    const row = e.serverId ? await rowOf(e.serverId) : null;
    await recordEvent(SYSTEM, { action: "reconcile", targetUser: row?.owner.name, serverName: row?.name, reason: e.note });
    report.podsDeleted.push(e.name);
  }
  for (const e of result.storageDeleted) {
    await recordEvent(SYSTEM, { action: "reconcile", reason: e.note });
    report.claimsDeleted.push(e.name);
  }
  report.claimsPending.push(...result.storagePending);
  return report;
}
