import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isMountPoint, looksMounted, mountPoints, mountsUnder } from "./mounts";

describe("the kernel's mount table", () => {
  it("lists the root and /proc, and knows a plain folder is no mount point", () => {
    const points = mountPoints();
    expect(points).toContain("/");
    expect(points).toContain("/proc");
    expect(isMountPoint("/proc")).toBe(true);
    expect(looksMounted("/proc")).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), "berth-mounts-"));
    try {
      expect(isMountPoint(dir)).toBe(false);
      expect(looksMounted(dir)).toBe(false);
      expect(mountsUnder(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("lists what is below a folder, deepest first", () => {
    const below = mountsUnder("/");
    expect(below.length).toBeGreaterThan(0);
    for (let i = 1; i < below.length; i++) expect(below[i - 1].length).toBeGreaterThanOrEqual(below[i].length);
  });
});
