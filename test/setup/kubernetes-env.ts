import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, inject } from "vitest";
import { usedCalls } from "../../lib/runtime/kubernetes/kube-api";
import { cleanNamespace } from "../helpers/kube";

// Runs before each Kubernetes test file, after integration-env.ts (temporary data folder, database,
// empty tables, runtime shutdown). Berth runs with BERTH_RUNTIME=kubernetes against the shared
// control plane, authenticated as its own ServiceAccount; the Jupyter command is what the
// simulated kubelet runs inside the "container".

const kube = inject("kube");

process.env.BERTH_RUNTIME = "kubernetes";
process.env.BERTH_KUBECONFIG = kube.berthKubeconfig;
process.env.BERTH_KUBE_NAMESPACE = kube.namespace;
process.env.BERTH_KUBE_BUILD_NAMESPACE = kube.buildNamespace;
process.env.BERTH_JUPYTER_COMMAND ??= "jupyter-notebook";

// Hooks run in reverse: this runs before integration-env.ts shuts the runtime down and closes the database.
afterAll(async () => {
  // What this file made Berth call, for the RBAC suite (test/kubernetes/rbac.test.ts).
  const name = path.basename(expect.getState().testPath ?? `file-${process.pid}`);
  writeFileSync(path.join(kube.recordsDir, `${name}-${process.pid}.json`), JSON.stringify([...usedCalls]));
  // Every file starts from empty namespaces.
  await cleanNamespace();
});
