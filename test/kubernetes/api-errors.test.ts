import { writeFileSync } from "node:fs";
import path from "node:path";
import type { V1Role } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import { watchRuntimeExits } from "../../lib/servers/lifecycle";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { makeUser, waitFor, waitForState } from "../helpers";
import { adminApi, kube, listPods, readClaim, readPod, sim, installKubeRuntime, proxiedRuntimeSuite, waitPodGone } from "../helpers/kube";
import { applyManifests, kubeconfigText, readManifest, serviceAccountToken } from "../setup/global-kube";

// The Kubernetes API misbehaving and refusing, between Berth and the API server: a fault proxy
// (test/k8s/fault-proxy.ts) for errors and dropped watches, a ResourceQuota for a full cluster,
// and a Role missing a verb.

process.env.BERTH_MAX_NAMED_SERVERS = "20";

let alice: Actor;
const k = proxiedRuntimeSuite("berth-api-errors-");

const injected = (method: string, p: RegExp) => k.proxy.requests.filter((r) => r.method === method && p.test(r.path) && r.injected);
const passed = (method: string, p: RegExp) => k.proxy.requests.filter((r) => r.method === method && p.test(r.path) && !r.injected);
const PODS = /\/namespaces\/berth-test\/pods$/;
const CLAIMS = /\/namespaces\/berth-test\/persistentvolumeclaims$/;

beforeAll(async () => {
  alice = await makeUser("alice");
});

describe("transient API errors", () => {
  it("retries creates answered with 500 and 429, and the start succeeds", async () => {
    k.proxy.failNext(2, 500, { method: "POST", path: PODS });
    k.proxy.failNext(1, 429, { method: "POST", path: CLAIMS });
    const s = await createServer(alice, "alice", { name: "flaky" });
    await startServer(alice, "alice", "flaky");
    await waitForState(s.id, "running");
    expect(injected("POST", PODS).map((r) => r.status)).toEqual([500, 500]);
    expect(injected("POST", CLAIMS).map((r) => r.status)).toEqual([429]);
    expect(passed("POST", PODS).map((r) => r.status)).toEqual([201]);
    expect(passed("POST", CLAIMS).map((r) => r.status)).toEqual([201]);
    await deleteServer(alice, "alice", "flaky");
  });

  it("retries a create refused while a new ResourceQuota is not counted yet (403 \"status unknown for quota\")", async () => {
    // What kube-apiserver answers between an operator creating a quota and the quota controller's first count.
    const message = 'pods "jupyter-alice--counted" is forbidden: status unknown for quota: compute, resource: limits.memory';
    k.proxy.failNext(2, 403, { method: "POST", path: PODS }, { message });
    const s = await createServer(alice, "alice", { name: "counted" });
    await startServer(alice, "alice", "counted");
    await waitForState(s.id, "running");
    expect(k.proxy.requests.filter((r) => r.method === "POST" && PODS.test(r.path)).map((r) => r.status)).toEqual([403, 403, 201]);
    await deleteServer(alice, "alice", "counted");
  });

  it("adopts a pod whose create succeeded although its answer was lost (500 after the API server made it)", async () => {
    k.proxy.failNext(1, 500, { method: "POST", path: PODS }, { afterForwarding: true });
    const s = await createServer(alice, "alice", { name: "lost" });
    await startServer(alice, "alice", "lost");
    await waitForState(s.id, "running");
    // The retry was told "already exists" (409) and waited for the pod of this very start.
    expect(k.proxy.requests.filter((r) => r.method === "POST" && PODS.test(r.path)).map((r) => r.status)).toEqual([500, 409]);
    expect((await sim().podUids())["jupyter-alice--lost"]).toHaveLength(1);
    await deleteServer(alice, "alice", "lost");
  });

  it("resumes a dropped watch from its resourceVersion, without listing again", async () => {
    const before = { ...k.rt.pods.stats };
    await waitFor("an open pod watch", async () => k.proxy.openWatchCount({ path: PODS }) > 0);
    expect(k.proxy.dropWatches({ path: PODS })).toBe(1);
    await waitFor("the watch to be resumed", async () => k.rt.pods.stats.watches > before.watches && k.proxy.openWatchCount({ path: PODS }) > 0);
    expect(k.rt.pods.stats.lists).toBe(before.lists);
    expect(k.rt.pods.stats.relists410).toBe(before.relists410);
    // And the resumed watch is what a start waits on.
    const s = await createServer(alice, "alice", { name: "rewatch" });
    await startServer(alice, "alice", "rewatch");
    await waitForState(s.id, "running");
    await stopServer(alice, "alice", "rewatch");
    expect(await readPod("jupyter-alice--rewatch")).toBeUndefined();
  });

  it("lists again when a watch expires (410), and notices a pod deleted while it was not watching", async () => {
    const s = await createServer(alice, "alice", { name: "unseen" });
    await startServer(alice, "alice", "unseen");
    await waitForState(s.id, "running");
    // A Berth that restarts sees the pod only in its first list.
    await k.install();
    const before = { ...k.rt.pods.stats };

    // The watch drops; its resumption is held at the proxy while the pod is deleted outside Berth,
    // then answered "410 Gone" (that resourceVersion is too old).
    const held = k.proxy.holdNext({ watch: true, path: PODS });
    k.proxy.expireNextWatch({ path: PODS });
    k.proxy.dropWatches({ path: PODS });
    await held.arrived;
    await adminApi().core.deleteNamespacedPod({ name: "jupyter-alice--unseen", namespace: kube().namespace, gracePeriodSeconds: 0 });
    await waitPodGone("jupyter-alice--unseen");
    held.release();

    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toBe("Its pod was deleted outside Berth.");
    expect(k.rt.pods.stats.relists410).toBe(before.relists410 + 1);
    expect(k.rt.pods.stats.lists).toBe(before.lists + 1);
    expect(k.rt.pods.cache.has("jupyter-alice--unseen")).toBe(false);
  });

  it("notices, in the list after an expired watch, a pod that failed while it was not watching", async () => {
    const s = await createServer(alice, "alice", { name: "silent" });
    await startServer(alice, "alice", "silent");
    await waitForState(s.id, "running");
    const before = { ...k.rt.pods.stats };
    const held = k.proxy.holdNext({ watch: true, path: PODS });
    k.proxy.expireNextWatch({ path: PODS });
    k.proxy.dropWatches({ path: PODS });
    await held.arrived;
    expect(await sim().kill(kube().namespace, "jupyter-alice--silent", { oom: true })).toBe(true);
    await waitFor("the pod to be reported failed", async () => (await readPod("jupyter-alice--silent"))?.status?.phase === "Failed");
    held.release();

    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toMatch(/^OOMKilled: the server ran out of memory/);
    expect(k.rt.pods.stats.relists410).toBe(before.relists410 + 1);
  });
});

describe("refusals", () => {
  it("a ResourceQuota with no room: the start fails saying the cluster is full, and leaves no pod", async () => {
    const { core } = adminApi();
    const namespace = kube().namespace;
    await core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: "tiny" }, spec: { hard: { "limits.memory": "1Gi" } } } });
    // Admission refuses everything until the quota controller has counted usage once.
    await waitFor("the quota to be counted", async () => (await core.readNamespacedResourceQuota({ name: "tiny", namespace })).status?.hard?.["limits.memory"] !== undefined);
    try {
      const s = await createServer(alice, "alice", { name: "crowded" });
      await startServer(alice, "alice", "crowded");
      const failed = await waitForState(s.id, "failed");
      expect(failed.stateReason).toBe(
        "The cluster is full right now: there is no room for another server within its quota. Stop a server you are not using, or try again later.",
      );
      // The API server refused it: one try, no retries, nothing left half-made.
      const attempts = k.proxy.requests.filter((r) => r.method === "POST" && PODS.test(r.path) && r.status === 403);
      expect(attempts).toHaveLength(1);
      expect(await readPod("jupyter-alice--crowded")).toBeUndefined();
      expect(await listPods(`berth/server-id=${s.id}`)).toEqual([]);
      expect(failed).toMatchObject({ upstream: null, runtimeRef: null, progress: null });
      // Its storage is what a stopped server keeps.
      expect(await readClaim("claim-alice--crowded")).toBeDefined();
      const ev = await db().event.findFirst({ where: { action: "failed", serverName: "crowded" } });
      expect(ev?.reason).toBe(failed.stateReason);
    } finally {
      await core.deleteNamespacedResourceQuota({ name: "tiny", namespace });
    }
  });

  /** Berth's Role from k8s/, minus one verb on pods, bound to a ServiceAccount of its own; returns its kubeconfig. */
  async function limitedRole(missingVerb: string): Promise<string> {
    const { kc, core } = adminApi();
    const namespace = kube().namespace;
    const role = readManifest<V1Role>("role.yaml");
    role.metadata = { ...role.metadata, name: "berth-limited" };
    role.rules = role.rules!.map((r) => (r.resources?.includes("pods") ? { ...r, verbs: r.verbs.filter((v) => v !== missingVerb) } : r));
    await applyManifests(kc, namespace, [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "berth-limited" } },
      role,
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "berth-limited" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "berth-limited" },
        subjects: [{ kind: "ServiceAccount", name: "berth-limited" }],
      } as never,
    ]);
    const token = await serviceAccountToken(core, namespace, "berth-limited");
    const file = path.join(k.dir, `limited-${missingVerb}.kubeconfig`);
    writeFileSync(file, kubeconfigText({ server: kube().server, caFile: kube().caFile, token, user: "berth-limited", namespace }), { mode: 0o600 });
    return file;
  }

  async function dropLimitedRole() {
    const { core, rbac } = adminApi();
    const namespace = kube().namespace;
    await rbac.deleteNamespacedRoleBinding({ name: "berth-limited", namespace });
    await rbac.deleteNamespacedRole({ name: "berth-limited", namespace });
    await core.deleteNamespacedServiceAccount({ name: "berth-limited", namespace });
    await k.install();
  }

  it("a Role without `create pods`: the start fails naming the verb, the resource and the namespace", async () => {
    try {
      const limitedRt = await installKubeRuntime({ kubeconfig: await limitedRole("create") });
      watchRuntimeExits();
      await limitedRt.pods.ready();
      const s = await createServer(alice, "alice", { name: "denied" });
      await startServer(alice, "alice", "denied");
      const failed = await waitForState(s.id, "failed");
      expect(failed.stateReason).toBe(`Berth is not allowed to create pods in namespace "${kube().namespace}". An operator must grant it (apply the Role in k8s/). Nothing was changed.`);
      expect(await readPod("jupyter-alice--denied")).toBeUndefined();
    } finally {
      await dropLimitedRole();
    }
  });

  it("a Role without `list pods`: the start fails instead of waiting for ever, naming the verb", async () => {
    try {
      await installKubeRuntime({ kubeconfig: await limitedRole("list") });
      watchRuntimeExits();
      const s = await createServer(alice, "alice", { name: "blind" });
      await startServer(alice, "alice", "blind");
      const failed = await waitForState(s.id, "failed");
      expect(failed.stateReason).toBe(
        `Berth could not read the cluster's pods and claims: Berth is not allowed to list pods in namespace "${kube().namespace}". An operator must grant it (apply the Role in k8s/). Nothing was changed. Tell an operator.`,
      );
      expect(await readPod("jupyter-alice--blind")).toBeUndefined();
    } finally {
      await dropLimitedRole();
    }
  });
});
