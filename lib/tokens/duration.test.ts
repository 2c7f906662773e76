import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration";

const DAY = 86_400;

describe("parseDuration", () => {
  it("reads the CLI's --expires-in", () => {
    expect(parseDuration("30d")).toBe(30 * DAY);
    expect(parseDuration("12h")).toBe(12 * 3600);
    expect(parseDuration("90m")).toBe(5400);
    expect(parseDuration("2w")).toBe(14 * DAY);
    expect(parseDuration("3600")).toBe(3600);
    expect(parseDuration(" 45s ")).toBe(45);
  });

  it("refuses what is not a duration, with examples", () => {
    for (const t of ["", "0d", "-1d", "1y", "1.5d", "d", "30 days"]) expect(() => parseDuration(t)).toThrow(/30d/);
  });
});
