import { config } from "../config";
import { db } from "../db/client";
import { log } from "../log";
import { invalidateRoute } from "../proxy/route-cache";
import { runtime } from "../runtime";
import { KubeRuntime } from "../runtime/kubernetes/kube-runtime";
import { LABELS } from "../runtime/kubernetes/objects";
import { podView } from "../runtime/kubernetes/pod-status";
import { pendingStarts } from "../servers/pending-starts";
import { recordEvent } from "../audit/record-event";
import { launchServer } from "../servers/start-server";
import { SYSTEM } from "../auth/actor";
import { shared } from "../shared";

// Keeps the database and the cluster in agreement (leader only, at start-up and periodically):
// - running in the database, no pod → stopped, with an event; a pod that failed → failed, with its reason;
// - starting, but nobody is waiting for it (the Berth that started it is gone) → resume waiting;
// - stopping for longer than any stop takes (the Berth stopping or deleting it is gone) → finish that;
// - a Berth pod whose server does not exist or is not meant to run → deleted;
// - a claim whose server does not exist → deleted after a grace period (logged first).

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

const orphanClaimsSeen = () => shared("orphanClaimsSeen", () => new Map<string, number>());

export async function reconcileServers(opts: { resumeAfterMs?: number; stuckAfterMs?: number; now?: number } = {}): Promise<ReconcileReport> {
  const report: ReconcileReport = { markedStopped: [], markedFailed: [], resumed: [], stopsFinished: [], deletesFinished: [], podsDeleted: [], claimsDeleted: [], claimsPending: [] };
  const rt = runtime();
  if (!(rt instanceof KubeRuntime)) return report;
  const now = opts.now ?? Date.now();
  const resumeAfterMs = opts.resumeAfterMs ?? 60_000;
  // A stop or delete waits at most two minutes for its objects to go; after five, nobody is on it.
  const stuckAfterMs = opts.stuckAfterMs ?? 5 * 60_000;
  await Promise.all([rt.pods.ready(), rt.claims.ready()]);
  const rows = await db().server.findMany({ include: { owner: true } });
  const byId = new Map(rows.map((r) => [r.id, r]));

  for (const r of rows) {
    const label = `${r.owner.name}/${r.name}`;
    if (r.state === "running" && !(await rt.isAlive(r.id))) {
      // A pod that failed says why; a pod that is gone says nothing.
      const pod = rt.podFor(r.id);
      const view = pod && !pod.metadata?.deletionTimestamp ? podView(pod) : undefined;
      const failure = view?.kind === "failed" ? view.reason : undefined;
      const done = await db().server.updateMany({
        where: { id: r.id, state: "running" },
        data: failure
          ? { state: "failed", stateReason: failure, upstream: null, runtimeRef: null, progress: null }
          : { state: "stopped", stateReason: "Its pod was gone, so it was marked stopped; its files are kept. Start it again.", upstream: null, runtimeRef: null, progress: null },
      });
      if (done.count) {
        // The pod pass below sees the new state (and deletes a failed pod now, not next time).
        r.state = failure ? "failed" : "stopped";
        invalidateRoute(r.owner.name, r.name);
        await recordEvent(SYSTEM, {
          action: "reconcile",
          targetUser: r.owner.name,
          serverName: r.name,
          reason: failure ? `running, but its pod failed → failed: ${failure}` : "running without a pod → stopped",
        });
        (failure ? report.markedFailed : report.markedStopped).push(label);
      }
    }
    if (r.state === "stopping" && now - r.updatedAt.getTime() >= stuckAfterMs) {
      // deleteServer marks the row "stopping" with this progress before it removes anything.
      const deleting = r.progress === "Deleting";
      log.info(deleting ? "finishing an interrupted delete" : "finishing an interrupted stop", { user: r.owner.name, server: r.name });
      try {
        if (deleting) {
          await rt.remove(r.id);
          const gone = await db().server.deleteMany({ where: { id: r.id, state: "stopping" } });
          if (gone.count) {
            byId.delete(r.id);
            await recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: "finished an interrupted delete" });
            report.deletesFinished.push(label);
          }
        } else {
          await rt.stop(r.id);
          const done = await db().server.updateMany({
            where: { id: r.id, state: "stopping" },
            data: { state: "stopped", progress: null, upstream: null, runtimeRef: null, stateReason: null },
          });
          if (done.count) {
            r.state = "stopped";
            await recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: "finished an interrupted stop" });
            report.stopsFinished.push(label);
          }
        }
        invalidateRoute(r.owner.name, r.name);
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

  const currentRow = (serverId: string | undefined) =>
    serverId ? db().server.findUnique({ where: { id: serverId }, include: { owner: true } }) : Promise.resolve(null);

  for (const [name, pod] of rt.pods.cache) {
    if (pod.metadata?.deletionTimestamp) continue;
    const serverId = pod.metadata?.labels?.[LABELS.serverId];
    let row = byId.get(serverId ?? "");
    if (!row || row.state === "stopped" || row.state === "failed") {
      // Read again: the list above may be older than a start made since, whose pod this is.
      row = (await currentRow(serverId)) ?? undefined;
      if (row && row.state !== "stopped" && row.state !== "failed") continue;
      log.info("deleting a pod that belongs to no running server", { pod: name, server: row ? `${row.owner.name}/${row.name}` : "none" });
      await rt.deleteOrphanPod(name);
      await recordEvent(SYSTEM, { action: "reconcile", targetUser: row?.owner.name, serverName: row?.name, reason: `deleted stray pod ${name}` });
      report.podsDeleted.push(name);
    }
  }

  const graceMs = config().kubernetes.orphanPvcGraceSeconds * 1000;
  const seen = orphanClaimsSeen();
  for (const [name, claim] of rt.claims.cache) {
    if (byId.has(claim.metadata?.labels?.[LABELS.serverId] ?? "")) {
      seen.delete(name);
      continue;
    }
    const first = seen.get(name) ?? now;
    seen.set(name, first);
    if (now - first >= graceMs) {
      if (await currentRow(claim.metadata?.labels?.[LABELS.serverId])) {
        seen.delete(name);
        continue;
      }
      log.warn("deleting storage that belongs to no server", { claim: name });
      await rt.deleteClaim(name);
      await recordEvent(SYSTEM, { action: "reconcile", reason: `deleted orphaned claim ${name}` });
      seen.delete(name);
      report.claimsDeleted.push(name);
    } else {
      log.warn("storage belongs to no server; it will be deleted after the grace period", { claim: name, deleteAt: new Date(first + graceMs).toISOString() });
      report.claimsPending.push(name);
    }
  }
  return report;
}
