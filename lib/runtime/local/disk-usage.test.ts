import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diskUsage } from "./disk-usage";

const dir = mkdtempSync(path.join(tmpdir(), "berth-du-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("diskUsage", () => {
  it("adds up allocated space in nested folders without following links", async () => {
    const ws = path.join(dir, "ws");
    mkdirSync(path.join(ws, "a", "b"), { recursive: true });
    writeFileSync(path.join(ws, "one.bin"), Buffer.alloc(64 * 1024, 1));
    writeFileSync(path.join(ws, "a", "b", "two.bin"), Buffer.alloc(128 * 1024, 1));
    const before = await diskUsage(ws);
    expect(before).toBeGreaterThanOrEqual(192 * 1024);
    // A link to a big folder elsewhere costs only the link.
    const big = path.join(dir, "big");
    mkdirSync(big);
    writeFileSync(path.join(big, "huge.bin"), Buffer.alloc(1024 * 1024, 1));
    symlinkSync(big, path.join(ws, "link"));
    expect(await diskUsage(ws)).toBeLessThan(before + 64 * 1024);
  });

  it("counts a missing folder as empty", async () => {
    expect(await diskUsage(path.join(dir, "nope"))).toBe(0);
  });
});
