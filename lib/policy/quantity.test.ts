import { describe, expect, it } from "vitest";
import { formatBytes, parseBytes, parseCpu } from "./quantity";

describe("quantities", () => {
  it("parses memory and storage", () => {
    expect(parseBytes("2Gi")).toBe(2 * 1024 ** 3);
    expect(parseBytes("512Mi")).toBe(512 * 1024 ** 2);
    expect(parseBytes("1G")).toBe(1e9);
    expect(parseBytes("100")).toBe(100);
    expect(() => parseBytes("2 GB")).toThrow(/not a quantity/);
  });
  it("parses CPU", () => {
    expect(parseCpu("1")).toBe(1);
    expect(parseCpu("500m")).toBe(0.5);
    expect(parseCpu("0.25")).toBe(0.25);
  });
  it("formats bytes for people", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2.0 GiB");
    expect(formatBytes(20 * 1024 ** 2)).toBe("20 MiB");
  });
});
