import { spawn, type ChildProcess } from "node:child_process";
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import {
  CoreV1Api,
  KubeConfig,
  Watch,
  type KubernetesObject,
  type V1ContainerStatus,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1PodCondition,
  type V1PodStatus,
} from "@kubernetes/client-node";

// A kubelet (plus the scheduler's binding step and a volume provisioner) for a control plane
// with no nodes. It talks to the cluster only through the real API, with the admin credentials:
//
// - registers a Node and keeps its Ready condition fresh (the node lifecycle controller evicts
//   pods from a node whose heartbeat stops);
// - binds Pending pods in its namespace to that node (POST pods/binding), once their claims are bound;
// - provisions a hostPath PersistentVolume for every claim, pre-bound to it, so the real PV
//   binder binds the pair; deletes the volume and its folder when the claim goes;
// - "runs" pods: a Berth server pod's notebook container runs for real as a child process (its
//   args and env from the pod spec, home = the volume's folder, its own loopback address as the
//   pod IP), and its status is reported through pods/status as a kubelet would: PodScheduled,
//   Initialized, ContainersReady, Ready (once the readiness probe's URL answers), podIP,
//   init and container statuses;
// - finishes graceful deletions: kills the pod's processes, then deletes with grace period 0;
// - fails on demand (`faults`, keyed by pod name, `image:<image>` or `job:<job name>`).
//
// Build Job pods (owned by a Job) succeed unless a fault says otherwise; other pods just run.

export type SimFault =
  /** never bound; PodScheduled=False, reason Unschedulable */
  | { kind: "unschedulable"; message?: string }
  /** bound; the first container to pull waits in ImagePullBackOff */
  | { kind: "imagePullBackOff" }
  /** the notebook container is OOMKilled right after it starts */
  | { kind: "oomKilled" }
  /** the notebook container exits at once with this code */
  | { kind: "exit"; code: number }
  /** build pods: fail (exit 1) */
  | { kind: "buildFail" }
  /** build pods: keep running until finishBuild() */
  | { kind: "hold" };

export interface KubeletSimOptions {
  /** admin kubeconfig */
  kubeconfigPath: string;
  namespace: string;
  /** where volumes and container logs live */
  dir: string;
  nodeName?: string;
  /** first two octets of pod IPs on loopback, e.g. "127.77" */
  ipPrefix?: string;
  /** environment every container gets on top of its spec (PATH, LANG) */
  baseEnv?: Record<string, string>;
}

export interface SimPodInfo {
  namespace: string;
  name: string;
  uid: string;
  ip?: string;
  pid?: number;
  hostPath?: string;
  state: string;
}

const MARKER_ENV = "BERTH_KUBELET_SIM_POD";
const HOME_IN_IMAGE = "/home/jovyan";
const HOME_MARKER = ".berth-home-initialized";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Read through a function: the state changes behind an await, which narrowing cannot know. */
const deleting = (r: { state: string }) => r.state === "deleting";
const now = () => new Date();

interface PodRun {
  uid: string;
  namespace: string;
  name: string;
  ip: string;
  state: "pending" | "binding" | "starting" | "running" | "ended" | "deleting";
  unschedulableReported?: boolean;
  child?: ChildProcess;
  exited?: Promise<void>;
  hostPath?: string;
  /** the reason a kill reports (OOMKilled when the test says so) */
  killReason?: string;
  holdResolve?: (ok: boolean) => void;
}

function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code === "number") return e.code;
  if (typeof e?.statusCode === "number") return e.statusCode;
  return undefined;
}

function setCondition(status: V1PodStatus, type: string, value: "True" | "False", reason?: string, message?: string) {
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === type);
  const next: V1PodCondition = { type, status: value, lastProbeTime: undefined, lastTransitionTime: now(), reason, message };
  if (existing) {
    if (existing.status === value) next.lastTransitionTime = existing.lastTransitionTime;
    Object.assign(existing, next);
  } else conditions.push(next);
}

/** Processes carrying a pod's marker (its container and whatever that started): a container's cgroup. */
function markedProcesses(uid: string): number[] {
  const marker = `${MARKER_ENV}=${uid}`;
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(marker)) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

function signalAll(run: PodRun, signal: NodeJS.Signals) {
  if (run.child?.pid && run.child.exitCode === null && run.child.signalCode === null) {
    try {
      process.kill(-run.child.pid, signal);
    } catch {
      // group already gone
    }
  }
  for (const pid of markedProcesses(run.uid)) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

export class KubeletSim {
  readonly nodeName: string;
  readonly faults = new Map<string, SimFault>();
  /** every pod uid seen per pod name, in order: "exactly one pod was created" checks */
  readonly podUids = new Map<string, string[]>();
  private kc = new KubeConfig();
  private core: CoreV1Api;
  private runs = new Map<string, PodRun>();
  private latest = new Map<string, V1Pod>();
  private queues = new Map<string, Promise<void>>();
  private claimVolumes = new Map<string, string>();
  private stopped = false;
  private watches: AbortController[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private ipCounter = 1;
  private control: http.Server | undefined;
  private logDir: string;
  private volumeDir: string;

  constructor(private opts: KubeletSimOptions) {
    this.nodeName = opts.nodeName ?? "berth-sim-node";
    this.kc.loadFromFile(opts.kubeconfigPath);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.logDir = path.join(opts.dir, "logs");
    this.volumeDir = path.join(opts.dir, "volumes");
  }

  /** If the test process dies without stop(), no container outlives it. */
  private onExit = () => {
    for (const r of this.runs.values()) if (r.child?.pid) signalAll(r, "SIGKILL");
  };

  async start(): Promise<void> {
    process.on("exit", this.onExit);
    // Volumes are entered by containers running as uid 1000: the folders above them must be traversable.
    for (const d of [this.opts.dir, this.logDir, this.volumeDir]) mkdirSync(d, { recursive: true, mode: 0o755 });
    await this.registerNode();
    this.heartbeat = setInterval(() => void this.renewNode().catch(() => undefined), 5000);
    this.loop("persistentvolumeclaims", (type, obj) => this.onClaim(type, obj as V1PersistentVolumeClaim));
    this.loop("pods", (type, obj) => this.onPod(type, obj as V1Pod));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    process.removeListener("exit", this.onExit);
    clearInterval(this.heartbeat);
    for (const w of this.watches) w.abort();
    for (const run of this.runs.values()) run.holdResolve?.(false);
    await Promise.all([...this.runs.values()].map((r) => this.killContainers(r, 1000)));
    await new Promise<void>((r) => (this.control ? this.control.close(() => r()) : r()));
  }

  // ---- node --------------------------------------------------------------------------------

  private nodeStatus() {
    const capacity = { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" };
    const t = now();
    const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: t, lastTransitionTime: t });
    return {
      capacity,
      allocatable: capacity,
      conditions: [
        cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        cond("Ready", "True", "KubeletReady", "kubelet (simulated) is posting ready status"),
      ],
      addresses: [
        { type: "InternalIP", address: "127.0.0.1" },
        { type: "Hostname", address: this.nodeName },
      ],
      nodeInfo: {
        architecture: "amd64",
        bootID: "sim",
        containerRuntimeVersion: "sim://1",
        kernelVersion: "sim",
        kubeProxyVersion: "v1.20.2",
        kubeletVersion: "v1.20.2",
        machineID: "sim",
        operatingSystem: "linux",
        osImage: "berth kubelet simulator",
        systemUUID: "sim",
      },
    };
  }

  private async registerNode() {
    const body = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: this.nodeName, labels: { "kubernetes.io/hostname": this.nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" } },
      status: this.nodeStatus(),
    };
    try {
      await this.core.createNode({ body });
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    await this.renewNode();
  }

  private async renewNode() {
    for (let i = 0; i < 5; i++) {
      const node = await this.core.readNodeStatus({ name: this.nodeName });
      const fresh = this.nodeStatus();
      const old = new Map((node.status?.conditions ?? []).map((c) => [c.type, c]));
      for (const c of fresh.conditions) if (old.get(c.type)?.status === c.status) c.lastTransitionTime = old.get(c.type)!.lastTransitionTime ?? c.lastTransitionTime;
      node.status = { ...node.status, ...fresh };
      try {
        await this.core.replaceNodeStatus({ name: this.nodeName, body: node });
        return;
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
      }
    }
  }

  // ---- list + watch ------------------------------------------------------------------------

  /** List, then watch from the list's version; any end of the watch lists again (idempotent handlers). */
  private loop(resource: "pods" | "persistentvolumeclaims", handle: (type: string, obj: KubernetesObject) => void) {
    const ns = this.opts.namespace;
    const known = new Map<string, KubernetesObject>();
    const run = async () => {
      while (!this.stopped) {
        try {
          const list: { items: KubernetesObject[]; metadata?: { resourceVersion?: string } } =
            resource === "pods" ? await this.core.listNamespacedPod({ namespace: ns }) : await this.core.listNamespacedPersistentVolumeClaim({ namespace: ns });
          const seen = new Set<string>();
          for (const item of list.items) {
            seen.add(item.metadata!.uid!);
            known.set(item.metadata!.uid!, item);
            handle("MODIFIED", item);
          }
          for (const [uid, obj] of known) {
            if (!seen.has(uid)) {
              known.delete(uid);
              handle("DELETED", obj);
            }
          }
          await new Promise<void>((resolve) => {
            void new Watch(this.kc)
              .watch(
                `/api/v1/namespaces/${ns}/${resource}`,
                { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: false, timeoutSeconds: 60 },
                (type: string, obj: KubernetesObject) => {
                  if (type === "ERROR" || type === "BOOKMARK" || !obj?.metadata?.uid) return;
                  if (type === "DELETED") known.delete(obj.metadata.uid);
                  else known.set(obj.metadata.uid, obj);
                  handle(type, obj);
                },
                () => resolve(),
              )
              .then((c) => this.watches.push(c));
          });
        } catch (err) {
          if (!this.stopped) process.stderr.write(`kubelet-sim: ${resource} watch failed: ${String(err)}\n`);
          await sleep(500);
        }
      }
    };
    void run();
  }

  // ---- claims and volumes ------------------------------------------------------------------

  private onClaim(type: string, claim: V1PersistentVolumeClaim) {
    const uid = claim.metadata!.uid!;
    if (type === "DELETED") {
      void this.releaseVolume(uid);
      return;
    }
    if (claim.status?.phase === "Bound") {
      // Pods waiting for this claim can be bound now.
      for (const pod of this.latest.values()) {
        if (pod.spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === claim.metadata!.name)) this.enqueue(pod.metadata!.uid!);
      }
      return;
    }
    if (!claim.spec?.volumeName && !this.claimVolumes.has(uid)) void this.provision(claim);
  }

  private async provision(claim: V1PersistentVolumeClaim) {
    const uid = claim.metadata!.uid!;
    const name = `pvc-${uid}`;
    this.claimVolumes.set(uid, name);
    const folder = path.join(this.volumeDir, name);
    mkdirSync(folder, { recursive: true, mode: 0o2775 });
    // fsGroup 100: the group owns the volume and may write to it.
    chownSync(folder, 1000, 100);
    try {
      await this.core.createPersistentVolume({
        body: {
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name, labels: { "berth-test/provisioner": "kubelet-sim" } },
          spec: {
            capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
            accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: claim.spec?.storageClassName ?? "",
            volumeMode: "Filesystem",
            hostPath: { path: folder, type: "Directory" },
            claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: claim.metadata!.namespace, name: claim.metadata!.name, uid },
          },
        },
      });
    } catch (err) {
      if (statusOf(err) !== 409) {
        this.claimVolumes.delete(uid);
        process.stderr.write(`kubelet-sim: could not provision ${name}: ${String(err)}\n`);
      }
    }
  }

  private async releaseVolume(uid: string) {
    const name = this.claimVolumes.get(uid) ?? `pvc-${uid}`;
    this.claimVolumes.delete(uid);
    try {
      await this.core.deletePersistentVolume({ name });
    } catch (err) {
      if (statusOf(err) !== 404) process.stderr.write(`kubelet-sim: could not delete ${name}: ${String(err)}\n`);
    }
    rmSync(path.join(this.volumeDir, name), { recursive: true, force: true });
  }

  private async claimFolder(namespace: string, claimName: string): Promise<string | undefined> {
    const claim = await this.core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace });
    if (claim.status?.phase !== "Bound" || !claim.spec?.volumeName) return undefined;
    const pv = await this.core.readPersistentVolume({ name: claim.spec.volumeName });
    return pv.spec?.hostPath?.path;
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

  private fault(pod: V1Pod): SimFault | undefined {
    const name = pod.metadata!.name!;
    const job = pod.metadata?.labels?.["job-name"];
    const images = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.image);
    return (
      this.faults.get(name) ??
      (job ? this.faults.get(`job:${job}`) : undefined) ??
      images.map((i) => this.faults.get(`image:${i}`)).find(Boolean)
    );
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
        await this.killContainers(run, 0);
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
        await this.killContainers(run, Math.min(2, pod.metadata.deletionGracePeriodSeconds ?? 2) * 1000);
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
      const fault = this.fault(pod);
      if (fault?.kind === "unschedulable") {
        if (!r.unschedulableReported) {
          r.unschedulableReported = true;
          await this.updateStatus(pod, (st) => {
            st.phase = "Pending";
            setCondition(st, "PodScheduled", "False", "Unschedulable", fault.message ?? "0/1 nodes are available: 1 Insufficient memory.");
          });
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
      void this.runPod(pod, r).catch((err) => {
        if (!this.stopped && r.state !== "deleting" && statusOf(err) !== 404) process.stderr.write(`kubelet-sim: running pod ${name} failed: ${String(err)}\n`);
      });
    }
  }

  /** Read-modify-write of pods/status, for the pod with this uid only. */
  private async updateStatus(pod: V1Pod, mutate: (status: V1PodStatus) => void) {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    for (let i = 0; ; i++) {
      const current = await this.core.readNamespacedPodStatus({ name, namespace: ns });
      if (current.metadata?.uid !== pod.metadata!.uid) return;
      const st = (current.status ??= {});
      mutate(st);
      try {
        await this.core.replaceNamespacedPodStatus({ name, namespace: ns, body: current });
        return;
      } catch (err) {
        if (statusOf(err) !== 409 || i >= 10) throw err;
      }
    }
  }

  private containerStatus(c: { name: string; image?: string }, state: V1ContainerStatus["state"], ready = false, uid = ""): V1ContainerStatus {
    return {
      name: c.name,
      image: c.image ?? "",
      imageID: state?.waiting?.reason?.includes("Image") || state?.waiting?.reason === "ErrImagePull" ? "" : `sim://${c.image}`,
      containerID: state?.waiting ? undefined : `sim://${uid}-${c.name}`,
      ready,
      restartCount: 0,
      started: Boolean(state?.running),
      state,
    };
  }

  private async runPod(pod: V1Pod, r: PodRun) {
    const spec = pod.spec!;
    const uid = r.uid;
    const fault = this.fault(pod);
    const init = spec.initContainers ?? [];
    const containers = spec.containers ?? [];
    const isJob = pod.metadata?.ownerReferences?.some((o) => o.kind === "Job") ?? false;
    const main = containers.find((c) => c.name === "notebook");
    const isServer = pod.metadata?.labels?.["app.kubernetes.io/component"] === "singleuser-server" && main !== undefined;
    const base = (st: V1PodStatus) => {
      st.hostIP = "127.0.0.1";
      st.podIP = r.ip;
      st.podIPs = [{ ip: r.ip }];
      st.startTime ??= now();
    };

    if (fault?.kind === "imagePullBackOff") {
      const first = init[0] ?? containers[0];
      await this.updateStatus(pod, (st) => {
        st.phase = "Pending";
        base(st);
        setCondition(st, "Initialized", init.length ? "False" : "True", init.length ? "ContainersNotInitialized" : undefined);
        setCondition(st, "ContainersReady", "False", "ContainersNotReady");
        setCondition(st, "Ready", "False", "ContainersNotReady");
        const pulling = { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${first.image}"` } };
        st.initContainerStatuses = init.map((c) => this.containerStatus(c, c === first ? pulling : { waiting: { reason: "PodInitializing" } }));
        st.containerStatuses = containers.map((c) => this.containerStatus(c, c === first ? pulling : { waiting: { reason: "PodInitializing" } }));
      });
      return;
    }

    // Init containers run (the home folder copy is the only one Berth has).
    if (init.length) {
      await this.updateStatus(pod, (st) => {
        st.phase = "Pending";
        base(st);
        setCondition(st, "Initialized", "False", "ContainersNotInitialized", `containers with incomplete status: [${init.map((c) => c.name).join(" ")}]`);
        setCondition(st, "ContainersReady", "False", "ContainersNotReady");
        setCondition(st, "Ready", "False", "ContainersNotReady");
        st.initContainerStatuses = init.map((c, i) => this.containerStatus(c, i === 0 ? { running: { startedAt: now() } } : { waiting: { reason: "PodInitializing" } }, false, uid));
        st.containerStatuses = containers.map((c) => this.containerStatus(c, { waiting: { reason: "PodInitializing" } }));
      });
    }
    const claim = spec.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
    if (claim) r.hostPath = await this.claimFolder(r.namespace, claim);
    if (isServer && r.hostPath && !existsSync(path.join(r.hostPath, HOME_MARKER))) {
      // The init container's copy of the image's home folder: an empty home, marked as done.
      writeFileSync(path.join(r.hostPath, HOME_MARKER), "");
      chownSync(path.join(r.hostPath, HOME_MARKER), 1000, 100);
    }
    if (deleting(r)) return;
    const startedAt = now();
    const initDone = init.map((c) => this.containerStatus(c, { terminated: { exitCode: 0, reason: "Completed", startedAt, finishedAt: now() } }, false, uid));

    if (isServer && (fault?.kind === "oomKilled" || fault?.kind === "exit")) {
      const exitCode = fault.kind === "oomKilled" ? 137 : fault.code;
      const reason = fault.kind === "oomKilled" ? "OOMKilled" : exitCode === 0 ? "Completed" : "Error";
      await this.updateStatus(pod, (st) => {
        st.phase = exitCode === 0 ? "Succeeded" : "Failed";
        base(st);
        setCondition(st, "Initialized", "True");
        setCondition(st, "ContainersReady", "False", "ContainersNotReady");
        setCondition(st, "Ready", "False", "ContainersNotReady");
        st.initContainerStatuses = initDone;
        st.containerStatuses = containers.map((c) => this.containerStatus(c, { terminated: { exitCode, reason, startedAt, finishedAt: now(), containerID: `sim://${uid}-${c.name}` } }, false, uid));
      });
      r.state = "ended";
      return;
    }

    if (isServer) {
      this.spawnNotebook(pod, r);
      if (deleting(r)) return;
    }
    r.state = "running";
    await this.updateStatus(pod, (st) => {
      st.phase = "Running";
      base(st);
      setCondition(st, "Initialized", "True");
      const ready = !isServer && !isJob;
      setCondition(st, "ContainersReady", ready ? "True" : "False", ready ? undefined : "ContainersNotReady");
      setCondition(st, "Ready", ready ? "True" : "False", ready ? undefined : "ContainersNotReady");
      st.initContainerStatuses = initDone;
      st.containerStatuses = containers.map((c) => this.containerStatus(c, { running: { startedAt } }, ready, uid));
    });

    if (isJob) {
      const ok = fault?.kind === "buildFail" ? false : fault?.kind === "hold" ? await new Promise<boolean>((res) => (r.holdResolve = res)) : true;
      if (deleting(r)) return;
      await this.finishContainers(pod, r, ok ? 0 : 1, ok ? "Completed" : "Error");
      return;
    }
    if (!isServer) return;

    // Readiness probe: the probe's URL on the pod IP.
    const probe = main!.readinessProbe?.httpGet;
    const url = `http://${r.ip}:${probe?.port ?? 8888}${probe?.path ?? "/"}`;
    while (r.state === "running" && r.child && r.child.exitCode === null && r.child.signalCode === null && !this.stopped) {
      const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((res) => res.status < 400, () => false);
      if (ok) {
        await this.updateStatus(pod, (st) => {
          setCondition(st, "ContainersReady", "True");
          setCondition(st, "Ready", "True");
          st.containerStatuses = containers.map((c) => this.containerStatus(c, { running: { startedAt } }, true, uid));
        });
        return;
      }
      await sleep(200);
    }
  }

  private async finishContainers(pod: V1Pod, r: PodRun, exitCode: number, reason: string) {
    r.state = "ended";
    const containers = pod.spec?.containers ?? [];
    await this.updateStatus(pod, (st) => {
      st.phase = exitCode === 0 ? "Succeeded" : "Failed";
      setCondition(st, "ContainersReady", "False", "ContainersNotReady");
      setCondition(st, "Ready", "False", "ContainersNotReady");
      const startedAt = st.containerStatuses?.[0]?.state?.running?.startedAt ?? now();
      st.containerStatuses = containers.map((c) =>
        this.containerStatus(c, { terminated: { exitCode, reason, startedAt, finishedAt: now(), containerID: `sim://${r.uid}-${c.name}` } }, false, r.uid),
      );
    });
  }

  private spawnNotebook(pod: V1Pod, r: PodRun) {
    const c = pod.spec!.containers.find((x) => x.name === "notebook")!;
    const home = r.hostPath ?? path.join(this.volumeDir, `ephemeral-${r.uid}`);
    mkdirSync(home, { recursive: true });
    const rewrite = (a: string) =>
      a
        .replace(/^(--(?:NotebookApp|ServerApp)\.ip=).*$/, `$1${r.ip}`)
        .replace(/^--ip=.*$/, `--ip=${r.ip}`)
        .split(HOME_IN_IMAGE)
        .join(home);
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map(rewrite);
    const env: Record<string, string> = { ...(this.opts.baseEnv ?? { PATH: process.env.PATH ?? "/usr/bin:/bin" }) };
    for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = rewrite(e.value);
    env.HOME = home;
    env[MARKER_ENV] = r.uid;
    const ctx = { ...pod.spec!.securityContext, ...c.securityContext };
    // As the pod asks (uid 1000, group 100) when this process may switch users.
    const asUser = process.getuid?.() === 0 && ctx.runAsUser !== undefined ? { uid: ctx.runAsUser, gid: ctx.runAsGroup ?? 100 } : {};
    const logFile = path.join(this.logDir, `${r.namespace}_${r.name}_${r.uid}.log`);
    const fd = openSync(logFile, "a");
    const child: ChildProcess = spawn(argv[0], argv.slice(1), { cwd: home, env: env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", fd, fd], ...asUser });
    closeSync(fd);
    r.child = child;
    r.exited = new Promise<void>((resolve) => {
      child.on("error", (err) => {
        writeFileSync(logFile, `spawn error: ${err.message}\n`, { flag: "a" });
        resolve();
      });
      child.on("exit", (code, signal) => {
        resolve();
        if (r.state === "deleting" || this.stopped) return;
        // The container ended on its own (or was killed by the test): report it like a kubelet.
        const exitCode = code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 1);
        const reason = r.killReason ?? (exitCode === 0 ? "Completed" : "Error");
        const latest = this.latest.get(r.uid) ?? pod;
        void this.finishContainers(latest, r, exitCode, reason).catch(() => undefined);
      });
    });
  }

  private async killContainers(r: PodRun, graceMs: number) {
    if (!r.child && markedProcesses(r.uid).length === 0) return;
    signalAll(r, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && ((r.child && r.child.exitCode === null && r.child.signalCode === null) || markedProcesses(r.uid).length)) await sleep(50);
    signalAll(r, "SIGKILL");
    await r.exited;
    while (markedProcesses(r.uid).length) await sleep(20);
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
    const out: number[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").some((e) => e.startsWith(`${MARKER_ENV}=`))) out.push(Number(entry));
      } catch {
        // gone
      }
    }
    return out;
  }

  /** An HTTP control channel, for tests in other processes. */
  async serveControl(): Promise<string> {
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const reply = (status: number, value: unknown) => {
          res.writeHead(status, { "Content-Type": "application/json" });
          res.end(JSON.stringify(value ?? null));
        };
        try {
          const u = new URL(req.url ?? "/", "http://sim");
          const parts = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);
          const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
          if (parts[0] === "faults" && req.method === "PUT" && parts[1]) {
            this.faults.set(parts[1], input as unknown as SimFault);
            return reply(200, { ok: true });
          }
          if (parts[0] === "faults" && req.method === "DELETE") {
            if (parts[1]) this.faults.delete(parts[1]);
            else this.faults.clear();
            return reply(200, { ok: true });
          }
          if (parts[0] === "pods" && req.method === "GET" && !parts[1]) return reply(200, this.pods());
          if (parts[0] === "pod-uids" && req.method === "GET") return reply(200, Object.fromEntries(this.podUids));
          if (parts[0] === "processes" && req.method === "GET") return reply(200, this.processes());
          if (parts[0] === "pods" && parts[3] === "kill" && req.method === "POST") {
            return reply(200, { killed: this.kill(parts[1], parts[2], input as { signal?: NodeJS.Signals; oom?: boolean }) });
          }
          if (parts[0] === "pods" && parts[3] === "finish" && req.method === "POST") {
            return reply(200, { finished: this.finishBuild(parts[1], parts[2], Boolean(input.ok)) });
          }
          reply(404, { error: `no route ${req.method} ${u.pathname}` });
        } catch (err) {
          reply(500, { error: String(err) });
        }
      });
    });
    this.control = server;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }
}

/** The test side of `serveControl`. */
export class KubeletSimClient {
  constructor(private url: string) {}

  private async req<T>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${p}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`kubelet-sim ${method} ${p}: ${json?.error ?? res.status}`);
    return json;
  }

  /** key: a pod name, `image:<image>` or `job:<job name>` */
  setFault(key: string, fault: SimFault): Promise<unknown> {
    return this.req("PUT", `/faults/${encodeURIComponent(key)}`, fault);
  }
  clearFault(key?: string): Promise<unknown> {
    return this.req("DELETE", key ? `/faults/${encodeURIComponent(key)}` : "/faults");
  }
  pods(): Promise<SimPodInfo[]> {
    return this.req("GET", "/pods");
  }
  /** uids of every pod seen under each name since the simulator started */
  podUids(): Promise<Record<string, string[]>> {
    return this.req("GET", "/pod-uids");
  }
  processes(): Promise<number[]> {
    return this.req("GET", "/processes");
  }
  async kill(namespace: string, name: string, opts: { signal?: NodeJS.Signals; oom?: boolean } = {}): Promise<boolean> {
    return (await this.req<{ killed: boolean }>("POST", `/pods/${namespace}/${name}/kill`, opts)).killed;
  }
  async finishBuild(namespace: string, name: string, ok: boolean): Promise<boolean> {
    return (await this.req<{ finished: boolean }>("POST", `/pods/${namespace}/${name}/finish`, { ok })).finished;
  }
}
