import { mkdirSync } from "node:fs";
import type http from "node:http";
import path from "node:path";
import { CoreV1Api, KubeConfig, type V1PersistentVolumeClaim, type V1Pod } from "@kubernetes/client-node";
import { controlServer } from "./control";
import { startKubeletServer, type KubeletServer } from "./kubelet-server";
import { LogStore } from "./logs";
import { faultFor, reportUnschedulable } from "./faults";
import { registerNode, renewNode } from "./node";
import { runPod } from "./pod-runner";
import { allPodProcesses, killAllContainers, killContainers, signalAll } from "./processes";
import { statusOf, type BuildSettings, type KubeletSimOptions, type PodRun, type SimContext, type SimFault, type SimPodInfo } from "./types";
import { Volumes } from "./volumes";
import { watchLoop } from "./watch";

// The simulator itself: list+watch of pods and claims, the scheduler's binding step, graceful
// deletions, and the controls tests use. See ../kubelet-sim.ts for the whole picture.
export class KubeletSim {
  readonly nodeName: string;
  readonly faults = new Map<string, SimFault>();
  /** every pod uid seen per pod name, in order: "exactly one pod was created" checks */
  readonly podUids = new Map<string, string[]>();
  readonly buildSettings: BuildSettings = { lineDelayMs: 150 };
  private logs = new LogStore();
  private kubelet: KubeletServer | undefined;
  private kc = new KubeConfig();
  private core: CoreV1Api;
  private runs = new Map<string, PodRun>();
  private latest = new Map<string, V1Pod>();
  private queues = new Map<string, Promise<void>>();
  private stopped = false;
  private watches: AbortController[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private ipCounter = 1;
  private control: http.Server | undefined;
  private logDir: string;
  private volumeDir: string;
  private ctx: SimContext;
  private volumes: Volumes;

  constructor(private opts: KubeletSimOptions) {
    this.nodeName = opts.nodeName ?? "berth-sim-node";
    this.kc.loadFromFile(opts.kubeconfigPath);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.logDir = path.join(opts.dir, "logs");
    this.volumeDir = path.join(opts.dir, "volumes");
    this.ctx = {
      opts,
      nodeName: this.nodeName,
      kc: this.kc,
      core: this.core,
      faults: this.faults,
      latest: this.latest,
      logDir: this.logDir,
      volumeDir: this.volumeDir,
      logs: this.logs,
      buildSettings: this.buildSettings,
      isStopped: () => this.stopped,
    };
    this.volumes = new Volumes(this.ctx, (uid) => this.enqueue(uid));
  }

  /** If the test process dies without stop(), no container outlives it. */
  private onExit = () => {
    for (const r of this.runs.values()) if (r.child?.pid) signalAll(r, "SIGKILL");
  };

  async start(): Promise<void> {
    process.on("exit", this.onExit);
    // Volumes are entered by containers running as uid 1000: the folders above them must be traversable.
    for (const d of [this.opts.dir, this.logDir, this.volumeDir]) mkdirSync(d, { recursive: true, mode: 0o755 });
    const kubelet = await startKubeletServer(path.join(this.opts.dir, "pki"), this.logs, (ns, name) =>
      [...this.runs.values()].some((r) => r.namespace === ns && r.name === name && (r.state === "running" || r.state === "ended")),
    );
    this.kubelet = kubelet;
    await registerNode(this.core, this.nodeName, kubelet.port);
    this.heartbeat = setInterval(() => void renewNode(this.core, this.nodeName, kubelet.port).catch(() => undefined), 5000);
    for (const ns of this.opts.namespaces) {
      watchLoop(this.ctx, this.watches, ns, "persistentvolumeclaims", (type, obj) => this.volumes.onClaim(type, obj as V1PersistentVolumeClaim));
      watchLoop(this.ctx, this.watches, ns, "pods", (type, obj) => this.onPod(type, obj as V1Pod));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    process.removeListener("exit", this.onExit);
    clearInterval(this.heartbeat);
    for (const w of this.watches) w.abort();
    for (const run of this.runs.values()) run.holdResolve?.(false);
    await killAllContainers([...this.runs.values()], 1000);
    this.logs.endAll();
    await this.kubelet?.close();
    await new Promise<void>((r) => (this.control ? this.control.close(() => r()) : r()));
  }

  // ---- pods --------------------------------------------------------------------------------

  private onPod(type: string, pod: V1Pod) {
    const uid = pod.metadata!.uid!;
    const name = pod.metadata!.name!;
    const uids = this.podUids.get(name) ?? [];
    if (!uids.includes(uid)) this.podUids.set(name, [...uids, uid]);
    if (type === "DELETED") this.latest.delete(uid);
    else this.latest.set(uid, pod);
    this.enqueue(uid);
  }

  /** One sync at a time per pod, always on the latest version seen. */
  private enqueue(uid: string) {
    const prev = this.queues.get(uid) ?? Promise.resolve();
    const next = prev
      .then(() => this.sync(uid))
      .catch((err) => {
        if (!this.stopped && statusOf(err) !== 404) process.stderr.write(`kubelet-sim: sync of pod ${uid} failed: ${String(err)}\n`);
      });
    this.queues.set(uid, next);
    void next.then(() => {
      if (this.queues.get(uid) === next) this.queues.delete(uid);
    });
  }

  private nextIp(): string {
    const n = this.ipCounter++;
    const prefix = this.opts.ipPrefix ?? "127.77";
    return `${prefix}.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }

  private async sync(uid: string) {
    if (this.stopped) return;
    const pod = this.latest.get(uid);
    const run = this.runs.get(uid);
    if (!pod) {
      // Gone from the API (deleted with grace 0, or never bound): nothing may keep running.
      if (run) {
        run.state = "deleting";
        run.holdResolve?.(false);
        this.logs.end(run.namespace, run.name, uid);
        await killContainers(run, 0);
        this.runs.delete(uid);
      }
      return;
    }
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    if (pod.metadata?.deletionTimestamp) {
      if (run && run.state !== "deleting") {
        run.state = "deleting";
        run.holdResolve?.(false);
        this.logs.end(ns, name, uid);
        await killContainers(run, Math.min(2, pod.metadata.deletionGracePeriodSeconds ?? 2) * 1000);
      }
      if (pod.spec?.nodeName === this.nodeName) {
        // The kubelet's last word in a graceful deletion.
        try {
          await this.core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid } } });
        } catch (err) {
          if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
        }
      }
      return;
    }
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return;
    const r: PodRun = run ?? { uid, namespace: ns, name, ip: this.nextIp(), state: "pending" };
    this.runs.set(uid, r);

    if (!pod.spec?.nodeName) {
      if (r.state !== "pending") return;
      const fault = faultFor(this.faults, pod);
      if (fault?.kind === "unschedulable") {
        if (!r.unschedulableReported) {
          r.unschedulableReported = true;
          await reportUnschedulable(this.core, pod, fault);
        }
        return;
      }
      // Like the scheduler: a pod whose claims are not bound yet waits.
      for (const v of pod.spec?.volumes ?? []) {
        if (!v.persistentVolumeClaim) continue;
        const claim = await this.core.readNamespacedPersistentVolumeClaim({ name: v.persistentVolumeClaim.claimName, namespace: ns }).catch(() => undefined);
        if (claim?.status?.phase !== "Bound") return;
      }
      r.state = "binding";
      await this.core.createNamespacedPodBinding({
        name,
        namespace: ns,
        body: { apiVersion: "v1", kind: "Binding", metadata: { name, namespace: ns, uid }, target: { apiVersion: "v1", kind: "Node", name: this.nodeName } },
      });
      return;
    }
    if (pod.spec.nodeName !== this.nodeName) return;
    if (r.state === "pending" || r.state === "binding") {
      r.state = "starting";
      void runPod(this.ctx, this.volumes, pod, r).catch((err) => {
        if (!this.stopped && r.state !== "deleting" && statusOf(err) !== 404) process.stderr.write(`kubelet-sim: running pod ${name} failed: ${String(err)}\n`);
      });
    }
  }

  // ---- controls for tests ------------------------------------------------------------------

  /** Kills a running pod's container from outside (a crash; `oom` reports OOMKilled). */
  kill(namespace: string, name: string, opts: { signal?: NodeJS.Signals; oom?: boolean } = {}): boolean {
    const run = [...this.runs.values()].find((r) => r.namespace === namespace && r.name === name && r.child);
    if (!run) return false;
    if (opts.oom) run.killReason = "OOMKilled";
    signalAll(run, opts.signal ?? "SIGKILL");
    return true;
  }

  /** Ends a held build pod. */
  finishBuild(namespace: string, name: string, ok: boolean): boolean {
    const run = [...this.runs.values()].find((r) => r.namespace === namespace && r.name === name && r.holdResolve);
    run?.holdResolve?.(ok);
    return Boolean(run);
  }

  pods(): SimPodInfo[] {
    return [...this.runs.values()].map((r) => ({
      namespace: r.namespace,
      name: r.name,
      uid: r.uid,
      ip: r.ip,
      pid: r.child?.exitCode === null && r.child.signalCode === null ? r.child.pid : undefined,
      hostPath: r.hostPath,
      state: r.state,
    }));
  }

  /** Live processes of all pods (stray ones after a test are a bug). */
  processes(): number[] {
    return allPodProcesses();
  }

  /** An HTTP control channel, for tests in other processes. */
  async serveControl(): Promise<string> {
    const server = controlServer(this);
    this.control = server;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }
}
