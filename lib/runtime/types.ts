import type { Profile } from "../config";
import type { StorageReading } from "./storage-meter";

export type { StorageReading };

// What the services ask of a runtime; they never know which one they drive (DESIGN.md §2).

export interface ServerSpec {
  serverId: string;
  user: string;
  /** "" for the default server */
  name: string;
  /** "/user/<user>/" or "/user/<user>/<name>/" */
  baseUrl: string;
  /** the upstream Jupyter's secret; the proxy adds it, browsers never see it */
  token: string;
  profile: Profile;
  /**
   * A launched repository's environment: the image built for its commit (Kubernetes) or the
   * environment built for it on this machine (local). Absent for a plain server.
   */
  environment?: { image: string; commit: string };
}

export interface StartedServer {
  /** where the proxy sends traffic, e.g. http://127.0.0.1:43121 */
  upstream: string;
  /** runtime's own handle (a pid, a pod name), kept in the database for reconciliation */
  ref: string;
}

export interface RuntimeCapabilities {
  limitsEnforced: boolean;
  /** said on the dashboard when limits are not enforced */
  limitsNote?: string;
  /** said on the dashboard when servers are not isolated from each other (local runtime, Berth not root) */
  isolationNote?: string;
  /** said on the dashboard when storage is measured but not enforced (local runtime without root or loop devices) */
  storageNote?: string;
}

export type ExitListener = (serverId: string, reason: string) => void;

/** A server the database says was busy (starting, running, stopping, deleting) when this Berth process started. */
export interface LeftServer {
  serverId: string;
  state: "starting" | "running" | "stopping" | "deleting";
  /** what start() returned as `ref`, when it returned */
  ref: string | null;
  upstream: string | null;
  token: string;
  baseUrl: string;
}

/**
 * What recover() did with one server: kept (it runs on, as Berth's, and is watched again) or ended
 * (nothing of it runs any more; `reason` says why, for the person who owns it).
 */
export type Recovered = { serverId: string; kept: true } | { serverId: string; kept: false; reason: string };

export type ServerState = "stopped" | "starting" | "running" | "stopping" | "deleting" | "failed";

export interface ReconcileInput {
  /** every server the database holds, by id, as read at the start of the pass */
  states: ReadonlyMap<string, ServerState>;
  /** the server's state as the database holds it now (a start may have begun since `states` was read); null when it is gone */
  currentState(serverId: string): Promise<ServerState | null>;
  now: number;
}

/** Something the reconciler's runtime pass removed: its name, whose it was, and the audit trail's note. */
export interface Removed {
  name: string;
  serverId?: string;
  note: string;
}

export interface ReconcileResult {
  /** what the runtime ended because it belongs to no server meant to run (pods) */
  ended: Removed[];
  /** storage of no server, deleted after its grace period */
  storageDeleted: Removed[];
  /** storage of no server, waiting out its grace period */
  storagePending: string[];
}

export interface Runtime {
  readonly kind: "local" | "kubernetes";
  /** Which Jupyter interface servers run: decides where a launch's path opens (lab/tree/… or tree/…). */
  jupyterInterface(): "lab" | "notebook";
  /** Resolves when Jupyter answers; rejects with a reason a person can act on. Leaves nothing running on failure. */
  start(spec: ServerSpec, onProgress: (message: string) => void, signal: AbortSignal): Promise<StartedServer>;
  /** Stops the server, keeps its storage. Idempotent. */
  stop(serverId: string): Promise<void>;
  /** Stops the server and removes its storage. Idempotent. */
  remove(serverId: string): Promise<void>;
  /** Is the server's process/pod alive right now? */
  isAlive(serverId: string, ref: string | null): Promise<boolean>;
  /**
   * How a server the database says is running, but is not alive, ended: whether it failed, what
   * its owner reads, and the audit trail's note.
   */
  howEnded(serverId: string): { failed: boolean; reason: string; note: string };
  /**
   * Bytes of storage used at most ~30 s ago, or undefined when unknown; waits for a measurement
   * when none is that recent (for confirmations that name what a delete loses).
   */
  storageUsed(serverId: string): Promise<number | undefined>;
  /**
   * Storage use from memory, never waiting: the last figure (null before the first one, or when
   * the runtime cannot measure), refreshed in the background when older than ~30 s. What lists
   * and polled pages call.
   */
  storageUsage(serverId: string): StorageReading;
  capabilities(): RuntimeCapabilities;
  /** Called when a running server dies without being asked to. */
  onUnexpectedExit(listener: ExitListener): void;
  /**
   * At start-up, before anything is served: what an earlier Berth process left busy. The runtime
   * keeps what it can verify is still that server, running and answering, and ends the rest
   * (never anything that is not Berth's). Servers it does not list are settled by reconcile()
   * (Kubernetes: pods outlive Berth and the reconciler adopts them).
   */
  recover(left: LeftServer[]): Promise<Recovered[]>;
  /** Periodic (leader): ends what the runtime runs or keeps for no server meant to have it. */
  reconcile(input: ReconcileInput): Promise<ReconcileResult>;
  /** Periodic (leader) clean-up of what the runtime keeps for itself (local: environments of commits no server uses). */
  housekeeping(): Promise<void>;
  /** Whether builds run inside this process, so any unfinished at start-up are over. */
  readonly buildsInProcess: boolean;
  /** What builds run in (BinderHub's builder_info on /versions), and whether they need a container registry. */
  readonly buildInfo: { image: string; needsRegistry: boolean };
  /** The builder of launched repositories' environments for this runtime. */
  builder(): Promise<Builder>;
  /**
   * Whether this process may stop the server whose handle is `ref` (false: the CLI without root
   * while Berth is root would find nothing to end; callers refuse instead).
   */
  canStop(ref: string | null): boolean;
  /** Whether shutdown() ends the servers (local runtime with BERTH_STOP_SERVERS_ON_SHUTDOWN). */
  readonly stopsServersOnShutdown: boolean;
  /**
   * Process shutdown: stops watching. Servers keep running (a restart, an upgrade): the next
   * Berth process recovers them (local) or the reconciler adopts them (pods). Unless
   * stopsServersOnShutdown: then it stops them, keeping their storage.
   */
  shutdown(): Promise<void>;
}

// --- builds ---------------------------------------------------------------------------------------

// What the launch flow asks of whoever builds images (DESIGN.md §2): the local runtime builds a
// checkout plus a Python environment in this process; the Kubernetes runtime runs a Job. The
// launch flow (its builds/ensure-built.ts) owns the queue, the shared log and the
// database row; a Builder only builds.

export interface BuildRequest {
  /** Deterministic per commit (lib/registry/image-name.ts); also names the Job. */
  imageName: string;
  /** 40 hex digits, already resolved. */
  commit: string;
  /** Where to fetch the commit from (after redirects), already checked. */
  fetchUrl: string;
  /** The launch's provider (gh, gl, gist or git), recorded with the build. */
  provider: string;
  /** The repository as the provider names it (owner/repo, a URL for git). */
  repo: string;
}

export interface BuildOptions {
  /** Aborted when an administrator cancels the build: the build itself is stopped (processes, Job). */
  cancel?: AbortSignal;
  /** Build although the image exists (an administrator's rebuild). */
  force?: boolean;
}

export interface Builder {
  readonly kind: "local" | "kubernetes";
  /** Whether `req`'s image (or local environment) exists already, so no build is needed. */
  isBuilt(req: BuildRequest): Promise<boolean>;
  /**
   * Builds `req`, or attaches to the build of the same image that is already running (started
   * by this process, another replica, or a Berth process that has since restarted). Calls `onLog`
   * with each log line, the lines so far first when attaching. Resolves once the image exists;
   * rejects with an AppError whose message says what failed and what to do. `signal` only stops
   * this caller from following the build; the build itself carries on.
   */
  build(req: BuildRequest, onLog: (line: string) => void, signal: AbortSignal, opts?: BuildOptions): Promise<void>;
  /** Stops the build of `imageName` wherever it runs (Kubernetes: deletes its Job); false when there was none. */
  cancelJob?(imageName: string): Promise<boolean>;
  /** Stops following builds (process shutdown); what runs in the cluster carries on. */
  shutdown?(): void;
}
