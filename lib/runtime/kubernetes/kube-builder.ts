import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from "@kubernetes/client-node";
import type { Config } from "../../config";
import { AppError } from "../../errors";
import type { Builder, BuildOptions, BuildRequest } from "../types";
import { imageExists } from "../../registry/registry";
import { log } from "../../log";
import { BUILD_ANNOTATIONS, BUILD_SELECTOR, BUILDER_CONTAINER, buildJobManifest, buildJobName } from "./build-job";
import { buildFailure, buildOutcome, containerStatus, imageMissing, isActive, type BuildOutcome } from "./build-outcome";
import { call, statusOf } from "./kube-api";
import { ObjectWatch, watchesSynced } from "./object-watch";
import { LineSplitter, openPodLog, type LogOpen } from "./pod-log";

// Builds as Kubernetes Jobs (DESIGN.md §5). One Job per image name, named after it, so a second
// launch of a commit — on any replica, or after Berth restarted — finds the running build and
// follows it instead of starting another: creating answers 409, and the caller attaches. Every
// follower reads the builder's log from its start, so one that attaches late sees what it missed.
// Jobs and build pods are watched (one list+watch each, for all builds), never polled. They live in
// a namespace of their own (k8s/builds; Pod Security `baseline`, as Kaniko runs as root), apart
// from the servers and from Berth's Secret.

export interface KubeBuilderOptions {
  kc: KubeConfig;
  /** where the Jobs, their pods and the registry Secret are (BERTH_KUBE_BUILD_NAMESPACE), never the servers' namespace */
  namespace: string;
  builds: Config["builds"];
  registry: Config["registry"];
  /** how long a build waits for the first list of Jobs and pods (default 60 s) */
  syncTimeoutMs?: number;
}

const TAIL_LINES = 15;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits for `p`, at most `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
const created = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();

const stopped = () => new AppError("abandoned", "Stopped following the build; it carries on, and launching again attaches to it.", { reason: "build_detached" });

export class KubeBuilder implements Builder {
  readonly kind = "kubernetes" as const;
  readonly jobs: ObjectWatch<V1Job>;
  readonly pods: ObjectWatch<V1Pod>;
  /** Jobs this instance created, and failed ones it replaced (tests count them). */
  readonly stats = { created: 0, replaced: 0 };
  private batch: BatchV1Api;
  private started = false;

  constructor(private opts: KubeBuilderOptions) {
    const ns = opts.namespace;
    this.batch = opts.kc.makeApiClient(BatchV1Api);
    const core = opts.kc.makeApiClient(CoreV1Api);
    this.jobs = new ObjectWatch<V1Job>(opts.kc, "jobs", ns, BUILD_SELECTOR, () => this.batch.listNamespacedJob({ namespace: ns, labelSelector: BUILD_SELECTOR }));
    this.pods = new ObjectWatch<V1Pod>(opts.kc, "pods", ns, BUILD_SELECTOR, () => core.listNamespacedPod({ namespace: ns, labelSelector: BUILD_SELECTOR }));
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.jobs.start();
    this.pods.start();
  }

  /** Stops the watches (builds carry on in the cluster). */
  shutdown(): void {
    this.jobs.stop();
    this.pods.stop();
  }

  async isBuilt(req: BuildRequest): Promise<boolean> {
    if (!this.opts.registry.url) return false;
    return imageExists(req.imageName, this.opts.registry);
  }

  /** Build Jobs neither complete nor failed. */
  async runningBuilds(): Promise<number> {
    this.start();
    await this.synced(undefined, 10_000);
    return [...this.jobs.cache.values()].filter(isActive).length;
  }

  async build(req: BuildRequest, onLog: (line: string) => void, signal: AbortSignal, opts: BuildOptions = {}): Promise<void> {
    if (signal.aborted) throw stopped();
    this.start();
    await this.synced(signal);
    const job = await this.ensureJob(req, signal, opts.force ?? false);
    // An administrator's cancel deletes the Job; following it then ends as "deleted".
    const onCancel = () => void this.cancelJob(req.imageName).catch((err: unknown) => log.warn("could not delete a cancelled build's Job", { image: req.imageName, error: String(err) }));
    if (opts.cancel?.aborted) onCancel();
    else opts.cancel?.addEventListener("abort", onCancel, { once: true });
    try {
      await this.follow(job, onLog, signal);
    } finally {
      opts.cancel?.removeEventListener("abort", onCancel);
    }
  }

  /** Deletes the build Job of `imageName` with its pods (an administrator cancelled it); absent is fine. */
  async cancelJob(imageName: string): Promise<boolean> {
    const ns = this.opts.namespace;
    const name = buildJobName(imageName);
    try {
      await call("delete", "jobs", ns, () => this.batch.deleteNamespacedJob({ name, namespace: ns, propagationPolicy: "Background", body: { propagationPolicy: "Background" } }));
      log.info("build Job deleted: cancelled by an administrator", { job: name });
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  /** The Job's current pod (a replaced Job's old pod may still be going: matched by the Job's uid). */
  private podOf(job: V1Job): V1Pod | undefined {
    let newest: V1Pod | undefined;
    for (const p of this.pods.cache.values()) {
      if (p.metadata?.labels?.["controller-uid"] !== job.metadata?.uid) continue;
      if (!newest || created(p) > created(newest)) newest = p;
    }
    return newest;
  }

  /** Waits for the first list of Jobs and pods; fails at once when listing is refused (RBAC). */
  private synced(signal?: AbortSignal, timeoutMs = this.opts.syncTimeoutMs ?? 60_000): Promise<void> {
    return watchesSynced(
      [this.jobs, this.pods],
      timeoutMs,
      {
        refused: (err) => err,
        timedOut: (why, s) => new AppError("unavailable", `Berth could not read the cluster's build Jobs within ${s} s (${why}). Try again later; if it keeps happening, tell an operator.`),
        aborted: stopped,
      },
      signal,
    );
  }

  /** Resolves once `check` is true of the Job called `name` (undefined: absent), or after `timeoutMs` with false. */
  private until(name: string, check: (job: V1Job | undefined) => boolean, timeoutMs: number): Promise<boolean> {
    if (check(this.jobs.cache.get(name))) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const off = this.jobs.on((n, job) => {
        if (n === name && check(job)) finish(true);
      });
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (v: boolean) => {
        off();
        clearTimeout(timer);
        resolve(v);
      };
    });
  }

  /** A Job that must not be attached to: failed, or complete while its image is gone from the registry. */
  private async stale(job: V1Job): Promise<boolean> {
    const outcome = buildOutcome(job, this.podOf(job));
    if (outcome.kind === "failed") return true;
    if (outcome.kind === "succeeded" && this.opts.registry.url) return !(await imageExists(job.metadata?.annotations?.[BUILD_ANNOTATIONS.image] ?? "", this.opts.registry));
    return false;
  }

  private async ensureJob(req: BuildRequest, signal: AbortSignal, force: boolean): Promise<V1Job> {
    const ns = this.opts.namespace;
    const name = buildJobName(req.imageName);
    for (let attempt = 0; attempt < 4; attempt++) {
      if (signal.aborted) throw stopped();
      const existing = this.jobs.cache.get(name);
      // A rebuild replaces a finished Job (a running one is the build asked for: attach to it).
      const replace = force && attempt === 0 && existing !== undefined && !isActive(existing);
      if (existing && !replace && !existing.metadata?.deletionTimestamp && !(await this.stale(existing))) return existing;
      if (existing) {
        await this.remove(existing);
        continue;
      }
      try {
        const job = await call("create", "jobs", ns, () => this.batch.createNamespacedJob({ namespace: ns, body: buildJobManifest(req, { namespace: ns, builds: this.opts.builds, registryUrl: this.opts.registry.url }) }));
        this.stats.created++;
        log.info("build Job created", { job: name, image: req.imageName });
        return job;
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
        // Another caller (replica) created it a moment ago: attach once the watch shows it.
        await this.until(name, (j) => Boolean(j), 15_000);
      }
    }
    throw new AppError("unavailable", "Berth could not start the build: its Job kept being replaced by another one. Launch again in a minute.");
  }

  /** Deletes a failed (or stale) Job — this very one, by uid — and waits until it is gone. */
  private async remove(job: V1Job): Promise<void> {
    const ns = this.opts.namespace;
    const name = job.metadata!.name!;
    const uid = job.metadata!.uid!;
    if (!job.metadata?.deletionTimestamp) {
      try {
        await call("delete", "jobs", ns, () =>
          this.batch.deleteNamespacedJob({ name, namespace: ns, propagationPolicy: "Background", body: { propagationPolicy: "Background", preconditions: { uid } } }),
        );
        this.stats.replaced++;
        log.info("failed build Job deleted to build again", { job: name });
      } catch (err) {
        // 404: gone already; 409: the uid differs, another replica replaced it already.
        if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
      }
    }
    if (!(await this.until(name, (j) => j?.metadata?.uid !== uid, 60_000))) {
      throw new AppError("unavailable", `The failed build Job ${name} was still there a minute after Berth deleted it. Launch again later; if it keeps happening, tell an operator.`);
    }
  }

  /** Follows the Job to its end: the builder's log live, then success (with the image in the registry) or the failure's reason. */
  private async follow(job: V1Job, onLog: (line: string) => void, signal: AbortSignal): Promise<void> {
    const name = job.metadata!.name!;
    const tail: string[] = [];
    let lastPod = this.podOf(job);
    const follower = new LogFollower(this, job, (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      onLog(line);
    });
    const logs = follower.run().catch((err: unknown) => log.warn("following a build's log failed", { job: name, error: String(err) }));

    type End = { outcome: BuildOutcome; job: V1Job } | { gone: true } | { aborted: true } | { error: unknown };
    let end: End;
    try {
      end = await new Promise<End>((resolve) => {
        // A Job this caller just created may reach the watch a moment after `create` answered.
        let seen = false;
        const unseen = setTimeout(() => seen || finish({ gone: true }), 30_000);
        const check = () => {
          const current = this.jobs.cache.get(name);
          if (!current || current.metadata?.uid !== job.metadata?.uid) return seen ? finish({ gone: true }) : undefined;
          seen = true;
          lastPod = this.podOf(current) ?? lastPod;
          const outcome = buildOutcome(current, lastPod);
          if (outcome.kind !== "running") finish({ outcome, job: current });
        };
        const offJobs = this.jobs.on((n) => n === name && check());
        const offPods = this.pods.on((_n, p) => p?.metadata?.labels?.["job-name"] === name && check());
        const onAbort = () => finish({ aborted: true });
        let settled = false;
        const finish = (e: End) => {
          if (settled) return;
          settled = true;
          clearTimeout(unseen);
          offJobs();
          offPods();
          signal.removeEventListener("abort", onAbort);
          resolve(e);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        void follower.failed.then((error) => finish({ error }));
        check();
      });
    } finally {
      follower.finishing = true;
    }

    if ("aborted" in end) {
      follower.stop();
      throw stopped();
    }
    if ("error" in end) {
      follower.stop();
      throw end.error;
    }
    // The log's last lines arrive just after the Job's end: give them a moment.
    await within(logs, 10_000);
    follower.stop();
    if ("gone" in end) {
      throw new AppError("unavailable", "The build's Job was deleted before it finished (by an operator, or by another Berth replica replacing it). Launch again.", { reason: "build_deleted" });
    }
    if (end.outcome.kind === "failed") throw buildFailure(end.job, lastPod, end.outcome, tail);
    const image = end.job.metadata?.annotations?.[BUILD_ANNOTATIONS.image] ?? "";
    if (this.opts.registry.url && !(await imageExists(image, this.opts.registry))) throw imageMissing(image);
  }

  /** For the log follower. */
  get logContext() {
    return { kc: this.opts.kc, namespace: this.opts.namespace, podOf: (job: V1Job) => this.podOf(job) };
  }
}

/**
 * Follows the builder container's log of one Job's pod: waits for the container to start,
 * streams it, and reconnects (skipping the lines already seen) when the stream drops while the
 * container still runs. Ends when the stream ends after the container ended, or when stopped.
 */
class LogFollower {
  /** set once the build's end is known: no more waiting for a pod that will never come */
  finishing = false;
  private stopped = false;
  private current: Extract<LogOpen, { kind: "streaming" }> | undefined;
  private failWith!: (err: unknown) => void;
  /** resolves with an error only an operator can fix (e.g. RBAC refusing pods/log) */
  readonly failed = new Promise<unknown>((r) => (this.failWith = r));

  constructor(
    private builder: KubeBuilder,
    private job: V1Job,
    private onLine: (line: string) => void,
  ) {}

  stop(): void {
    this.stopped = true;
    this.current?.abort();
  }

  async run(): Promise<void> {
    const { kc, namespace, podOf } = this.builder.logContext;
    let podUid: string | undefined;
    let splitter = new LineSplitter(this.onLine);
    while (!this.stopped) {
      const pod = podOf(this.job);
      const state = containerStatus(pod, BUILDER_CONTAINER)?.state;
      if (!pod || !pod.spec?.nodeName || !(state?.running || state?.terminated) || (this.finishing && pod.metadata?.deletionTimestamp)) {
        if (this.finishing) return;
        await sleep(300);
        continue;
      }
      if (pod.metadata?.uid !== podUid) {
        podUid = pod.metadata?.uid;
        splitter = new LineSplitter(this.onLine);
      }
      splitter.reset();
      let opened: LogOpen;
      try {
        opened = await openPodLog(kc, namespace, pod.metadata!.name!, BUILDER_CONTAINER, (chunk) => splitter.push(chunk));
      } catch (err) {
        if (err instanceof AppError) {
          this.failWith(err);
          return;
        }
        log.warn("could not read a build's log; trying again", { pod: pod.metadata?.name, error: String(err) });
        if (this.finishing) return;
        await sleep(1000);
        continue;
      }
      if (opened.kind !== "streaming") {
        if (this.finishing || opened.kind === "gone") return;
        await sleep(300);
        continue;
      }
      this.current = opened;
      const how = await opened.done;
      this.current = undefined;
      if (this.stopped) return;
      const after = podOf(this.job);
      if (this.finishing || (how === "ended" && (!after || containerStatus(after, BUILDER_CONTAINER)?.state?.terminated))) {
        splitter.flush();
        return;
      }
      // Dropped, or ended a moment before the watch reported the container's end.
      await sleep(how === "ended" ? 200 : 500);
    }
  }
}

