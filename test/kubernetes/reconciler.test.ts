import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import { reconcileServers } from "../../lib/jobs/reconcile-servers";
import { runtime } from "../../lib/runtime";
import { PROXY_AUTH_HEADER } from "../../lib/runtime/jupyter-auth/jupyter-auth";
import { startIdOf, type KubeRuntime } from "../../lib/runtime/kubernetes/kube-runtime";
import { podManifest, pvcManifest } from "../../lib/runtime/kubernetes/objects";
import type { ServerSpec } from "../../lib/runtime/types";
import { createServer } from "../../lib/servers/create-server";
import { pendingStarts } from "../../lib/servers/pending-starts";
import { startServer } from "../../lib/servers/start-server";
import type { Actor } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";
import { makeUser, waitFor, waitForState } from "../helpers";
import { adminApi, readClaim, readPod, runtimeOptions, sim, waitPodGone } from "../helpers/kube";

// The reconciler (lib/jobs/reconcile-servers.ts) bringing the database and the cluster back into
// agreement after things happened that Berth did not see: what a crashed or restarted Berth, or
// an operator with kubectl, leaves behind.

process.env.BERTH_MAX_NAMED_SERVERS = "20";

let alice: Actor;

beforeAll(async () => {
  alice = await makeUser("alice");
});

/** What an earlier Berth process made for a server: its claim and (optionally) its pod, created straight through the API. */
async function leftBehind(spec: ServerSpec, opts: { pod: boolean }) {
  const { core } = adminApi();
  const o = runtimeOptions();
  await core.createNamespacedPersistentVolumeClaim({ namespace: o.namespace, body: pvcManifest(spec, o) });
  if (opts.pod) await core.createNamespacedPod({ namespace: o.namespace, body: podManifest(spec, o, startIdOf(spec.token)) });
}

const specFor = (serverId: string, user: string, name: string, token: string): ServerSpec => ({
  serverId,
  user,
  name,
  baseUrl: serverBaseUrl(user, name),
  token,
  profile: config().profiles.find((p) => p.default)!,
});

async function readyPod(name: string) {
  return waitFor(`pod ${name} to be ready`, async () => {
    const pod = await readPod(name);
    return pod?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? pod : undefined;
  });
}

describe("reconciling the database with the cluster", () => {
  it("marks a server stopped when the database says running but its pod is gone, with an event", async () => {
    const s = await createServer(alice, "alice", { name: "ghost" });
    await db().server.update({ where: { id: s.id }, data: { state: "running", upstream: "http://127.77.250.250:8888", runtimeRef: "jupyter-alice--ghost", startedAt: new Date() } });

    const report = await reconcileServers();
    expect(report.markedStopped).toEqual(["alice/ghost"]);
    const row = await db().server.findUniqueOrThrow({ where: { id: s.id } });
    expect(row).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null, progress: null });
    expect(row.stateReason).toBe("Its pod was gone, so it was marked stopped; its files are kept. Start it again.");
    const ev = await db().event.findFirst({ where: { action: "reconcile", serverName: "ghost" } });
    expect(ev).toMatchObject({ actorName: "berth", actorId: null, targetUser: "alice", reason: "running without a pod → stopped" });
    // A second pass finds nothing to do.
    expect((await reconcileServers()).markedStopped).toEqual([]);
  });

  it("marks a server failed, with the pod's reason, when the database says running but its pod failed, and deletes that pod", async () => {
    const s = await createServer(alice, "alice", { name: "sunk" });
    // A pod whose container died while no Berth was watching.
    await sim().setFault("jupyter-alice--sunk", { kind: "exit", code: 1 });
    try {
      await leftBehind(specFor(s.id, "alice", "sunk", s.token), { pod: true });
      await waitFor("the pod to fail", async () => (await readPod("jupyter-alice--sunk"))?.status?.phase === "Failed");
    } finally {
      await sim().clearFault("jupyter-alice--sunk");
    }
    await db().server.update({ where: { id: s.id }, data: { state: "running", upstream: "http://127.77.250.251:8888", runtimeRef: "jupyter-alice--sunk", startedAt: new Date() } });

    const report = await reconcileServers();
    expect(report.markedFailed).toEqual(["alice/sunk"]);
    expect(report.markedStopped).toEqual([]);
    expect(report.podsDeleted).toEqual(["jupyter-alice--sunk"]);
    const row = await db().server.findUniqueOrThrow({ where: { id: s.id } });
    expect(row).toMatchObject({ state: "failed", stateReason: "The server's container stopped: Error (exit code 1).", upstream: null, runtimeRef: null });
    await waitPodGone("jupyter-alice--sunk");
    const ev = await db().event.findFirst({ where: { action: "reconcile", serverName: "sunk" } });
    expect(ev?.reason).toBe("running, but its pod failed → failed: The server's container stopped: Error (exit code 1).");
  });

  it("finishes a stop that a Berth process left half-done, keeping the storage", async () => {
    const s = await createServer(alice, "alice", { name: "halfway" });
    await leftBehind(specFor(s.id, "alice", "halfway", s.token), { pod: true });
    await readyPod("jupyter-alice--halfway");
    await db().server.update({ where: { id: s.id }, data: { state: "stopping", progress: "Stopping Jupyter", runtimeRef: "jupyter-alice--halfway" } });

    // Not before any stop would have finished.
    expect((await reconcileServers()).stopsFinished).toEqual([]);
    const report = await reconcileServers({ stuckAfterMs: 0 });
    expect(report.stopsFinished).toEqual(["alice/halfway"]);
    expect(await readPod("jupyter-alice--halfway")).toBeUndefined();
    expect(await db().server.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ state: "stopped", progress: null, runtimeRef: null });
    expect(await readClaim("claim-alice--halfway")).toBeDefined();
    expect(await db().event.findFirst({ where: { action: "reconcile", serverName: "halfway", reason: "finished an interrupted stop" } })).not.toBeNull();
  });

  it("finishes a delete that a Berth process left half-done: server, pod and storage gone", async () => {
    const s = await createServer(alice, "alice", { name: "doomed" });
    await leftBehind(specFor(s.id, "alice", "doomed", s.token), { pod: true });
    await readyPod("jupyter-alice--doomed");
    await db().server.update({ where: { id: s.id }, data: { state: "deleting", progress: "Deleting" } });

    const report = await reconcileServers({ stuckAfterMs: 0 });
    expect(report.deletesFinished).toEqual(["alice/doomed"]);
    expect(await db().server.findUnique({ where: { id: s.id } })).toBeNull();
    expect(await readPod("jupyter-alice--doomed")).toBeUndefined();
    expect(await readClaim("claim-alice--doomed")).toBeUndefined();
    expect(report.claimsPending).toEqual([]);
    expect(await db().event.findFirst({ where: { action: "reconcile", serverName: "doomed", reason: "finished an interrupted delete" } })).not.toBeNull();
  });

  it("deletes a Berth pod whose server does not exist, and its claim only after the grace period", async () => {
    const spec = specFor(randomUUID(), "nobody", "gone", "t".repeat(64));
    await leftBehind(spec, { pod: true });
    await readyPod("jupyter-nobody--gone");
    // A server that exists keeps its claim.
    const kept = await createServer(alice, "alice", { name: "kept" });
    await leftBehind(specFor(kept.id, "alice", "kept", kept.token), { pod: false });

    const t0 = Date.now();
    const first = await reconcileServers({ now: t0 });
    expect(first.podsDeleted).toEqual(["jupyter-nobody--gone"]);
    expect(first.claimsPending).toEqual(["claim-nobody--gone"]);
    expect(first.claimsDeleted).toEqual([]);
    await waitPodGone("jupyter-nobody--gone");
    await waitFor("the orphan's processes to end", async () => (await sim().pods()).every((p) => p.name !== "jupyter-nobody--gone" || p.pid === undefined));
    expect(await db().event.findFirst({ where: { action: "reconcile", reason: "deleted stray pod jupyter-nobody--gone" } })).not.toBeNull();

    const graceMs = config().kubernetes.orphanPvcGraceSeconds * 1000;
    const early = await reconcileServers({ now: t0 + graceMs - 1000 });
    expect(early.claimsPending).toEqual(["claim-nobody--gone"]);
    expect(await readClaim("claim-nobody--gone")).toBeDefined();

    const late = await reconcileServers({ now: t0 + graceMs });
    expect(late.claimsDeleted).toEqual(["claim-nobody--gone"]);
    expect(await readClaim("claim-nobody--gone")).toBeUndefined();
    expect(await readClaim("claim-alice--kept")).toBeDefined();
    expect(await db().event.findFirst({ where: { action: "reconcile", reason: "deleted orphaned claim claim-nobody--gone" } })).not.toBeNull();
  });

  it("deletes the pod of a server the database says is stopped", async () => {
    const s = await createServer(alice, "alice", { name: "lingering" });
    await leftBehind(specFor(s.id, "alice", "lingering", s.token), { pod: true });
    await readyPod("jupyter-alice--lingering");
    const report = await reconcileServers();
    expect(report.podsDeleted).toEqual(["jupyter-alice--lingering"]);
    await waitPodGone("jupyter-alice--lingering");
    expect((await db().server.findUniqueOrThrow({ where: { id: s.id } })).state).toBe("stopped");
    // Its storage stays: the server exists.
    expect(await readClaim("claim-alice--lingering")).toBeDefined();
  });

  it("resumes a start that a Berth process left before creating anything", async () => {
    const s = await createServer(alice, "alice", { name: "unstarted" });
    await db().server.update({ where: { id: s.id }, data: { state: "starting", progress: "Requested" } });
    expect(pendingStarts().has(s.id)).toBe(false);
    // Too recent: the Berth that started it may still be waiting.
    expect((await reconcileServers()).resumed).toEqual([]);
    const report = await reconcileServers({ resumeAfterMs: 0 });
    expect(report.resumed).toEqual(["alice/unstarted"]);
    const running = await waitForState(s.id, "running");
    expect(running.runtimeRef).toBe("jupyter-alice--unstarted");
    expect(await db().event.findFirst({ where: { action: "reconcile", serverName: "unstarted", reason: "resumed waiting for an unfinished start" } })).not.toBeNull();
  });

  it("resumes a start whose pod an earlier Berth created, adopting that pod", async () => {
    const s = await createServer(alice, "alice", { name: "adopted" });
    await db().server.update({ where: { id: s.id }, data: { state: "starting", progress: "Creating the server's pod" } });
    await leftBehind(specFor(s.id, "alice", "adopted", s.token), { pod: true });
    const pod = await readyPod("jupyter-alice--adopted");

    const report = await reconcileServers({ resumeAfterMs: 0 });
    expect(report.resumed).toEqual(["alice/adopted"]);
    expect(report.podsDeleted).toEqual([]);
    const running = await waitForState(s.id, "running");
    // The same pod, not a replacement: its Jupyter has the token in the database.
    const now = await readPod("jupyter-alice--adopted");
    expect(now?.metadata?.uid).toBe(pod.metadata?.uid);
    expect(running.upstream).toBe(`http://${pod.status?.podIP}:8888`);
    const status = await fetch(`${running.upstream}${serverBaseUrl("alice", "adopted")}api/status`, { headers: { [PROXY_AUTH_HEADER]: running.token } });
    expect(status.status).toBe(200);
    expect((await sim().podUids())["jupyter-alice--adopted"]).toHaveLength(1);
  });

  it("leaves a server that is starting in this process alone", async () => {
    const s = await createServer(alice, "alice", { name: "busy" });
    await startServer(alice, "alice", "busy");
    expect(pendingStarts().has(s.id)).toBe(true);
    const report = await reconcileServers({ resumeAfterMs: 0 });
    expect(report.resumed).toEqual([]);
    expect(report.podsDeleted).toEqual([]);
    await waitForState(s.id, "running");
    expect(await (runtime() as KubeRuntime).isAlive(s.id)).toBe(true);
  });
});
