import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { runtime } from "../../lib/runtime";
import type { KubeRuntime, KubeRuntimeOptions } from "../../lib/runtime/kubernetes/kube-runtime";
import { createServer } from "../../lib/servers/create-server";
import { watchRuntimeExits } from "../../lib/servers/lifecycle";
import { startServer } from "../../lib/servers/start-server";
import type { Actor } from "../../lib/auth/actor";
import { makeUser, portAnswers, waitFor, waitForState } from "../helpers";
import { adminApi, kube, readClaim, readPod, sim, installKubeRuntime, waitPodGone } from "../helpers/kube";

// What a person sees when the cluster cannot run their server, and when a running server's pod
// dies: the kubelet simulator fails pods the way a kubelet and scheduler report it.

const MISSING_IMAGE = "registry.example.invalid/no-such-notebook:1";
const profilesDir = mkdtempSync(path.join(tmpdir(), "berth-profiles-"));
writeFileSync(
  path.join(profilesDir, "profiles.json"),
  JSON.stringify({
    profiles: [
      { slug: "standard", displayName: "Standard", default: true },
      { slug: "missing-image", displayName: "Broken image", image: MISSING_IMAGE },
    ],
  }),
);
process.env.BERTH_PROFILES_FILE = path.join(profilesDir, "profiles.json");
process.env.BERTH_MAX_NAMED_SERVERS = "20";

// A pod that is merely waiting (an image that cannot be pulled, no room) fails at the start
// deadline. Only the tests about that deadline shorten it; every other start here has Berth's
// default (minutes), so a slow machine makes them slower, never failed.
const DEADLINE_SECONDS = 4;

let alice: Actor;
const progress = new Map<string, string[]>();

/** A fresh runtime (the configuration's, plus `overrides`) that notes every start's progress. */
async function useRuntime(overrides: Partial<KubeRuntimeOptions> = {}) {
  const rt = await installKubeRuntime(overrides);
  watchRuntimeExits();
  const start = rt.start.bind(rt);
  rt.start = (spec, onProgress, signal) =>
    start(spec, (m) => (progress.set(spec.name, [...(progress.get(spec.name) ?? []), m]), onProgress(m)), signal);
}

beforeAll(async () => {
  alice = await makeUser("alice");
  await useRuntime();
});

afterEach(async () => {
  await sim().clearFault();
});

afterAll(() => {
  rmSync(profilesDir, { recursive: true, force: true });
});

async function failedStart(name: string, profile?: string) {
  const s = await createServer(alice, "alice", { name, profile });
  await startServer(alice, "alice", name);
  const failed = await waitForState(s.id, "failed");
  expect(failed).toMatchObject({ upstream: null, progress: null });
  // Nothing half-started stays behind; the storage does, as for a stopped server.
  expect(await readPod(`jupyter-alice--${name}`)).toBeUndefined();
  expect(await readClaim(`claim-alice--${name}`)).toBeDefined();
  expect(await runtime().isAlive(s.id, null)).toBe(false);
  const ev = await waitFor("the failure event", () => db().event.findFirst({ where: { action: "failed", serverName: name } }).then((e) => e ?? undefined));
  expect(ev.reason).toBe(failed.stateReason);
  return failed;
}

describe("starts the cluster cannot complete", () => {
  describe(`at the start deadline (${DEADLINE_SECONDS} s here)`, () => {
    beforeAll(() => useRuntime({ startTimeoutMs: DEADLINE_SECONDS * 1000 }));
    afterAll(() => useRuntime());

    it("an image that cannot be pulled: failed at the deadline, naming ImagePullBackOff and the image", async () => {
      await sim().setFault(`image:${MISSING_IMAGE}`, { kind: "imagePullBackOff" });
      const failed = await failedStart("pull", "missing-image");
      expect(failed.stateReason).toContain("ImagePullBackOff");
      expect(failed.stateReason).toContain(MISSING_IMAGE);
      expect(failed.stateReason).toMatch(new RegExp(`did not become ready within ${DEADLINE_SECONDS} s`));
      expect(progress.get("pull")).toContain(`Pulling image ${MISSING_IMAGE} (retrying) — ImagePullBackOff: Back-off pulling image "${MISSING_IMAGE}"`);
    });

    it("no node with room: failed at the deadline, saying the cluster lacks memory", async () => {
      await sim().setFault("jupyter-alice--roomless", { kind: "unschedulable" });
      const failed = await failedStart("roomless");
      expect(failed.stateReason).toContain("Insufficient memory");
      expect(failed.stateReason).toContain("unschedulable");
      expect(progress.get("roomless")).toContain("Waiting for room in the cluster — unschedulable: 0/1 nodes are available: 1 Insufficient memory.");
    });
  });

  it("out of memory while starting: failed at once with OOMKilled and the limit", async () => {
    await sim().setFault("jupyter-alice--hungry", { kind: "oomKilled" });
    const failed = await failedStart("hungry");
    expect(failed.stateReason).toMatch(/^OOMKilled: the server ran out of memory \(limit 2Gi\)/);
  });

  it("a container that exits while starting: failed with its exit code", async () => {
    await sim().setFault("jupyter-alice--quitter", { kind: "exit", code: 3 });
    const failed = await failedStart("quitter");
    expect(failed.stateReason).toBe("The server's container stopped: Error (exit code 3).");
    // Once the cause is gone, the same server starts.
    await sim().clearFault();
    await startServer(alice, "alice", "quitter");
    await waitForState(failed.id, "running");
  });
});

describe("running servers whose pod dies", () => {
  it("a crashed container: the server is marked failed with the reason, and can start again", async () => {
    const s = await createServer(alice, "alice", { name: "crashy" });
    await startServer(alice, "alice", "crashy");
    const running = await waitForState(s.id, "running");
    expect(await sim().kill(kube().namespace, "jupyter-alice--crashy", { signal: "SIGKILL" })).toBe(true);
    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toBe("The server's container stopped: Error (exit code 137).");
    expect(failed).toMatchObject({ upstream: null, runtimeRef: null });
    expect(await portAnswers(running.upstream!)).toBe(false);
    const ev = await waitFor("the failure event", () => db().event.findFirst({ where: { action: "failed", serverName: "crashy" } }).then((e) => e ?? undefined));
    expect(ev).toMatchObject({ actorName: "berth", actorId: null, targetUser: "alice" });
    // Starting again replaces the dead pod.
    const deadUid = (await readPod("jupyter-alice--crashy"))?.metadata?.uid;
    await startServer(alice, "alice", "crashy");
    await waitForState(s.id, "running");
    const fresh = await readPod("jupyter-alice--crashy");
    expect(fresh?.metadata?.uid).not.toBe(deadUid);
    // The replacement is watched like the first pod: its crash is noticed too.
    expect(await sim().kill(kube().namespace, "jupyter-alice--crashy", { signal: "SIGKILL" })).toBe(true);
    const again = await waitForState(s.id, "failed");
    expect(again.stateReason).toBe("The server's container stopped: Error (exit code 137).");
  });

  it("out of memory while running: failed with OOMKilled", async () => {
    const s = await createServer(alice, "alice", { name: "leaky" });
    await startServer(alice, "alice", "leaky");
    await waitForState(s.id, "running");
    expect(await sim().kill(kube().namespace, "jupyter-alice--leaky", { oom: true })).toBe(true);
    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toMatch(/^OOMKilled: the server ran out of memory \(limit 2Gi\)/);
  });

  it("a pod deleted outside Berth: the server is marked failed, its storage kept", async () => {
    const s = await createServer(alice, "alice", { name: "evicted" });
    await startServer(alice, "alice", "evicted");
    const running = await waitForState(s.id, "running");
    await adminApi().core.deleteNamespacedPod({ name: "jupyter-alice--evicted", namespace: kube().namespace });
    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toBe("Its pod was deleted outside Berth.");
    await waitPodGone("jupyter-alice--evicted");
    expect(await portAnswers(running.upstream!)).toBe(false);
    expect((await readClaim("claim-alice--evicted"))?.status?.phase).toBe("Bound");
  });
});

describe("after Berth restarts", () => {
  it("a pod that was already running when Berth started, force-deleted outside Berth: still noticed", async () => {
    const s = await createServer(alice, "alice", { name: "older" });
    await startServer(alice, "alice", "older");
    await waitForState(s.id, "running");
    // A new Berth process: its runtime first sees the pod in its initial list, not as a change.
    await useRuntime();
    await (runtime() as KubeRuntime).pods.ready();
    // Forced: the runtime hears one DELETED event, with no change before it.
    await adminApi().core.deleteNamespacedPod({ name: "jupyter-alice--older", namespace: kube().namespace, gracePeriodSeconds: 0 });
    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toBe("Its pod was deleted outside Berth.");
  });
});
