import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { finishContainers } from "./status";
import { HOME_IN_IMAGE, MARKER_ENV, sleep, type PodRun, type SimContext } from "./types";

// Container processes: a server pod's notebook container runs for real as a child process, marked
// with the pod's uid in its environment (a container's cgroup).

/** Processes carrying a pod's marker (its container and whatever that started): a container's cgroup. */
export function markedProcesses(uid: string): number[] {
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

/** Live processes of all pods (stray ones after a test are a bug). */
export function allPodProcesses(): number[] {
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

/** The processes of each of these pods (by uid), in one pass over /proc. */
function markedByPod(uids: Set<string>): number[] {
  const prefix = `${MARKER_ENV}=`;
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const marker = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").find((e) => e.startsWith(prefix));
      if (marker && uids.has(marker.slice(prefix.length))) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

const alive = (r: PodRun) => Boolean(r.child && r.child.exitCode === null && r.child.signalCode === null);

/**
 * killContainers for many pods at once (the simulator stopping with hundreds of pods): one scan
 * of /proc per step for all of them instead of one per pod.
 */
export async function killAllContainers(runs: PodRun[], graceMs: number) {
  const uids = new Set(runs.map((r) => r.uid));
  const signal = (sig: NodeJS.Signals) => {
    for (const r of runs) {
      if (r.child?.pid && alive(r)) {
        try {
          process.kill(-r.child.pid, sig);
        } catch {
          // group already gone
        }
      }
    }
    for (const pid of markedByPod(uids)) {
      try {
        process.kill(pid, sig);
      } catch {
        // gone
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (runs.some(alive) || markedByPod(uids).length)) await sleep(100);
  signal("SIGKILL");
  await Promise.all(runs.map((r) => r.exited));
  while (markedByPod(uids).length) await sleep(20);
}

export function signalAll(run: PodRun, signal: NodeJS.Signals) {
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

/** SIGTERM, up to graceMs to go, then SIGKILL; returns once none of the pod's processes is left. */
export async function killContainers(r: PodRun, graceMs: number) {
  if (!r.child && markedProcesses(r.uid).length === 0) return;
  signalAll(r, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && ((r.child && r.child.exitCode === null && r.child.signalCode === null) || markedProcesses(r.uid).length)) await sleep(50);
  signalAll(r, "SIGKILL");
  await r.exited;
  while (markedProcesses(r.uid).length) await sleep(20);
}

/** Starts the notebook container: its args and env from the pod spec, home = the volume's folder, the pod IP. */
export function spawnNotebook(ctx: SimContext, pod: V1Pod, r: PodRun) {
  const c = pod.spec!.containers.find((x) => x.name === "notebook")!;
  const home = r.hostPath ?? path.join(ctx.volumeDir, `ephemeral-${r.uid}`);
  mkdirSync(home, { recursive: true });
  const rewrite = (a: string) =>
    a
      .replace(/^(--(?:NotebookApp|ServerApp)\.ip=).*$/, `$1${r.ip}`)
      .replace(/^--ip=.*$/, `--ip=${r.ip}`)
      .split(HOME_IN_IMAGE)
      .join(home);
  const argv = [...(c.command ?? []), ...(c.args ?? [])].map(rewrite);
  const env: Record<string, string> = { ...(ctx.opts.baseEnv ?? { PATH: process.env.PATH ?? "/usr/bin:/bin" }) };
  for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = rewrite(e.value);
  env.HOME = home;
  env[MARKER_ENV] = r.uid;
  const sc = { ...pod.spec!.securityContext, ...c.securityContext };
  // As the pod asks (uid 1000, group 100) when this process may switch users.
  const asUser = process.getuid?.() === 0 && sc.runAsUser !== undefined ? { uid: sc.runAsUser, gid: sc.runAsGroup ?? 100 } : {};
  // A container's own /tmp (what the pod's command writes there stays with the simulator's files).
  const tmp = path.join(ctx.volumeDir, `tmp-${r.uid}`);
  mkdirSync(tmp, { recursive: true, mode: 0o1777 });
  chmodSync(tmp, 0o1777);
  env.TMPDIR = tmp;
  const logFile = path.join(ctx.logDir, `${r.namespace}_${r.name}_${r.uid}.log`);
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
      if (r.state === "deleting" || ctx.isStopped()) return;
      // The container ended on its own (or was killed by the test): report it like a kubelet.
      const exitCode = code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 1);
      const reason = r.killReason ?? (exitCode === 0 ? "Completed" : "Error");
      const latest = ctx.latest.get(r.uid) ?? pod;
      void finishContainers(ctx.core, latest, r, exitCode, reason).catch(() => undefined);
    });
  });
}
