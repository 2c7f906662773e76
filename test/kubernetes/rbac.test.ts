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

// Berth's Role (k8s/base/role.yaml) grants exactly the API calls the runtime and the builder make: every
// (verb, resource) pair kube-api.ts recorded, in this file and in every Kubernetes file before it
// (this file runs last; see vitest.config.ts), and in the two-instances suite's Berth processes.
// The suites authenticate as the ServiceAccount bound to that Role, so a call it lacks fails
// there; this test catches the other direction, a grant nothing uses.

function roleCalls(): Set<string> {
  const role = readManifest<V1Role>("role.yaml");
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

function recordedCalls(): Set<string> {
  const out = new Set<string>(usedCalls);
  for (const f of readdirSync(kube().recordsDir)) {
    for (const c of JSON.parse(readFileSync(path.join(kube().recordsDir, f), "utf8")) as string[]) out.add(c);
  }
  return out;
}

/** A build that fails, asked for twice: the second request replaces the failed Job (every builder call). */
async function failTwice() {
  const kc = new KubeConfig();
  kc.loadFromFile(kube().berthKubeconfig);
  const b = new KubeBuilder({ kc, namespace: kube().namespace, builds: config().builds, registry: config().registry });
  const commit = "a".repeat(40);
  const req = { imageName: `berth-test/rbac:${commit}`, commit, fetchUrl: "https://example.org/rbac.git", provider: "git" as const, repo: "https://example.org/rbac.git" };
  await sim().setFault(`job:${buildJobName(req.imageName)}`, { kind: "buildFail" });
  try {
    for (let i = 0; i < 2; i++) await expect(b.build(req, () => undefined, new AbortController().signal)).rejects.toThrow(/exited with code 1/);
    expect(b.stats).toEqual({ created: 2, replaced: 1 });
  } finally {
    b.shutdown();
    await sim().clearFault();
    await adminApi().kc.makeApiClient(BatchV1Api).deleteCollectionNamespacedJob({ namespace: kube().namespace, propagationPolicy: "Background", labelSelector: BUILD_SELECTOR });
  }
}

describe("the Role Berth ships", () => {
  it("grants exactly the verbs and resources the runtime and the builder call", async () => {
    // This file's own server lifecycle and builds, so the comparison holds even when it runs alone.
    const alice = await makeUser("alice");
    const s = await createServer(alice, "alice", { name: "audited" });
    await startServer(alice, "alice", "audited");
    await waitForState(s.id, "running");
    await stopServer(alice, "alice", "audited");
    await deleteServer(alice, "alice", "audited");
    await failTwice();

    const granted = [...roleCalls()].sort();
    const used = [...recordedCalls()].sort();
    expect(used).toEqual(granted);
  });
});
