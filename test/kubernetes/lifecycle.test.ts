import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtime } from "../../lib/runtime";
import { objectName } from "../../lib/runtime/kubernetes/names";
import { LABELS } from "../../lib/runtime/kubernetes/objects";
import { watchRuntimeExits } from "../../lib/servers/lifecycle";
import type { Actor } from "../../lib/auth/actor";
import { makeUser, waitFor } from "../helpers";
import { claimHostPath, listPods, readClaim, readPod, sim } from "../helpers/kube";
import { fullLifecycle, refusesOthers, stopWhileStarting, type LifecycleHarness, type ServerRef } from "../shared/lifecycle-suite";

// The same lifecycle as the local runtime's (test/shared/lifecycle-suite.ts), with
// BERTH_RUNTIME=kubernetes: a pod and a claim in a real API server, run by the kubelet simulator.

let alice: Actor;
const progress: string[] = [];
/** storage folders seen while their claims existed, to check they are gone after delete */
const folders = new Map<string, string>();

const podOf = (s: ServerRef) => objectName("jupyter", s.user, s.name);
const claimOf = (s: ServerRef) => objectName("claim", s.user, s.name);

const kubernetes: LifecycleHarness = {
  // The pod IP (the simulator gives each pod its own loopback address) and Jupyter's port.
  upstream: /^http:\/\/127\.\d+\.\d+\.\d+:8888$/,
  ref: /^jupyter-alice--analysis$/,
  storedFile: async (s, file) => {
    const folder = (await claimHostPath(claimOf(s))) ?? folders.get(claimOf(s));
    if (!folder) return undefined;
    folders.set(claimOf(s), folder);
    const p = path.join(folder, file);
    return existsSync(p) ? readFileSync(p, "utf8") : undefined;
  },
  expectHalted: async (s) => {
    expect(await readPod(podOf(s))).toBeUndefined();
    expect(await listPods(`${LABELS.serverId}=${s.serverId}`)).toEqual([]);
    const left = (await sim().pods()).filter((p) => p.name === podOf(s) && p.pid !== undefined);
    expect(left).toEqual([]);
  },
  expectStorageGone: async (s) => {
    expect(await readClaim(claimOf(s))).toBeUndefined();
    // The simulator releases the volume when its claim goes.
    const folder = folders.get(claimOf(s));
    expect(folder).toBeDefined();
    await waitFor("the volume's folder to be removed", async () => !existsSync(folder!));
  },
  afterStarted: async (s) => {
    // The person saw the start progress through the pod's life.
    expect(progress).toEqual(expect.arrayContaining(["Preparing storage", "Creating the server's pod", "Started; waiting for Jupyter to answer"]));
    const pod = await readPod(podOf(s));
    expect(pod?.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    const claim = await readClaim(claimOf(s));
    expect(claim?.status?.phase).toBe("Bound");
  },
};

beforeAll(async () => {
  alice = await makeUser("alice");
  watchRuntimeExits();
  // Record what the runtime tells the person while starting.
  const rt = runtime();
  const start = rt.start.bind(rt);
  rt.start = (spec, onProgress, signal) => start(spec, (m) => (progress.push(m), onProgress(m)), signal);
});

afterAll(async () => {
  expect(await sim().processes()).toEqual([]);
});

describe("server lifecycle on the Kubernetes runtime (real API server, simulated kubelet, real Jupyter)", () => {
  it("creates, starts, serves, stops (pod gone, claim kept), restarts with files kept, and deletes pod and claim", () => fullLifecycle(kubernetes, alice));

  it("refuses to start, stop or delete someone else's server, and says when a server does not exist", () => refusesOthers(alice));

  it("stops a server that is still starting, leaving no pod behind", () => stopWhileStarting(kubernetes, alice));
});
