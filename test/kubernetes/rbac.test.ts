import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { V1Role } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { usedCalls } from "../../lib/runtime/kubernetes/kube-api";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import { makeUser, waitForState } from "../helpers";
import { kube } from "../helpers/kube";
import { readManifest } from "../setup/global-kube";

// Berth's Role (k8s/base/role.yaml) grants exactly the API calls the runtime makes: every
// (verb, resource) pair kube-api.ts recorded, in this file and in every Kubernetes file before it
// (this file runs last; see vitest.config.ts), and in the two-instances suite's Berth processes.
// The suites authenticate as the ServiceAccount bound to that Role, so a call it lacks fails
// there; this test catches the other direction, a grant nothing uses.

function roleCalls(): Set<string> {
  const role = readManifest<V1Role>("role.yaml");
  const out = new Set<string>();
  for (const rule of role.rules ?? []) {
    // The runtime only calls the core API group.
    expect(rule.apiGroups).toEqual([""]);
    for (const resource of rule.resources ?? []) for (const verb of rule.verbs) out.add(`${verb} ${resource}`);
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

describe("the Role Berth ships", () => {
  it("grants exactly the verbs and resources the runtime calls", async () => {
    // This file's own lifecycle, so the comparison holds even when it runs alone.
    const alice = await makeUser("alice");
    const s = await createServer(alice, "alice", { name: "audited" });
    await startServer(alice, "alice", "audited");
    await waitForState(s.id, "running");
    await stopServer(alice, "alice", "audited");
    await deleteServer(alice, "alice", "audited");

    const granted = [...roleCalls()].sort();
    const used = [...recordedCalls()].sort();
    expect(used).toEqual(granted);
  });
});
