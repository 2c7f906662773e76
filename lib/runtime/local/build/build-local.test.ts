import { describe, expect, it } from "vitest";
import { buildPaths, cappedLog } from "./build-local";

describe("cappedLog", () => {
  it("stores lines up to the cap, then says where it stopped", () => {
    const log = cappedLog(1024);
    for (let i = 0; i < 100; i++) log.add(`line ${i} ${"x".repeat(40)}`);
    const text = log.text();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024 + 40);
    expect(text.startsWith("line 0 ")).toBe(true);
    expect(text.endsWith("… (log cut at 1024 bytes)")).toBe(true);
  });
});

describe("buildPaths", () => {
  it("places a build under <dataDir>/builds/<commit> and takes only a full commit id", () => {
    const c = "a".repeat(40);
    expect(buildPaths("/data", c)).toEqual({
      buildDir: `/data/builds/${c}`,
      repoDir: `/data/builds/${c}/repo`,
      envDir: `/data/builds/${c}/env`,
      homeDir: `/data/builds/${c}/home`,
      markerFile: `/data/builds/${c}/built.json`,
    });
    for (const bad of ["../../etc", "HEAD", c.toUpperCase(), `${c}/..`]) expect(() => buildPaths("/data", bad)).toThrow(/40-character commit/);
  });
});
