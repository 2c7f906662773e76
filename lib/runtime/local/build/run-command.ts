import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";

// Every program a local build runs goes through here: an argv array (never a shell line, so no
// text from a repository or a user is ever parsed as shell), an environment built by the caller
// from nothing (Berth's own settings and secrets never reach repository code), and a deadline that
// kills the whole process group, so a postBuild that forks cannot outlive its build.

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Each output line (stdout and stderr), as it comes. */
  onLine?: (line: string) => void;
  /** Aborting kills the whole process group (an administrator cancelled the build). */
  signal?: AbortSignal;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The last lines of output, for error messages. */
  tail: string[];
}

const TAIL_LINES = 20;

export function runCommand(command: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const tail: string[] = [];
    const line = (l: string) => {
      tail.push(l);
      if (tail.length > TAIL_LINES) tail.shift();
      opts.onLine?.(l);
    };
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      // detached: its own process group, so the deadline can kill every descendant at once.
      child = spawn(command, args, { cwd: opts.cwd, // Only what the caller chose: typed loosely because NODE_ENV is deliberately absent.
        env: opts.env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"], detached: true, shell: false });
    } catch (err) {
      resolve({ code: null, signal: null, timedOut: false, tail: [`could not start ${command}: ${(err as Error).message}`] });
      return;
    }
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    if (opts.signal?.aborted) killGroup();
    else opts.signal?.addEventListener("abort", killGroup, { once: true });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (rest + chunk).split(/\r?\n|\r/);
        rest = parts.pop() ?? "";
        for (const p of parts) line(p);
      });
      stream.on("end", () => {
        if (rest) line(rest);
        rest = "";
      });
    }
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut, tail: [...tail, `could not start ${command}: ${err.message}`] });
    });
    // When the program ends, what it left running in its group goes too (as when a Docker RUN
    // step ends); otherwise a background child holding the output pipe would hold the build.
    child.on("exit", killGroup);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", killGroup);
      resolve({ code, signal, timedOut, tail });
    });
  });
}
