import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { installJupyterAuth, SECRET_ENV, upstreamAuthHeaders } from "../jupyter-auth/jupyter-auth";
import type { ServerSpec } from "../types";
import { jupyterArgs, type JupyterCommand } from "./jupyter-command";
import type { LaunchEnvironment } from "./launch-environment";
import type { ProcessRecord } from "./server-record";

// One local server's Jupyter process as Berth starts it: its environment, the tail of what it
// writes (for the reason of a failed start or a crash) and the wait for it to answer.

/** The readiness poll's interval when Jupyter writes nothing to wake it (see waitReady()). */
const READY_POLL_MS = 200;

// Resolves after ms, or at once when signal aborts; never leaves a listener on the signal.
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export interface JupyterLaunch {
  cmd: JupyterCommand;
  env: LaunchEnvironment | undefined;
  identity: { uid: number; gid: number } | undefined;
  home: string;
  runtimeDir: string;
  port: number;
  dataDir: string;
  /** PATH and locale of the host; nothing else of Berth's environment reaches user code */
  hostEnv: { PATH: string; LANG?: string };
}

export type Readiness = "ready" | "exited" | "cancelled" | "timeout";

/** A local server's Jupyter as the runtime follows it: started here, or taken over after a restart. */
export interface Proc {
  pid: number | undefined;
  /** Set for a server taken over from an earlier Berth process: signals go to it only while it is still that process. */
  rec?: ProcessRecord;
  stopping: boolean;
  /** This Berth is shutting down: the server runs on, and its exit is the next process's business. */
  detached: boolean;
  exited: Promise<void>;
  releaseLimits: () => void;
  stderrTail: string[];
  /** Stops following the process without ending it. */
  detach: () => void;
  /** Why it ended, for an exit nobody asked for. */
  exitInfo: () => string;
}

export class JupyterProcess {
  readonly pid: number | undefined;
  /** Its last lines on stderr, the token blanked out. */
  readonly stderrTail: string[] = [];
  readonly exited: Promise<void>;
  /** "signal SIGKILL", "exit code 1", or a spawn error; undefined while it runs. */
  exitInfo: string | undefined;
  private child: ChildProcess;
  private wake: (() => void) | undefined;
  private poked = false;

  constructor(spec: ServerSpec, how: JupyterLaunch) {
    const { cmd, env, identity, home, runtimeDir, port } = how;
    const argv = jupyterArgs(cmd, { port, baseUrl: spec.baseUrl, root: home });
    this.child = spawn(argv[0], argv.slice(1), {
      cwd: home,
      // A session and process group of its own: stop() signals Jupyter and its kernels together,
      // and it outlives Berth (a restart takes it over, see adopt-servers.ts).
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      // Its own uid and group (libuv also drops root's supplementary groups); see identity().
      ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
      env: {
        PATH: env ? `${path.join(env.envDir, "bin")}:${how.hostEnv.PATH}` : how.hostEnv.PATH,
        ...(env ? { VIRTUAL_ENV: env.envDir } : {}),
        LANG: how.hostEnv.LANG ?? "C.UTF-8",
        HOME: home,
        // No passwd entry exists for a server's uid: getpass and friends read these instead.
        USER: spec.user,
        LOGNAME: spec.user,
        SHELL: "/bin/bash",
        // The proxy's secret for Berth's authenticator, which PYTHONPATH finds (both leave the
        // environment before any kernel starts).
        [SECRET_ENV]: spec.token,
        PYTHONPATH: installJupyterAuth(how.dataDir),
        JUPYTER_RUNTIME_DIR: runtimeDir,
        JUPYTERHUB_USER: spec.user,
        JUPYTERHUB_SERVER_NAME: spec.name,
        JUPYTERHUB_SERVICE_PREFIX: spec.baseUrl,
        PYTHONUNBUFFERED: "1",
      } as unknown as NodeJS.ProcessEnv,
    });
    this.pid = this.child.pid;
    // Jupyter logs as it comes up ("… is running at …" once it listens): each chunk it writes
    // wakes the readiness check at once, so readiness is seen when it happens rather than at the
    // next tick of the poll, which stays as the fallback for a command that logs nothing.
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) {
        if (!line.trim()) continue;
        this.stderrTail.push(line.split(spec.token).join("***"));
        if (this.stderrTail.length > 30) this.stderrTail.shift();
      }
      this.poke();
    });
    this.exited = new Promise<void>((resolve) => {
      this.child.on("exit", (code, sig) => {
        this.exitInfo = sig ? `signal ${sig}` : `exit code ${code}`;
        resolve();
        this.poke();
      });
      this.child.on("error", (err) => {
        this.exitInfo = err.message;
        resolve();
        this.poke();
      });
    });
  }

  private poke(): void {
    this.poked = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Berth is going away and Jupyter stays: it must not depend on Berth's end of its stderr. */
  detach(): void {
    this.child.stderr?.destroy();
    this.child.unref();
  }

  /** Waits until Jupyter answers `statusUrl` with OK, exits, the signal aborts or `deadline` (epoch ms) passes. */
  async waitReady(statusUrl: string, token: string, deadline: number, signal: AbortSignal): Promise<Readiness> {
    while (true) {
      if (signal.aborted) return "cancelled";
      if (this.exitInfo) return "exited";
      if (Date.now() > deadline) return "timeout";
      let answered = false;
      try {
        const res = await fetch(statusUrl, { headers: upstreamAuthHeaders(token), signal: AbortSignal.timeout(2000) });
        if (res.ok) return "ready";
        answered = true;
      } catch {
        // not listening yet
      }
      // Output that came while the check above ran counts too: check again at once. Once Jupyter
      // answers (not yet OK), only the poll: it logs each refused request, which must not wake
      // another at once.
      if (answered) await sleep(READY_POLL_MS, signal);
      else if (!this.poked) await Promise.race([sleep(READY_POLL_MS, signal), new Promise<void>((r) => (this.wake = r))]);
      this.poked = false;
      this.wake = undefined;
    }
  }
}
