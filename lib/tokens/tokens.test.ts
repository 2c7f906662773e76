import { describe, expect, it } from "vitest";
import { tokenExpiry } from "./tokens";
import { refusal } from "../../test/helpers/refusal";

const NOW = Date.parse("2026-12-01T00:00:00Z");
const DAY = 86_400;

describe("tokenExpiry", () => {
  it("gives a token the operator's maximum when none is asked for", () => {
    expect(tokenExpiry(undefined, 30 * DAY, null, NOW)?.toISOString()).toBe("2026-12-31T00:00:00.000Z");
    expect(tokenExpiry(null, 0, null, NOW)).toBeNull();
  });

  it("keeps an asked-for expiry within the maximum, naming it when refusing", () => {
    expect(tokenExpiry(3600, 30 * DAY, null, NOW)?.toISOString()).toBe("2026-12-01T01:00:00.000Z");
    expect(tokenExpiry(30 * DAY, 30 * DAY, null, NOW)?.toISOString()).toBe("2026-12-31T00:00:00.000Z");
    const e = refusal(() => tokenExpiry(30 * DAY + 1, 30 * DAY, null, NOW));
    expect(e.status).toBe(422);
    expect(e.message).toContain("30 days");
    expect(e.message).toContain("BERTH_TOKEN_MAX_AGE_SECONDS");
    // No maximum: anything positive.
    expect(tokenExpiry(10_000 * DAY, 0, null, NOW)).not.toBeNull();
  });

  it("refuses nonsense", () => {
    for (const s of [0, -5, 1.5, Number.NaN]) expect(refusal(() => tokenExpiry(s, 0, null, NOW)).status).toBe(422);
  });

  it("never lets a token mint one that outlives it", () => {
    const parent = new Date(NOW + 2 * DAY * 1000);
    // Default: the parent's expiry when it comes before the maximum.
    expect(tokenExpiry(undefined, 30 * DAY, parent, NOW)).toEqual(parent);
    expect(tokenExpiry(undefined, 0, parent, NOW)).toEqual(parent);
    expect(tokenExpiry(undefined, DAY, parent, NOW)?.toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(tokenExpiry(DAY, 30 * DAY, parent, NOW)?.toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(refusal(() => tokenExpiry(3 * DAY, 30 * DAY, parent, NOW)).message).toMatch(/cannot create one that lasts longer/);
  });
});
