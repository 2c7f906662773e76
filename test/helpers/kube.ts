import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BatchV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1PersistentVolumeClaim, type V1Pod } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { KubeRuntime, type KubeRuntimeOptions } from "../../lib/runtime/kubernetes/kube-runtime";
import { kubeRuntimeOptions } from "../../lib/runtime";
import { setShared } from "../../lib/shared";
import { watchRuntimeExits } from "../../lib/servers/lifecycle";
import { FaultProxy } from "../k8s/fault-proxy";
import { KubeletSimClient } from "../k8s/kubelet-sim";
import { waitFor } from "./index";

// The tests' own view of the cluster: cluster-admin, straight to the API server — never Berth's
// credentials, so what Berth may do is decided by its Role alone.

export const kube = () => inject("kube");

let admin: { kc: KubeConfig; core: CoreV1Api; rbac: RbacAuthorizationV1Api } | undefined;
export function adminApi() {
  if (!admin) {
    const kc = new KubeConfig();
    kc.loadFromFile(kube().adminKubeconfig);
    admin = { kc, core: kc.makeApiClient(CoreV1Api), rbac: kc.makeApiClient(RbacAuthorizationV1Api) };
  }
  return admin;
}

export const sim = () => new KubeletSimClient(kube().simUrl);

function status(err: unknown): number | undefined {
  const c = (err as { code?: unknown })?.code;
  return typeof c === "number" ? c : undefined;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (status(err) === 404) return undefined;
    throw err;
  }
}

export function readPod(name: string): Promise<V1Pod | undefined> {
  return orUndefined(adminApi().core.readNamespacedPod({ name, namespace: kube().namespace }));
}

export function readClaim(name: string): Promise<V1PersistentVolumeClaim | undefined> {
  return orUndefined(adminApi().core.readNamespacedPersistentVolumeClaim({ name, namespace: kube().namespace }));
}

/** The host folder behind a bound claim (the simulator's hostPath volume). */
export async function claimHostPath(name: string): Promise<string | undefined> {
  const claim = await readClaim(name);
  if (!claim?.spec?.volumeName) return undefined;
  const pv = await orUndefined(adminApi().core.readPersistentVolume({ name: claim.spec.volumeName }));
  return pv?.spec?.hostPath?.path;
}

/** Pods in the servers' namespace, or in `namespace` (the builds': kube().buildNamespace). */
export async function listPods(labelSelector?: string, namespace = kube().namespace): Promise<V1Pod[]> {
  return (await adminApi().core.listNamespacedPod({ namespace, labelSelector })).items;
}

export async function listClaims(labelSelector?: string): Promise<V1PersistentVolumeClaim[]> {
  return (await adminApi().core.listNamespacedPersistentVolumeClaim({ namespace: kube().namespace, labelSelector })).items;
}

export function waitPodGone(name: string, timeoutMs = 30_000) {
  return waitFor(`pod ${name} to be gone`, async () => !(await readPod(name)), timeoutMs);
}

export function waitClaimGone(name: string, timeoutMs = 30_000) {
  return waitFor(`claim ${name} to be gone`, async () => !(await readClaim(name)), timeoutMs);
}

/** Deletes every pod, claim and quota in the servers' namespace, and every Job and pod in the builds', and waits until they are gone. */
export async function cleanNamespace(): Promise<void> {
  const { kc, core } = adminApi();
  const { namespace, buildNamespace } = kube();
  await core.deleteCollectionNamespacedResourceQuota({ namespace });
  await core.deleteCollectionNamespacedPod({ namespace });
  await core.deleteCollectionNamespacedPersistentVolumeClaim({ namespace });
  await kc.makeApiClient(BatchV1Api).deleteCollectionNamespacedJob({ namespace: buildNamespace, propagationPolicy: "Background" });
  await core.deleteCollectionNamespacedPod({ namespace: buildNamespace });
  await waitFor(
    "the test namespaces to be empty",
    async () => (await listPods()).length === 0 && (await listClaims()).length === 0 && (await listPods(undefined, buildNamespace)).length === 0,
    60_000,
    200,
  );
}

/**
 * Replaces the process's runtime with a KubeRuntime made from the configuration plus `overrides`
 * (another kubeconfig, a short start timeout). Call watchRuntimeExits() again afterwards: its
 * listener belonged to the runtime replaced.
 */
export async function installKubeRuntime(overrides: Partial<KubeRuntimeOptions> = {}): Promise<KubeRuntime> {
  const { runtime } = await import("../../lib/runtime");
  await runtime().shutdown();
  const rt = new KubeRuntime({ ...runtimeOptions(), ...overrides });
  setShared("runtime", rt);
  return rt;
}

/** The options lib/runtime/index.ts gives the Kubernetes runtime, from the configuration. */
export const runtimeOptions = () => kubeRuntimeOptions();

/**
 * For a suite that puts the fault proxy (test/k8s/fault-proxy.ts) between Berth and the API server:
 * registers hooks that start the proxy and a runtime talking through it before the suite, clear the
 * proxy's record after each test, and stop both afterwards. `install()` replaces the runtime (with
 * other options, or after a test installed another one); `dir` is a scratch folder for the suite.
 */
export function proxiedRuntimeSuite(prefix: string) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const kubeconfig = path.join(dir, "proxied.kubeconfig");
  const suite = {
    dir,
    proxy: undefined as unknown as FaultProxy,
    rt: undefined as unknown as KubeRuntime,
    async install(overrides: Partial<KubeRuntimeOptions> = {}): Promise<KubeRuntime> {
      suite.rt = await installKubeRuntime({ kubeconfig, ...overrides });
      watchRuntimeExits();
      await Promise.all([suite.rt.pods.ready(), suite.rt.claims.ready()]);
      return suite.rt;
    },
  };
  beforeAll(async () => {
    suite.proxy = await new FaultProxy({ server: kube().server, caFile: kube().caFile }).start();
    suite.proxy.writeKubeconfig(kube().berthKubeconfig, kubeconfig);
    await suite.install();
  });
  afterEach(() => suite.proxy.clear());
  afterAll(async () => {
    await suite.rt.shutdown();
    await suite.proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return suite;
}
