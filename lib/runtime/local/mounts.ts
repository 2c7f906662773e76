import { execFile } from "node:child_process";
import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

// What the kernel says is mounted, read from /proc/self/mountinfo rather than remembered: a mount
// made by an earlier Berth process (before a restart or a crash) is found the same way as one made
// by this process, and one a CLI process removed is seen gone.

/** Mount points as the kernel lists them (octal escapes such as `\040` for a space undone). */
export function mountPoints(): string[] {
  let text: string;
  try {
    text = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  const points: string[] = [];
  for (const line of text.split("\n")) {
    const field = line.split(" ")[4];
    if (field) points.push(field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return points;
}

/** The path as the kernel names it (symbolic links above it resolved), or the path itself when missing. */
function real(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

export function isMountPoint(dir: string): boolean {
  return mountPoints().includes(real(dir));
}

/**
 * A quick answer for hot paths (the server list asks for every row): a mount point is on another
 * device than its parent folder. Two stat calls instead of reading the whole mount table.
 */
export function looksMounted(dir: string): boolean {
  try {
    return statSync(dir).dev !== statSync(path.dirname(dir)).dev;
  } catch {
    return false;
  }
}

/** Mount points below `dir`, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string): string[] {
  const top = real(dir);
  const prefix = top.endsWith("/") ? top : `${top}/`;
  return mountPoints()
    .filter((m) => m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** Runs a system tool without a shell; rejects with what it wrote to stderr. */
export function runTool(cmd: string, args: string[], timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const said = String(stderr).trim().split("\n").slice(-3).join(" ");
      reject(new Error(`${path.basename(cmd)} failed: ${said || err.message}`));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Unmounts `dir`, waiting a little for processes that are still ending (a kernel killed a moment
 * ago keeps the mount busy until it is reaped). When it stays busy, the mount is detached lazily:
 * it disappears from the tree at once and the kernel finishes when the last user lets go.
 */
export async function unmount(umountCmd: string, dir: string, log?: (msg: string, f: Record<string, unknown>) => void): Promise<void> {
  let last: Error | undefined;
  for (let attempt = 1; attempt <= 8; attempt++) {
    if (!isMountPoint(dir)) return;
    try {
      await runTool(umountCmd, [dir]);
      return;
    } catch (err) {
      last = err as Error;
      await sleep(100 * attempt);
    }
  }
  if (!isMountPoint(dir)) return;
  log?.("a workspace stayed busy; detaching it lazily", { dir, error: last?.message });
  await runTool(umountCmd, ["-l", dir]);
}

/** Unmounts everything below `dir` (a data folder about to be removed: test clean-up, uninstall). */
export async function unmountUnder(dir: string, umountCmd = "umount"): Promise<void> {
  for (const m of mountsUnder(dir)) await unmount(umountCmd, m);
}
