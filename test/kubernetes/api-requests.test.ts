import { chmodSync, copyFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inFlight } from "../../lib/runtime/kubernetes/kube-api";
import { Limiter } from "../../lib/runtime/kubernetes/limiter";
import { parseJupyterCommand } from "../../lib/runtime/local/jupyter-command";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { setShared } from "../../lib/shared";
import { countsDelta, requestCounts } from "../k8s/apiserver-metrics";
import { makeUser, waitForState } from "../helpers";
import { adminApi, kube, proxiedRuntimeSuite } from "../helpers/kube";

// What a start costs the API server (issue 11: ≤ 3 requests per start), counted two ways: every
// call Berth makes passes the fault proxy (test/k8s/fault-proxy.ts), and the API server's own
// apiserver_request_total counts the creates (only Berth creates pods and claims here; the
// simulated kubelet binds pods through a subresource and makes volumes, not claims).

process.env.BERTH_MAX_NAMED_SERVERS = "20";

let alice: Actor;
const k = proxiedRuntimeSuite("berth-api-requests-");
const NS = kube().namespace;
const CLAIMS = new RegExp(`/namespaces/${NS}/persistentvolumeclaims$`);

/** Berth's calls since the last clear(), watches apart: "POST pods", "DELETE pods/<name>"… */
const calls = () =>
  k.proxy.requests.filter((r) => !r.watch).map((r) => `${r.method} ${r.path.replace(`/api/v1/namespaces/${NS}/`, "")}`);

async function apiserverCounts() {
  const token = adminApi().kc.getCurrentUser()?.token;
  return requestCounts(kube().server, kube().caFile, token!);
}

beforeAll(async () => {
  alice = await makeUser("alice");
});

afterAll(() => {
  setShared("kubeInFlight", undefined);
});

describe("API requests per start", () => {
  it("a first start creates the claim and the pod and reads nothing; a stop deletes the pod; a start again creates only the pod", async () => {
    const s = await createServer(alice, "alice", { name: "counted" });
    const before = await apiserverCounts();
    k.proxy.clear();
    await startServer(alice, "alice", "counted");
    await waitForState(s.id, "running");
    expect(calls()).toEqual(["POST persistentvolumeclaims", "POST pods"]);
    // The API server's own count agrees.
    const delta = new Map(countsDelta(before, await apiserverCounts()));
    expect(delta.get("POST persistentvolumeclaims")).toBe(1);
    expect(delta.get("POST pods")).toBe(1);

    k.proxy.clear();
    await stopServer(alice, "alice", "counted");
    expect(calls()).toEqual(["DELETE pods/jupyter-alice--counted"]);

    // The claim is known from the watch: no create, no read.
    k.proxy.clear();
    await startServer(alice, "alice", "counted");
    await waitForState(s.id, "running");
    expect(calls()).toEqual(["POST pods"]);
    await deleteServer(alice, "alice", "counted");
  });

  it("creates without reading first: a claim that already exists (made by a create whose answer was lost) is adopted on 409", async () => {
    k.proxy.failNext(1, 500, { method: "POST", path: CLAIMS }, { afterForwarding: true });
    const s = await createServer(alice, "alice", { name: "adopted" });
    await startServer(alice, "alice", "adopted");
    await waitForState(s.id, "running");
    expect(k.proxy.requests.filter((r) => !r.watch).map((r) => `${r.method} ${r.status}`)).toEqual(["POST 500", "POST 409", "POST 201"]);
    expect(calls().filter((c) => c.startsWith("GET"))).toEqual([]);
    await deleteServer(alice, "alice", "adopted");
  });

  it("a burst of starts queues at the client-side limit, reuses connections and still makes two calls per start", async () => {
    // A stand-in for Jupyter (as the burst benchmark runs): ten real Jupyters would only slow the suite.
    const standIn = path.join(k.dir, "stand-in-jupyter.py");
    copyFileSync(path.join(import.meta.dirname, "../k8s/stand-in-jupyter.py"), standIn);
    chmodSync(k.dir, 0o755);
    await k.install({ jupyter: parseJupyterCommand(`/usr/bin/python3 -S -I ${standIn}`) });
    const limiter = new Limiter(2);
    setShared("kubeInFlight", limiter);
    expect(inFlight()).toBe(limiter);
    const names = Array.from({ length: 10 }, (_, i) => `burst${i}`);
    const servers = await Promise.all(names.map((name) => createServer(alice, "alice", { name })));
    k.proxy.clear();
    k.proxy.addLatency(50);

    await Promise.all(names.map((name) => startServer(alice, "alice", name)));
    for (const s of servers) await waitForState(s.id, "running");

    expect(calls().filter((c) => c === "POST persistentvolumeclaims")).toHaveLength(10);
    expect(calls().filter((c) => c === "POST pods")).toHaveLength(10);
    expect(calls()).toHaveLength(20);
    // Never more than the limit at the API server at once, and the limit was reached (starts waited).
    expect(k.proxy.peakInFlight).toBeLessThanOrEqual(2);
    expect(limiter.peak.waiting).toBeGreaterThan(0);
    // Keep-alive: far fewer TLS connections than calls (client-node alone opens one per call).
    expect(k.proxy.connections).toBeLessThan(calls().length);

    setShared("kubeInFlight", undefined);
    k.proxy.clear();
    await Promise.all(names.map((name) => deleteServer(alice, "alice", name)));
  });
});
