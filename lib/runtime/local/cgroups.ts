import { existsSync, mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseBytes, parseCpu } from "../../policy/quantity";

// CPU and memory limits for local servers: cgroup v2 when the unified hierarchy is writable,
// else cgroup v1 cpu + memory controllers, else none (and the dashboard says so).

export type CgroupMode = { kind: "v2"; root: string } | { kind: "v1"; cpu: string; memory: string } | { kind: "none"; why: string };

function writable(dir: string): boolean {
  const probe = path.join(dir, `berth-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

export function detectCgroups(root: string): CgroupMode {
  if (existsSync(path.join(root, "cgroup.controllers"))) {
    if (!writable(root)) return { kind: "none", why: `${root} is not writable by Berth` };
    return { kind: "v2", root: path.join(root, "berth") };
  }
  const cpu = path.join(root, "cpu");
  const memory = path.join(root, "memory");
  if (existsSync(path.join(cpu, "cpu.cfs_quota_us")) && existsSync(path.join(memory, "memory.limit_in_bytes"))) {
    if (!writable(cpu) || !writable(memory)) return { kind: "none", why: `${root} is not writable by Berth` };
    return { kind: "v1", cpu: path.join(cpu, "berth"), memory: path.join(memory, "berth") };
  }
  return { kind: "none", why: "this host has no cgroup hierarchy Berth can use" };
}

/** Puts pid under limits; returns a cleanup function. Throws if the host refuses. */
export function applyLimits(mode: CgroupMode, serverId: string, pid: number, cpu: string, memory: string): () => void {
  const period = 100_000;
  const quota = Math.max(1000, Math.round(parseCpu(cpu) * period));
  const bytes = parseBytes(memory);
  if (mode.kind === "v2") {
    mkdirSync(mode.root, { recursive: true });
    // Controllers must be enabled in the parent before a child group can use them.
    try {
      writeFileSync(path.join(path.dirname(mode.root), "cgroup.subtree_control"), "+cpu +memory");
      writeFileSync(path.join(mode.root, "cgroup.subtree_control"), "+cpu +memory");
    } catch {
      // already enabled, or delegated by the host: the writes below tell whether it works
    }
    const dir = path.join(mode.root, serverId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "cpu.max"), `${quota} ${period}`);
    writeFileSync(path.join(dir, "memory.max"), String(bytes));
    writeFileSync(path.join(dir, "cgroup.procs"), String(pid));
    return () => removeDir(dir);
  }
  if (mode.kind === "v1") {
    const cpuDir = path.join(mode.cpu, serverId);
    const memDir = path.join(mode.memory, serverId);
    mkdirSync(cpuDir, { recursive: true });
    mkdirSync(memDir, { recursive: true });
    writeFileSync(path.join(cpuDir, "cpu.cfs_period_us"), String(period));
    writeFileSync(path.join(cpuDir, "cpu.cfs_quota_us"), String(quota));
    writeFileSync(path.join(memDir, "memory.limit_in_bytes"), String(bytes));
    writeFileSync(path.join(cpuDir, "cgroup.procs"), String(pid));
    writeFileSync(path.join(memDir, "cgroup.procs"), String(pid));
    return () => {
      removeDir(cpuDir);
      removeDir(memDir);
    };
  }
  return () => undefined;
}

/**
 * Removes the server's group(s) once its processes are gone: for a server taken over from an
 * earlier Berth process, which holds no cleanup function from applyLimits.
 */
export function releaseLimits(mode: CgroupMode, serverId: string): void {
  if (mode.kind === "v2") removeDir(path.join(mode.root, serverId));
  if (mode.kind === "v1") {
    removeDir(path.join(mode.cpu, serverId));
    removeDir(path.join(mode.memory, serverId));
  }
}

function removeDir(dir: string) {
  try {
    rmdirSync(dir);
  } catch {
    // still has members for a moment after the last process exits; a later start reuses it
  }
}
