import { readFileSync } from "node:fs";

// What the database keeps of a running local server so that a later Berth process can tell it is
// still the same Jupyter (the server row's runtimeRef, upstream and token): its pid together with
// the process's start time, since a pid alone may have been given to another process since.
// The ref is written "<pid>:<start time in clock ticks since boot>" (/proc/<pid>/stat, field 22);
// an older ref of a bare pid cannot be verified.

export interface ProcessRecord {
  pid: number;
  /** undefined: recorded by an older Berth, or on a system without /proc */
  startTime: string | undefined;
}

/**
 * The process's start time (clock ticks since boot), or undefined when it does not exist, has
 * ended (a zombie nobody has reaped yet) or cannot be read.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain anything, spaces included.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[0] === "Z" || rest[0] === "X" ? undefined : rest[19];
  } catch {
    return undefined;
  }
}

export function formatRef(pid: number): string {
  const start = processStartTime(pid);
  return start ? `${pid}:${start}` : String(pid);
}

export function parseRef(ref: string | null | undefined): ProcessRecord | undefined {
  const m = ref?.match(/^(\d+)(?::(\d+))?$/);
  return m ? { pid: Number(m[1]), startTime: m[2] } : undefined;
}

/** Whether the recorded process exists and is still the one recorded (same start time). */
export function sameProcess(rec: ProcessRecord): boolean {
  if (rec.startTime === undefined) return false;
  return processStartTime(rec.pid) === rec.startTime;
}

/** Whether a process with this pid exists (whoever's it is). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Resolves when the recorded process ends (or its pid now names another process). A server Berth
 * adopted is not its child: nothing tells it of the exit, so it looks every `intervalMs`.
 * `cancel()` stops looking without resolving (this Berth is shutting down).
 */
export function watchProcess(rec: ProcessRecord, intervalMs: number): { ended: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const ended = new Promise<void>((resolve) => {
    const look = () => {
      if (cancelled) return;
      if (!sameProcess(rec)) return resolve();
      timer = setTimeout(look, intervalMs);
      timer.unref();
    };
    look();
  });
  return {
    ended,
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}

/**
 * Whether this process may signal the recorded process: false when it runs as another user than
 * the Berth that started it (the CLI without root while Berth is root). A stop from there would
 * find nothing to end and leave the server running, so callers refuse instead.
 */
export function maySignal(rec: ProcessRecord | undefined): boolean {
  if (!rec) return true;
  try {
    process.kill(rec.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "EPERM";
  }
}
