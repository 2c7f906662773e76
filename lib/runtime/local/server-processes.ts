import { readdirSync, readFileSync } from "node:fs";

// Finding and ending a local server's processes. Jupyter's process group is not enough to find
// everything a server started: jupyter_client starts each kernel in a session of its own, and user
// code can detach further (setsid, nohup, daemons). All of them inherit JUPYTER_RUNTIME_DIR, which
// names the server's own folder, and when Berth is root all of them run as the server's uid.
// Linux only (/proc); elsewhere the process group is all there is.

/** Pids (other than this process) whose /proc entry `matches` accepts. */
function scanProc(matches: (pid: string) => boolean): number[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (matches(name)) pids.push(Number(name));
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

/** Pids of the processes whose environment holds `entry` exactly. */
export function processesWithEnv(entry: string): number[] {
  return scanProc((pid) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(entry));
}

/** Pids of the processes running as `uid` (real, effective, saved or file-system): a server's processes can drop the runtime-folder marker from their environment, not their uid. */
export function processesOfUid(uid: number): number[] {
  const wanted = String(uid);
  return scanProc((pid) => {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^Uid:\s+(.*)$/m);
    return Boolean(line && line[1].split(/\s+/).includes(wanted));
  });
}

/** Every process of one server: its runtime folder in their environment, or its own uid. */
export function serverProcesses(runtimeDir: string, uid: number | undefined): number[] {
  const entry = `JUPYTER_RUNTIME_DIR=${runtimeDir}`;
  return [...new Set([...processesWithEnv(entry), ...(uid === undefined ? [] : processesOfUid(uid))])];
}

interface ProcEntry {
  pid: number;
  /** The Uid: line of /proc/<pid>/status (real, effective, saved, file-system). */
  uids: string[];
  environ: string[];
}

let nextSnapshot: Promise<ProcEntry[]> | undefined;

/**
 * Every process's uids and environment, read in one pass that every caller waiting for it shares.
 * A caller always gets a pass that starts after its call (so it sees every process that existed
 * when it asked); callers arriving together — a burst of starts — share one pass instead of each
 * reading every process's files on the event loop in turn.
 */
function procSnapshot(): Promise<ProcEntry[]> {
  nextSnapshot ??= new Promise<ProcEntry[]>((resolve) => {
    setImmediate(() => {
      nextSnapshot = undefined;
      const entries: ProcEntry[] = [];
      scanProc((pid) => {
        let uids: string[] = [];
        let environ: string[] = [];
        try {
          uids = readFileSync(`/proc/${pid}/status`, "utf8").match(/^Uid:\s+(.*)$/m)?.[1].split(/\s+/) ?? [];
        } catch {
          // gone, or not ours to read
        }
        try {
          environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
        } catch {
          // likewise
        }
        entries.push({ pid: Number(pid), uids, environ });
        return false;
      });
      resolve(entries);
    });
  });
  return nextSnapshot;
}

/** serverProcesses() through a shared pass over /proc (see procSnapshot). */
export async function serverProcessesShared(runtimeDir: string, uid: number | undefined): Promise<number[]> {
  const entry = `JUPYTER_RUNTIME_DIR=${runtimeDir}`;
  const wanted = uid === undefined ? undefined : String(uid);
  return (await procSnapshot()).filter((p) => (wanted !== undefined && p.uids.includes(wanted)) || p.environ.includes(entry)).map((p) => p.pid);
}

/** killAll() with an asynchronous finder: passes until none is left (at most 5). */
export async function killAllShared(find: () => Promise<number[]>): Promise<void> {
  for (let pass = 0; pass < 5; pass++) {
    const pids = await find();
    if (pids.length === 0) return;
    signalAll(pids, "SIGKILL");
  }
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

/** SIGKILLs what `find` names; a process may fork while we look, so a few passes catch its children. */
export function killAll(find: () => number[]): void {
  for (let pass = 0; pass < 5; pass++) {
    const pids = find();
    if (pids.length === 0) return;
    signalAll(pids, "SIGKILL");
  }
}

/** Asks what `find` names to end (SIGTERM: Jupyter shuts its kernels down), then kills what is left after `graceMs`. */
export async function endGracefully(find: () => number[], graceMs: number): Promise<void> {
  const pids = find();
  if (pids.length) {
    signalAll(pids, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && find().length) await new Promise((r) => setTimeout(r, 200));
  }
  killAll(find);
}
