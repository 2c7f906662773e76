import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pruneLocalBuilds, touchBuild } from "./prune-builds";

const DAY = 86_400_000;
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function dataDir() {
  const d = mkdtempSync(path.join(tmpdir(), "berth-prune-"));
  dirs.push(d);
  return d;
}

function built(dir: string, commit: string, daysAgo: number, finished = true) {
  const b = path.join(dir, "builds", commit);
  mkdirSync(path.join(b, "env"), { recursive: true });
  if (finished) {
    writeFileSync(path.join(b, "built.json"), "{}");
    const t = new Date(Date.now() - daysAgo * DAY);
    utimesSync(path.join(b, "built.json"), t, t);
  }
  return b;
}

describe("pruneLocalBuilds", () => {
  it("removes old environments no server uses; keeps recent, in use, unfinished and locked ones", () => {
    const d = dataDir();
    const [old, recent, used, building, locked] = ["a", "b", "c", "d", "e"].map((ch) => ch.repeat(40));
    built(d, old, 40);
    built(d, recent, 3);
    built(d, used, 90);
    built(d, building, 90, false);
    built(d, locked, 90);
    mkdirSync(path.join(d, "builds", `${locked}.lock`));
    mkdirSync(path.join(d, "builds", "not-a-commit"));

    expect(pruneLocalBuilds(d, 30 * DAY, new Set([used]))).toEqual([old]);
    expect(existsSync(path.join(d, "builds", old))).toBe(false);
    for (const kept of [recent, used, building, locked, "not-a-commit"]) expect(existsSync(path.join(d, "builds", kept))).toBe(true);
  });

  it("a launch renews an environment's lease", () => {
    const d = dataDir();
    const commit = "f".repeat(40);
    built(d, commit, 40);
    touchBuild(d, commit);
    expect(pruneLocalBuilds(d, 30 * DAY, new Set())).toEqual([]);
    // Nothing there at all is fine too.
    expect(pruneLocalBuilds(dataDir(), DAY, new Set())).toEqual([]);
  });
});
