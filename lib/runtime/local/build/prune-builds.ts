import { existsSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { log } from "../../../log";
import { buildPaths } from "./build-local";

// Local environments take disk for every commit ever launched. One no server runs on and nobody
// has launched for a while goes; a later launch of that commit builds it again. Built commits are
// `<dataDir>/builds/<commit>/built.json`; its modification time is the last launch.

const COMMIT = /^[0-9a-f]{40}$/;

/** Marks the environment of `commit` as just used, so pruning keeps it. */
export function touchBuild(dataDir: string, commit: string): void {
  const { markerFile } = buildPaths(dataDir, commit);
  const now = new Date();
  try {
    utimesSync(markerFile, now, now);
  } catch {
    // Gone meanwhile: the next launch builds it.
  }
}

/**
 * Removes the environments of commits that no server uses and that were last launched more than
 * `keepMs` ago. Builds in progress (no built.json yet, or a lock held) are left alone.
 */
export function pruneLocalBuilds(dataDir: string, keepMs: number, inUse: Set<string>, now = Date.now()): string[] {
  const root = path.join(dataDir, "builds");
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(root)) {
    if (!COMMIT.test(name) || inUse.has(name)) continue;
    const p = buildPaths(dataDir, name);
    if (!existsSync(p.markerFile) || existsSync(path.join(root, `${name}.lock`))) continue;
    if (now - statSync(p.markerFile).mtimeMs < keepMs) continue;
    rmSync(p.buildDir, { recursive: true, force: true });
    removed.push(name);
  }
  if (removed.length) log.info("removed unused local build environments", { count: removed.length });
  return removed;
}
