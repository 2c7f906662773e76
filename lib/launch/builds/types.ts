import type { Provider } from "../repo-spec";

// What the launch flow asks of whoever builds images (DESIGN.md §2): the local runtime builds a
// checkout plus a Python environment in this process; the Kubernetes runtime runs a Job. The
// launch flow (lib/launch/builds/ensure-built.ts) owns the queue, the shared log and the
// database row; a Builder only builds.

export interface BuildRequest {
  /** Deterministic per commit (lib/launch/image-name.ts); also names the Job. */
  imageName: string;
  /** 40 hex digits, already resolved. */
  commit: string;
  /** Where to fetch the commit from (after redirects), already checked. */
  fetchUrl: string;
  provider: Provider;
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
