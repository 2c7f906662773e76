import { Watch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { AppError } from "../../errors";
import { log } from "../../log";
import { API_GROUPS, call, statusOf, type Resource } from "./kube-api";

// One watch per resource kind for all servers: a list, then a watch from the list's
// resourceVersion. A dropped watch resumes from the last resourceVersion seen; 410 Gone (that
// version is too old) relists. Listeners hear every change, and the cache answers "what exists"
// without another request.

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED" | "SYNC";
export type Listener<T> = (name: string, obj: T | undefined, type: ChangeType) => void;

interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export class ObjectWatch<T extends KubernetesObject> {
  readonly cache = new Map<string, T>();
  private listeners = new Set<Listener<T>>();
  private named = new Map<string, Set<Listener<T>>>();
  private resourceVersion: string | undefined;
  private stopped = false;
  private abort: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private synced: Promise<void>;
  private markSynced!: () => void;
  /** counts, for tests and /metrics */
  readonly stats = { lists: 0, watches: 0, relists410: 0 };
  /** why the last list failed, while the watch has not synced */
  lastError: string | undefined;
  /** the last list's refusal, when only an operator can fix it (RBAC, a rejected request) */
  private refusal: AppError | undefined;
  private refusalWaiters = new Set<(err: AppError) => void>();

  constructor(
    private kc: KubeConfig,
    private resource: Resource,
    private namespace: string,
    private labelSelector: string,
    private listFn: () => Promise<ListResult<T>>,
  ) {
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  on(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hears changes of one object only. A burst of starts has hundreds of waiters, each for its own
   * pod: keyed by name, a change reaches its own waiters instead of every waiter of every pod.
   */
  onName(name: string, listener: Listener<T>): () => void {
    let set = this.named.get(name);
    if (!set) this.named.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.named.get(name) === set) this.named.delete(name);
    };
  }

  ready(): Promise<void> {
    return this.synced;
  }

  /** Resolves with the refusal when listing fails in a way retrying cannot fix. */
  refused(): { promise: Promise<AppError>; cancel: () => void } {
    let waiter!: (err: AppError) => void;
    const promise = new Promise<AppError>((resolve) => (waiter = resolve));
    if (this.refusal) waiter(this.refusal);
    else this.refusalWaiters.add(waiter);
    return { promise, cancel: () => this.refusalWaiters.delete(waiter) };
  }

  start(): void {
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abort?.abort();
  }

  private emit(name: string, obj: T | undefined, type: ChangeType) {
    for (const l of [...this.listeners, ...(this.named.get(name) ?? [])]) {
      try {
        l(name, obj, type);
      } catch (err) {
        log.error("watch listener failed", { resource: this.resource, error: String(err) });
      }
    }
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const list = await call("list", this.resource, this.namespace, this.listFn);
      this.stats.lists++;
      const seen = new Set<string>();
      for (const item of list.items) {
        const name = item.metadata!.name!;
        seen.add(name);
        this.cache.set(name, item);
        this.emit(name, item, "SYNC");
      }
      for (const name of [...this.cache.keys()]) {
        if (!seen.has(name)) {
          this.cache.delete(name);
          this.emit(name, undefined, "DELETED");
        }
      }
      this.resourceVersion = list.metadata?.resourceVersion;
      this.lastError = undefined;
      this.refusal = undefined;
      this.markSynced();
      void this.watch(0);
    } catch (err) {
      this.lastError = (err as Error).message;
      if (err instanceof AppError) {
        this.refusal = err;
        for (const w of this.refusalWaiters) w(err);
        this.refusalWaiters.clear();
      }
      log.warn("listing failed; retrying", { resource: this.resource, error: (err as Error).message });
      this.retryTimer = setTimeout(() => void this.relist(), 2000);
    }
  }

  private async watch(failures: number): Promise<void> {
    if (this.stopped) return;
    let gone = false;
    let received = false;
    const base = API_GROUPS[this.resource] ? `/apis/${API_GROUPS[this.resource]}/v1` : "/api/v1";
    const path = this.namespace ? `${base}/namespaces/${this.namespace}/${this.resource}` : `${base}/${this.resource}`;
    const done = (err: unknown) => {
      if (this.stopped) return;
      if (gone || statusOf(err) === 410) {
        this.stats.relists410++;
        void this.relist();
        return;
      }
      // A normal end (server-side timeout) resumes at once; errors back off.
      const next = err && !received ? failures + 1 : 0;
      const delay = next === 0 ? 0 : Math.min(10_000, 250 * 2 ** next);
      if (err) log.debug("watch dropped; resuming from the last resourceVersion", { resource: this.resource, resourceVersion: this.resourceVersion, delayMs: delay });
      this.retryTimer = setTimeout(() => void this.watch(next), delay);
    };
    try {
      this.stats.watches++;
      this.abort = await call("watch", this.resource, this.namespace, () =>
        new Watch(this.kc).watch(
          path,
          { labelSelector: this.labelSelector, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 240 },
          (type: string, obj: T & { code?: number }) => {
            received = true;
            if (type === "ERROR") {
              if (obj.code === 410) gone = true;
              return;
            }
            const rv = obj.metadata?.resourceVersion;
            if (rv) this.resourceVersion = rv;
            if (type === "BOOKMARK") return;
            const name = obj.metadata?.name;
            if (!name) return;
            if (type === "DELETED") this.cache.delete(name);
            else this.cache.set(name, obj);
            this.emit(name, type === "DELETED" ? undefined : obj, type as ChangeType);
          },
          done,
        ),
      { attempts: 1 });
    } catch (err) {
      done(err);
    }
  }
}

export interface SyncFailures {
  /** The API refused to list (RBAC): only an operator can fix that, so it fails at once. */
  refused: (err: AppError) => Error;
  /** No first list within the time: the API is unreachable or slow. */
  timedOut: (why: string, seconds: number) => Error;
  aborted: () => Error;
}

/**
 * Waits for the first list of every watch. Bounded: with the API unreachable it fails after
 * `timeoutMs` with the last error, and at once when a list is refused, instead of waiting for ever.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function watchesSynced(watches: ObjectWatch<any>[], timeoutMs: number, failures: SyncFailures, signal?: AbortSignal): Promise<void> {
  const refusals = watches.map((w) => w.refused());
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      for (const r of refusals) r.cancel();
      fn();
    };
    const onAbort = () => done(() => reject(failures.aborted()));
    const timer = setTimeout(() => {
      const why = watches.map((w) => w.lastError).find(Boolean) ?? "no answer";
      done(() => reject(failures.timedOut(why, Math.round(timeoutMs / 1000))));
    }, timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    for (const r of refusals) void r.promise.then((err) => done(() => reject(failures.refused(err))));
    void Promise.all(watches.map((w) => w.ready())).then(() => done(resolve));
  });
}
