import { createHash } from "node:crypto";
import { CoreV1Api, type V1PersistentVolumeClaim, type V1Pod } from "@kubernetes/client-node";
import { log } from "../../log";
import type { JupyterCommand } from "../local/jupyter-command";
import type { Builder, ExitListener, Recovered, ReconcileInput, ReconcileResult, Runtime, RuntimeCapabilities, ServerSpec, StartedServer, StorageReading } from "../types";
import { call, statusOf } from "./kube-api";
import { PooledKubeConfig } from "./kube-config";
import { objectName } from "./names";
import { ObjectWatch, watchesSynced } from "./object-watch";
import { ANNOTATIONS, LABELS, PORT, SELECTOR, podManifest, pvcManifest, type PodOptions } from "./objects";
import { podView } from "./pod-status";
import type { KubeBuilderOptions } from "./kube-builder";

export interface KubeRuntimeOptions extends Omit<PodOptions, "jupyter"> {
  kubeconfig?: string;
  jupyter: JupyterCommand;
  startTimeoutMs: number;
  /** how long stop/delete wait for objects to disappear */
  deleteTimeoutMs?: number;
  /** how long a claim that belongs to no server is kept before the reconciler deletes it */
  orphanClaimGraceMs: number;
  /** where and how launched repositories are built (Jobs on this cluster's credentials) */
  builds: Omit<KubeBuilderOptions, "kc">;
}

export function loadKubeConfig(path?: string): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault(); // in-cluster service account when running in a pod
  return kc;
}

/** The start a pod belongs to; the token identifies it without exposing it. */
export const startIdOf = (token: string) => createHash("sha256").update(token).digest("hex").slice(0, 16);

export class KubeRuntime implements Runtime {
  readonly kind = "kubernetes" as const;
  /** Builds are Jobs: they carry on while Berth restarts, and a later launch finds or follows them. */
  readonly buildsInProcess = false;
  /** Images are pushed to the registry and pulled from it by the servers' pods. */
  get buildInfo(): { image: string; needsRegistry: boolean } {
    return { image: this.opts.builds.builds.builderImage, needsRegistry: true };
  }
  /** Pods outlive Berth: a restart leaves them running and the reconciler adopts them. */
  readonly stopsServersOnShutdown = false;
  readonly kc: PooledKubeConfig;
  private core: CoreV1Api;
  readonly pods: ObjectWatch<V1Pod>;
  readonly claims: ObjectWatch<V1PersistentVolumeClaim>;
  private exitListeners: ExitListener[] = [];
  /** pods this process is deleting on purpose: their disappearance is not a crash */
  private expectedGone = new Set<string>();
  /** claim name → when the reconciler first saw it belong to no server */
  private orphanClaimsSeen = new Map<string, number>();
  private kubeBuilder: Promise<Builder> | undefined;

  constructor(private opts: KubeRuntimeOptions) {
    this.kc = loadKubeConfig(opts.kubeconfig);
    this.core = this.kc.makeApiClient(CoreV1Api);
    const ns = opts.namespace;
    this.pods = new ObjectWatch<V1Pod>(this.kc, "pods", ns, SELECTOR, () => this.core.listNamespacedPod({ namespace: ns, labelSelector: SELECTOR }));
    this.claims = new ObjectWatch<V1PersistentVolumeClaim>(this.kc, "persistentvolumeclaims", ns, SELECTOR, () =>
      this.core.listNamespacedPersistentVolumeClaim({ namespace: ns, labelSelector: SELECTOR }),
    );
    this.pods.on((name, pod) => this.noticeExit(name, pod));
    this.pods.start();
    this.claims.start();
  }

  jupyterInterface(): "lab" | "notebook" {
    return this.opts.jupyter.app === "ServerApp" ? "lab" : "notebook";
  }

  capabilities(): RuntimeCapabilities {
    return { limitsEnforced: true };
  }

  onUnexpectedExit(listener: ExitListener): void {
    this.exitListeners.push(listener);
  }

  private noticeExit(name: string, pod: V1Pod | undefined) {
    // Remember whose pod this is from every sighting, the initial list included: a pod seen
    // only in a list and then gone (deleted while the watch was down) is still someone's.
    const serverId = pod?.metadata?.labels?.[LABELS.serverId] ?? this.lastServerId.get(name);
    const expected = this.expectedGone.has(name);
    if (pod) {
      this.lastServerId.set(name, serverId ?? "");
      if (serverId) this.podOfServer.set(serverId, name);
    } else {
      this.lastServerId.delete(name);
      if (serverId && this.podOfServer.get(serverId) === name) this.podOfServer.delete(serverId);
      // Deleted as asked; a later pod of the same name is watched afresh.
      this.expectedGone.delete(name);
    }
    // A list (at start-up, or again after the watch expired) can show a pod that failed while
    // nobody watched: that is news too. Listeners only act on servers they think are running.
    if (expected || !serverId) return;
    let reason: string | undefined;
    if (!pod) reason = "Its pod was deleted outside Berth.";
    else {
      const v = podView(pod);
      if (v.kind === "failed") reason = v.reason;
    }
    if (reason) for (const l of this.exitListeners) l(serverId, reason);
  }
  private lastServerId = new Map<string, string>();
  /** server id → its pod's name, from every sighting: the reconciler asks for each server, without a scan of every pod */
  private podOfServer = new Map<string, string>();

  async start(spec: ServerSpec, onProgress: (m: string) => void, signal: AbortSignal): Promise<StartedServer> {
    const ns = this.opts.namespace;
    const podName = objectName("jupyter", spec.user, spec.name);
    const startId = startIdOf(spec.token);
    await this.synced(this.opts.startTimeoutMs, signal);
    this.expectedGone.delete(podName);

    onProgress("Preparing storage");
    const pvc = pvcManifest(spec, this.opts);
    if (!this.claims.cache.has(pvc.metadata!.name!)) {
      try {
        await call("create", "persistentvolumeclaims", ns, () => this.core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: pvc }));
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
      }
    }

    const existing = this.pods.cache.get(podName);
    if (existing && existing.metadata?.annotations?.[ANNOTATIONS.startId] !== startId) {
      // A pod from an earlier start (a crash, or a stop that never finished): replace it.
      await this.deletePod(podName);
    }
    if (!this.pods.cache.has(podName) || existing?.metadata?.annotations?.[ANNOTATIONS.startId] !== startId) {
      onProgress("Creating the server's pod");
      try {
        await call("create", "pods", ns, () => this.core.createNamespacedPod({ namespace: ns, body: podManifest(spec, this.opts, startId) }));
      } catch (err) {
        // 409: the pod of this very start exists (a resumed start, or another replica): adopt it.
        if (statusOf(err) !== 409) throw err;
      }
    } else {
      onProgress("Resuming: the pod exists");
    }

    try {
      const ip = await this.waitReady(podName, startId, onProgress, signal);
      return { upstream: `http://${ip.includes(":") ? `[${ip}]` : ip}:${PORT}`, ref: podName };
    } catch (err) {
      // Leave nothing half-started behind.
      await this.deletePod(podName).catch((e) => log.warn("could not remove a failed server's pod", { pod: podName, error: String(e) }));
      throw err;
    }
  }

  /**
   * Waits for the first list of pods and claims. Bounded: with the API unreachable a start or
   * stop fails after `timeoutMs` with the reason, and at once when the API refuses to list
   * (only an operator can fix that), instead of waiting for ever.
   */
  private synced(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const fail = (why: string) => new Error(`Berth could not read the cluster's pods and claims: ${why.replace(/\.$/, "")}. Tell an operator.`);
    return watchesSynced(
      [this.pods, this.claims],
      timeoutMs,
      { refused: (err) => fail(err.message), timedOut: (why, s) => fail(`no answer within ${s} s (${why})`), aborted: () => new Error("The start was cancelled.") },
      signal,
    );
  }

  private waitReady(podName: string, startId: string, onProgress: (m: string) => void, signal: AbortSignal): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let lastProgress = "";
      let problem: string | undefined;
      const finish = (fn: () => void) => {
        off();
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        fn();
      };
      const check = (pod: V1Pod | undefined) => {
        if (!pod || pod.metadata?.annotations?.[ANNOTATIONS.startId] !== startId) return;
        const v = podView(pod);
        if (v.kind === "ready") return finish(() => resolve(v.ip));
        if (v.kind === "failed") return finish(() => reject(new Error(v.reason)));
        problem = v.problem ?? problem;
        const msg = v.problem ? `${v.progress} — ${v.problem}` : v.progress;
        if (msg !== lastProgress) {
          lastProgress = msg;
          onProgress(msg);
        }
      };
      const off = this.pods.onName(podName, (_name, pod) => check(pod));
      const onAbort = () => finish(() => reject(new Error("The start was cancelled.")));
      signal.addEventListener("abort", onAbort, { once: true });
      const secs = Math.round(this.opts.startTimeoutMs / 1000);
      const timer = setTimeout(
        () => finish(() => reject(new Error(`The server did not become ready within ${secs} s${problem ? ` (${problem})` : lastProgress ? ` (last step: ${lastProgress})` : ""}.`))),
        this.opts.startTimeoutMs,
      );
      check(this.pods.cache.get(podName));
    });
  }

  private waitGone(watch: ObjectWatch<V1Pod> | ObjectWatch<V1PersistentVolumeClaim>, name: string): Promise<void> {
    if (!watch.cache.has(name)) return Promise.resolve();
    const timeoutMs = this.opts.deleteTimeoutMs ?? 120_000;
    return new Promise<void>((resolve, reject) => {
      const off = (watch as ObjectWatch<V1Pod>).onName(name, (_n, obj) => {
        if (!obj) done();
      });
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${name} was still there after ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      const done = () => {
        off();
        clearTimeout(timer);
        resolve();
      };
      if (!watch.cache.has(name)) done();
    });
  }

  private async deletePod(name: string): Promise<void> {
    const ns = this.opts.namespace;
    this.expectedGone.add(name);
    try {
      await call("delete", "pods", ns, () => this.core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 10 }));
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    await this.waitGone(this.pods, name);
  }

  private podNameFor(serverId: string): string | undefined {
    const name = this.podOfServer.get(serverId);
    return name !== undefined && this.pods.cache.get(name)?.metadata?.labels?.[LABELS.serverId] === serverId ? name : undefined;
  }

  /** The server's pod as last seen (reconciler). */
  podFor(serverId: string): V1Pod | undefined {
    const name = this.podNameFor(serverId);
    return name ? this.pods.cache.get(name) : undefined;
  }

  /** A pod that failed says why; a pod that is gone says nothing. */
  howEnded(serverId: string): { failed: boolean; reason: string; note: string } {
    const pod = this.podFor(serverId);
    const view = pod && !pod.metadata?.deletionTimestamp ? podView(pod) : undefined;
    if (view?.kind === "failed") return { failed: true, reason: view.reason, note: `running, but its pod failed → failed: ${view.reason}` };
    return { failed: false, reason: "Its pod was gone, so it was marked stopped; its files are kept. Start it again.", note: "running without a pod → stopped" };
  }

  private claimNameFor(serverId: string): string | undefined {
    for (const [name, c] of this.claims.cache) if (c.metadata?.labels?.[LABELS.serverId] === serverId) return name;
    return undefined;
  }

  async stop(serverId: string): Promise<void> {
    await this.synced(this.opts.deleteTimeoutMs ?? 120_000);
    const name = this.podNameFor(serverId);
    if (name) await this.deletePod(name);
  }

  async remove(serverId: string): Promise<void> {
    await this.stop(serverId);
    const name = this.claimNameFor(serverId);
    if (!name) return;
    await this.deleteClaim(name);
  }

  async deleteClaim(name: string): Promise<void> {
    const ns = this.opts.namespace;
    try {
      await call("delete", "persistentvolumeclaims", ns, () => this.core.deleteNamespacedPersistentVolumeClaim({ name, namespace: ns }));
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    await this.waitGone(this.claims, name);
  }

  async isAlive(serverId: string): Promise<boolean> {
    await this.synced(this.opts.deleteTimeoutMs ?? 120_000);
    const name = this.podNameFor(serverId);
    const pod = name ? this.pods.cache.get(name) : undefined;
    return Boolean(pod && pod.status?.phase !== "Failed" && pod.status?.phase !== "Succeeded" && !pod.metadata?.deletionTimestamp);
  }

  // A PVC's use is not in the API server (only the kubelet's stats know it): nothing to walk, and
  // nothing to wait for; lists show the volume's size instead.
  async storageUsed(): Promise<number | undefined> {
    return undefined;
  }

  storageUsage(): StorageReading {
    return { bytes: null, measuring: false, at: null };
  }

  /** Pods outlive Berth: the reconciler adopts or settles them (reconcile-servers.ts), nothing to do at start-up. */
  async recover(): Promise<Recovered[]> {
    return [];
  }

  /**
   * Deletes Berth's pods whose server does not exist or is not meant to run, and claims that
   * belong to no server once they have done so for the grace period (logged first).
   */
  async reconcile(input: ReconcileInput): Promise<ReconcileResult> {
    const result: ReconcileResult = { ended: [], storageDeleted: [], storagePending: [] };
    await this.synced(this.opts.deleteTimeoutMs ?? 120_000);
    const meantToRun = (state: string | null | undefined) => state !== undefined && state !== null && state !== "stopped" && state !== "failed";
    for (const [name, pod] of this.pods.cache) {
      if (pod.metadata?.deletionTimestamp) continue;
      const serverId = pod.metadata?.labels?.[LABELS.serverId];
      if (meantToRun(input.states.get(serverId ?? ""))) continue;
      // Read again: the list may be older than a start made since, whose pod this is.
      if (serverId && meantToRun(await input.currentState(serverId))) continue;
      log.info("deleting a pod that belongs to no running server", { pod: name, serverId });
      await this.deletePod(name);
      result.ended.push({ name, serverId, note: `deleted stray pod ${name}` });
    }
    const graceMs = this.opts.orphanClaimGraceMs;
    for (const [name, claim] of this.claims.cache) {
      const serverId = claim.metadata?.labels?.[LABELS.serverId] ?? "";
      if (input.states.has(serverId)) {
        this.orphanClaimsSeen.delete(name);
        continue;
      }
      const first = this.orphanClaimsSeen.get(name) ?? input.now;
      this.orphanClaimsSeen.set(name, first);
      if (input.now - first < graceMs) {
        log.warn("storage belongs to no server; it will be deleted after the grace period", { claim: name, deleteAt: new Date(first + graceMs).toISOString() });
        result.storagePending.push(name);
        continue;
      }
      this.orphanClaimsSeen.delete(name);
      if (serverId && (await input.currentState(serverId)) !== null) continue;
      log.warn("deleting storage that belongs to no server", { claim: name });
      await this.deleteClaim(name);
      result.storageDeleted.push({ name, note: `deleted orphaned claim ${name}` });
    }
    return result;
  }

  async housekeeping(): Promise<void> {
    // Images live in the registry, which has its own retention.
  }

  /** The Job builder, on this runtime's cluster credentials; loaded when a launch first needs it. */
  builder(): Promise<Builder> {
    this.kubeBuilder ??= import("./kube-builder").then(({ KubeBuilder }) => new KubeBuilder({ kc: this.kc, ...this.opts.builds }));
    return this.kubeBuilder;
  }

  /** Pods are stopped through the API, with Berth's credentials, from any process. */
  canStop(): boolean {
    return true;
  }

  async shutdown(): Promise<void> {
    // Servers are pods: they keep running while Berth restarts. Only the watches stop.
    this.pods.stop();
    this.claims.stop();
    this.kc.close();
  }
}
