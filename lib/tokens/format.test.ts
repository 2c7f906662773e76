import { describe, expect, it } from "vitest";
import { expiryChoices, formatDate, formatSpan } from "./format";

describe("token page formats", () => {
  it("offers expiries up to the operator's maximum, and the maximum itself", () => {
    expect(expiryChoices(365 * 86_400).map((c) => c.seconds)).toEqual([86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400, 365 * 86_400]);
    const short = expiryChoices(10 * 86_400);
    expect(short.map((c) => c.seconds)).toEqual([86_400, 7 * 86_400, 10 * 86_400]);
    expect(short[2].label).toBe("10 days (the most allowed)");
    expect(expiryChoices(3600)).toEqual([{ seconds: 3600, label: "1 hour (the most allowed)" }]);
  });

  it("offers 'Never' only when there is no maximum", () => {
    expect(expiryChoices(0).at(-1)).toEqual({ seconds: null, label: "Never" });
    expect(expiryChoices(30 * 86_400).some((c) => c.seconds === null)).toBe(false);
  });

  it("writes dates the same everywhere", () => {
    expect(formatDate("2026-12-01T03:05:00.000Z")).toBe("1 Dec 2026, 03:05 UTC");
    expect(formatDate(null)).toBe("Never");
    expect(formatSpan(90)).toBe("90 seconds");
    expect(formatSpan(7200)).toBe("2 hours");
  });
});
