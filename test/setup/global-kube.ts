import { kubeconfig, startControlPlane, waitForServiceAccount, type ControlPlane } from "../../scripts/k8s/start-control-plane.mjs";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CoreV1Api, KubeConfig, KubernetesObjectApi, loadYaml, type KubernetesObject, type V1Namespace, type V1RoleBinding } from "@kubernetes/client-node";
import type { TestProject } from "vitest/node";
import { KubeletSim } from "../k8s/kubelet-sim";

// The Kubernetes project's world, made once per run (DESIGN.md §7): a real control plane
// (etcd + kube-apiserver + kube-controller-manager v1.20.2, built by scripts/k8s and cached), the
// two namespaces Berth works in — the servers' and the builds' — labelled as k8s/ labels them
// (Pod Security; inert on 1.20, which has no Pod Security admission: the Pod Security suite checks
// the pods against the labels instead), Berth's ServiceAccount + Roles + RoleBindings exactly as
// k8s/base and k8s/builds ship them, a kubeconfig that authenticates as that ServiceAccount (so a
// verb missing from a Role fails the tests), and the kubelet simulator running the pods of both
// namespaces. The database comes from global-db.ts.

export interface KubeContext {
  server: string;
  caFile: string;
  /** cluster-admin: for the tests' own inspection and setup, never for Berth */
  adminKubeconfig: string;
  /** Berth's ServiceAccount `berth`, bound to k8s/base/role.yaml and k8s/builds/role.yaml */
  berthKubeconfig: string;
  /** the servers' namespace (BERTH_KUBE_NAMESPACE) */
  namespace: string;
  /** the build Jobs' namespace (BERTH_KUBE_BUILD_NAMESPACE) */
  buildNamespace: string;
  /** the kubelet simulator's control URL (test/k8s/kubelet-sim.ts) */
  simUrl: string;
  /** per-file records of the API calls Berth made (kube-api.ts `usedCalls`) */
  recordsDir: string;
  stateDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    kube: KubeContext;
  }
}

export const NAMESPACE = "berth-test";
/** Berth's default for BERTH_KUBE_BUILD_NAMESPACE: the servers' namespace + "-builds". */
export const BUILD_NAMESPACE = `${NAMESPACE}-builds`;
/** The test kubeconfig writer, shared with suites that need a kubeconfig of their own. */
export { kubeconfig as kubeconfigText };
const root = path.resolve(import.meta.dirname, "../..");


/** Applies manifests from k8s/ into `namespace` (namespaced kinds only). */
export async function applyManifests(kc: KubeConfig, namespace: string, objects: KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of objects) {
    obj.metadata = { ...obj.metadata, namespace };
    await api.create(obj);
  }
}

/** A manifest Berth ships: k8s/base (the servers' namespace) or k8s/builds (the builds'). */
export function readManifest<T extends KubernetesObject>(file: string, dir: "base" | "builds" = "base"): T {
  return loadYaml<T>(readFileSync(path.join(root, "k8s", dir, file), "utf8"));
}

/** A namespace with the labels k8s/ gives its counterpart (Pod Security among them). */
async function createNamespace(core: CoreV1Api, name: string, dir: "base" | "builds"): Promise<void> {
  const labels = readManifest<V1Namespace>("namespace.yaml", dir).metadata?.labels;
  await core.createNamespace({ body: { metadata: { name, labels } } });
}

/** The token of a ServiceAccount (1.20: the token controller puts it in a secret). */
export async function serviceAccountToken(core: CoreV1Api, namespace: string, name: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const sa = await core.readNamespacedServiceAccount({ name, namespace });
    const secretName = sa.secrets?.find((s) => s.name?.startsWith(`${name}-token-`))?.name;
    if (secretName) {
      const secret = await core.readNamespacedSecret({ name: secretName, namespace });
      const token = secret.data?.token;
      if (token) return Buffer.from(token, "base64").toString("utf8");
    }
    if (Date.now() > deadline) throw new Error(`no token for service account ${namespace}/${name}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Builds the control plane's binaries once (scripts/k8s; returns at once when they are cached). */
export function buildControlPlane(): void {
  execFileSync("bash", [path.join(root, "scripts/k8s/build-control-plane.sh")], { stdio: ["ignore", "ignore", "inherit"] });
}

export interface KubeWorld {
  ctx: KubeContext;
  cp: ControlPlane;
  sim: KubeletSim;
  /** stops the simulator and the control plane, and removes the state folder */
  stop: () => Promise<void>;
}

/**
 * The world the Kubernetes suites run in (see the top of this file), in a fresh state folder:
 * also what bench/kube-burst.bench.ts starts. The binaries must be built (buildControlPlane).
 */
export async function startKubeWorld(opts: { controllerManagerArgs?: string[]; apiserverArgs?: string[] } = {}): Promise<KubeWorld> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "berth-k8s-"));
  // Simulated containers run as uid 1000 and must reach their volumes below this folder.
  chmodSync(stateDir, 0o755);
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(stateDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const cp = await startControlPlane({ dir: path.join(stateDir, "control-plane"), controllerManagerArgs: opts.controllerManagerArgs, apiserverArgs: opts.apiserverArgs });
    cleanups.push(() => cp.stop());

    const admin = new KubeConfig();
    admin.loadFromFile(cp.kubeconfigPath);
    const core = admin.makeApiClient(CoreV1Api);
    await createNamespace(core, NAMESPACE, "base");
    await createNamespace(core, BUILD_NAMESPACE, "builds");
    await waitForServiceAccount(cp, NAMESPACE);
    await waitForServiceAccount(cp, BUILD_NAMESPACE);
    await applyManifests(admin, NAMESPACE, [readManifest("serviceaccount.yaml"), readManifest("role.yaml"), readManifest("rolebinding.yaml")]);
    // The builds' RoleBinding names the ServiceAccount's namespace (k8s/ deploys to `berth`).
    const buildBinding = readManifest<V1RoleBinding>("rolebinding.yaml", "builds");
    buildBinding.subjects = buildBinding.subjects?.map((s) => ({ ...s, namespace: NAMESPACE }));
    await applyManifests(admin, BUILD_NAMESPACE, [readManifest("role.yaml", "builds"), buildBinding]);
    const token = await serviceAccountToken(core, NAMESPACE, "berth");
    const berthKubeconfig = path.join(stateDir, "berth.kubeconfig");
    writeFileSync(berthKubeconfig, kubeconfig({ server: cp.server, caFile: cp.caFile, token, user: "system:serviceaccount:berth-test:berth", namespace: NAMESPACE }), { mode: 0o600 });

    const sim = new KubeletSim({
      kubeconfigPath: cp.kubeconfigPath,
      namespaces: [NAMESPACE, BUILD_NAMESPACE],
      dir: path.join(stateDir, "kubelet"),
      baseEnv: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", LANG: process.env.LANG ?? "C.UTF-8" },
    });
    await sim.start();
    cleanups.push(() => sim.stop());
    const simUrl = await sim.serveControl();

    const recordsDir = path.join(stateDir, "records");
    mkdirSync(recordsDir);
    const ctx: KubeContext = { server: cp.server, caFile: cp.caFile, adminKubeconfig: cp.kubeconfigPath, berthKubeconfig, namespace: NAMESPACE, buildNamespace: BUILD_NAMESPACE, simUrl, recordsDir, stateDir };
    return { ctx, cp, sim, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export default async function setup(project: TestProject) {
  buildControlPlane();
  const world = await startKubeWorld();
  project.provide("kube", world.ctx);
  return world.stop;
}
