import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../../../errors";

// One build of a commit at a time across processes on this machine (two Berth processes sharing a
// data folder, or a restart while a build's lock folder is left behind). mkdir is atomic: whoever
// creates the folder holds the lock. The holder's pid is kept inside, so a lock whose process is
// gone (killed mid-build) is taken over instead of blocking that commit for ever.

export interface LockOptions {
  onWait?: () => void;
  /** Give up waiting for another holder after this long. */
  timeoutMs: number;
  pollMs?: number;
}

const OWNERLESS_GRACE_MS = 30_000;

function holderAlive(lockDir: string): boolean {
  let pid: number;
  try {
    pid = Number(JSON.parse(readFileSync(path.join(lockDir, "owner.json"), "utf8")).pid);
  } catch {
    // Just created and not yet written: held. Still without an owner long after: its maker died
    // between the two steps.
    try {
      return Date.now() - statSync(lockDir).mtimeMs < OWNERLESS_GRACE_MS;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Waits for and takes the lock; returns the function that releases it. */
export async function acquireBuildLock(lockDir: string, opts: LockOptions): Promise<() => void> {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + opts.timeoutMs;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, "owner.json"), JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (!holderAlive(lockDir)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!told) {
      told = true;
      opts.onWait?.();
    }
    if (Date.now() > deadline) {
      throw new AppError("timeout", "Another build of this commit is still running after a long wait; try again later.", { reason: "build_busy" });
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}
