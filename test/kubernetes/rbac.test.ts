import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { BatchV1Api, KubeConfig, type V1Role } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { config } from "../../lib/config";
import { BUILD_SELECTOR, buildJobName } from "../../lib/runtime/kubernetes/build-job";
import { API_GROUPS, usedCalls, type Resource } from "../../lib/runtime/kubernetes/kube-api";
import { KubeBuilder } from "../../lib/runtime/kubernetes/kube-builder";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import { makeUser, waitForState } from "../helpers";
import { adminApi, kube, sim } from "../helpers/kube";
import { readManifest } from "../setup/global-kube";

// Berth's Roles grant exactly the API calls the runtime and the builder make, namespace by namespace:
// k8s/base/role.yaml in the servers' namespace, k8s/builds/role.yaml in the builds'. The record is
// every (namespace, verb, resource) kube-api.ts saw, in this file and in every Kubernetes file
// before it (this file runs last; see vitest.config.ts), and in the two-instances suite's Berth
// processes. The suites authenticate as the ServiceAccount bound to those Roles, so a call a Role
// lacks fails there; this test catches the other direction, a grant nothing uses — and a call
// landing in the other namespace (build Jobs among the servers, say).

function roleCalls(dir: "base" | "builds"): Set<string> {
  const role = readManifest<V1Role>("role.yaml", dir);
  const out = new Set<string>();
  for (const rule of role.rules ?? []) {
    for (const resource of rule.resources ?? []) {
      // Each resource in the API group Berth calls it in (kube-api.ts API_GROUPS; the rest are core).
      expect(rule.apiGroups, resource).toEqual([API_GROUPS[resource as Resource] ?? ""]);
      for (const verb of rule.verbs) out.add(`${verb} ${resource}`);
    }
  }
  return out;
}

/** `verb resource` by namespace. */
function recordedCalls(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (c: string) => {
    const [ns, ...call] = c.split(" ");
    out.set(ns, (out.get(ns) ?? new Set()).add(call.join(" ")));
  };
  usedCalls.forEach(add);
  for (const f of readdirSync(kube().recordsDir)) {
    for (const c of JSON.parse(readFileSync(path.join(kube().recordsDir, f), "utf8")) as string[]) add(c);
  }
  return out;
}

/** A build that fails, asked for twice: the second request replaces the failed Job (every builder call). */
async function failTwice() {
  const kc = new KubeConfig();
  kc.loadFromFile(kube().berthKubeconfig);
  const b = new KubeBuilder({ kc, namespace: kube().buildNamespace, builds: config().builds, registry: config().registry });
  const commit = "a".repeat(40);
  const req = { imageName: `berth-test/rbac:${commit}`, commit, fetchUrl: "https://example.org/rbac.git", provider: "git" as const, repo: "https://example.org/rbac.git" };
  await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "buildFail" });
  try {
    for (let i = 0; i < 2; i++) await expect(b.build(req, () => undefined, new AbortController().signal)).rejects.toThrow(/exited with code 1/);
    expect(b.stats).toEqual({ created: 2, replaced: 1 });
  } finally {
    b.shutdown();
    await sim().clearFault();
    await adminApi().kc.makeApiClient(BatchV1Api).deleteCollectionNamespacedJob({ namespace: kube().buildNamespace, propagationPolicy: "Background", labelSelector: BUILD_SELECTOR });
  }
}

describe("the Roles Berth ships", () => {
  it("grant exactly the verbs and resources the runtime and the builder call, each in its namespace", async () => {
    // This file's own server lifecycle and builds, so the comparison holds even when it runs alone.
    const alice = await makeUser("alice");
    const s = await createServer(alice, "alice", { name: "audited" });
    await startServer(alice, "alice", "audited");
    await waitForState(s.id, "running");
    await stopServer(alice, "alice", "audited");
    await deleteServer(alice, "alice", "audited");
    await failTwice();

    const used = recordedCalls();
    const servers = [...roleCalls("base")].sort();
    const builds = [...roleCalls("builds")].sort();
    expect([...(used.get(kube().namespace) ?? [])].sort()).toEqual(servers);
    expect([...(used.get(kube().buildNamespace) ?? [])].sort()).toEqual(builds);
    // Neither Role holds the other's grants: no Jobs or logs among the servers, no pod creation among the builds.
    expect(servers.filter((c) => /jobs|pods\/log/.test(c))).toEqual([]);
    expect(builds).not.toContain("create pods");
    // Calls into any other namespace are the suites' refusal tests (health.test.ts asks about
    // "default"): still only calls one of the Roles grants.
    for (const [ns, calls] of used) {
      if (ns === kube().namespace || ns === kube().buildNamespace) continue;
      for (const c of calls) expect([...servers, ...builds], `${ns}: ${c}`).toContain(c);
    }
  });
});
