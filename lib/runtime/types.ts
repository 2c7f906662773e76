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

export interface Runtime {
  readonly kind: "local" | "kubernetes";
  /** Local servers are Berth's child processes and stop with it; pods outlive a restart. */
  readonly stopsServersOnShutdown: boolean;
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
  /** Stop everything (process shutdown). */
  shutdown(): Promise<void>;
}
