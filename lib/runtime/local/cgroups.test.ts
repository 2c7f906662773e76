import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyLimits, detectCgroups } from "./cgroups";

// Folders shaped like cgroup hierarchies (ordinary files stand in for the kernel's).
const roots: string[] = [];
function root(layout: "v1" | "v2" | "empty"): string {
  const r = mkdtempSync(path.join(tmpdir(), "berth-cg-"));
  roots.push(r);
  if (layout === "v2") writeFileSync(path.join(r, "cgroup.controllers"), "cpu memory");
  if (layout === "v1") {
    mkdirSync(path.join(r, "cpu"));
    mkdirSync(path.join(r, "memory"));
    writeFileSync(path.join(r, "cpu", "cpu.cfs_quota_us"), "-1");
    writeFileSync(path.join(r, "memory", "memory.limit_in_bytes"), "0");
  }
  return r;
}
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const read = (...p: string[]) => readFileSync(path.join(...p), "utf8");
const ID = "3a6d4100-04c5-4cda-9c6d-b316f4a0a901";

describe("detectCgroups", () => {
  it("recognises the unified (v2) and the split (v1) hierarchy", () => {
    const v2 = root("v2");
    expect(detectCgroups(v2)).toEqual({ kind: "v2", root: path.join(v2, "berth") });
    const v1 = root("v1");
    expect(detectCgroups(v1)).toEqual({ kind: "v1", cpu: path.join(v1, "cpu", "berth"), memory: path.join(v1, "memory", "berth") });
  });

  it("says why when there is nothing to use", () => {
    const none = detectCgroups(root("empty"));
    expect(none.kind).toBe("none");
    expect(detectCgroups(path.join(tmpdir(), "berth-no-such-root")).kind).toBe("none");
  });
});

describe("applyLimits", () => {
  it("writes CPU quota, memory limit and the pid (v2)", () => {
    const mode = detectCgroups(root("v2"));
    if (mode.kind !== "v2") throw new Error("expected v2");
    const release = applyLimits(mode, ID, 4242, "500m", "512Mi");
    const dir = path.join(mode.root, ID);
    expect(read(dir, "cpu.max")).toBe("50000 100000");
    expect(read(dir, "memory.max")).toBe(String(512 * 1024 ** 2));
    expect(read(dir, "cgroup.procs")).toBe("4242");
    expect(() => release()).not.toThrow();
  });

  it("writes CPU quota, memory limit and the pid (v1)", () => {
    const mode = detectCgroups(root("v1"));
    if (mode.kind !== "v1") throw new Error("expected v1");
    applyLimits(mode, ID, 99, "2", "2Gi");
    expect(read(mode.cpu, ID, "cpu.cfs_quota_us")).toBe("200000");
    expect(read(mode.cpu, ID, "cpu.cfs_period_us")).toBe("100000");
    expect(read(mode.memory, ID, "memory.limit_in_bytes")).toBe(String(2 * 1024 ** 3));
    expect(read(mode.cpu, ID, "cgroup.procs")).toBe("99");
    expect(read(mode.memory, ID, "cgroup.procs")).toBe("99");
  });

  it("does nothing without cgroups", () => {
    expect(applyLimits({ kind: "none", why: "x" }, ID, 1, "1", "1Gi")()).toBeUndefined();
  });
});
