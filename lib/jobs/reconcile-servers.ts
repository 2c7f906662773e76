import { config } from "../config";
import { db } from "../db/client";
import { log } from "../log";
import { invalidateRoute } from "../proxy/route-cache";
import { runtime } from "../runtime";
import { KubeRuntime } from "../runtime/kubernetes/kube-runtime";
import { LABELS } from "../runtime/kubernetes/objects";
import { pendingStarts } from "../servers/pending-starts";
import { recordEvent } from "../servers/record-event";
import { launchServer } from "../servers/start-server";
import { SYSTEM } from "../servers/types";
import { shared } from "../shared";

// Keeps the database and the cluster in agreement (leader only, at start-up and periodically):
// - running in the database, no pod → stopped, with an event;
// - starting, but nobody is waiting for it (the Berth that started it is gone) → resume waiting;
// - a Berth pod whose server does not exist or is not meant to run → deleted;
// - a claim whose server does not exist → deleted after a grace period (logged first).

export interface ReconcileReport {
  markedStopped: string[];
  resumed: string[];
  podsDeleted: string[];
  claimsDeleted: string[];
  claimsPending: string[];
}

const orphanClaimsSeen = () => shared("orphanClaimsSeen", () => new Map<string, number>());

export async function reconcileServers(opts: { resumeAfterMs?: number; now?: number } = {}): Promise<ReconcileReport> {
  const report: ReconcileReport = { markedStopped: [], resumed: [], podsDeleted: [], claimsDeleted: [], claimsPending: [] };
  const rt = runtime();
  if (!(rt instanceof KubeRuntime)) return report;
  const now = opts.now ?? Date.now();
  const resumeAfterMs = opts.resumeAfterMs ?? 60_000;
  await Promise.all([rt.pods.ready(), rt.claims.ready()]);
  const rows = await db().server.findMany({ include: { owner: true } });
  const byId = new Map(rows.map((r) => [r.id, r]));

  for (const r of rows) {
    const label = `${r.owner.name}/${r.name}`;
    if (r.state === "running" && !(await rt.isAlive(r.id))) {
      const done = await db().server.updateMany({
        where: { id: r.id, state: "running" },
        data: { state: "stopped", stateReason: "Its pod was gone, so it was marked stopped; its files are kept. Start it again.", upstream: null, runtimeRef: null, progress: null },
      });
      if (done.count) {
        invalidateRoute(r.owner.name, r.name);
        await recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: "running without a pod → stopped" });
        report.markedStopped.push(label);
      }
    }
    if (r.state === "starting" && !pendingStarts().has(r.id) && now - r.updatedAt.getTime() >= resumeAfterMs) {
      log.info("resuming an unfinished start", { user: r.owner.name, server: r.name });
      await recordEvent(SYSTEM, { action: "reconcile", targetUser: r.owner.name, serverName: r.name, reason: "resumed waiting for an unfinished start" });
      launchServer(SYSTEM, { id: r.id, name: r.name, profile: r.profile }, r.owner.name, r.token);
      report.resumed.push(label);
    }
  }

  for (const [name, pod] of rt.pods.cache) {
    if (pod.metadata?.deletionTimestamp) continue;
    const row = byId.get(pod.metadata?.labels?.[LABELS.serverId] ?? "");
    if (!row || row.state === "stopped" || row.state === "failed") {
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
