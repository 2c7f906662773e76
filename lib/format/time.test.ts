import { describe, expect, it } from "vitest";
import { idlePolicyText, idleStopText, relativeTime, timeLeft } from "./time";

const now = Date.parse("2026-12-01T12:00:00Z");
const at = (seconds: number) => new Date(now + seconds * 1000).toISOString();

describe("time texts", () => {
  it("says how long ago", () => {
    expect(relativeTime(null, now)).toBe("never");
    expect(relativeTime(at(-10), now)).toBe("just now");
    expect(relativeTime(at(-60), now)).toBe("a minute ago");
    expect(relativeTime(at(-600), now)).toBe("10 minutes ago");
    expect(relativeTime(at(-3 * 3600), now)).toBe("3 hours ago");
  });

  it("never says 'in 0 min' beside 'just now'", () => {
    expect(timeLeft(null, now)).toBeNull();
    expect(timeLeft(at(59), now)).toBe("under a minute");
    expect(timeLeft(at(0), now)).toBe("now");
    expect(timeLeft(at(-30), now)).toBe("now");
    expect(timeLeft(at(125), now)).toBe("2 min");
    expect(timeLeft(at(2 * 3600), now)).toBe("2 h 0 min");
    expect(idleStopText(at(40), now)).toBe("in under a minute without activity");
    expect(idleStopText(at(-5), now)).toBe("due now, without activity");
    expect(idleStopText(null, now)).toBeNull();
  });

  it("states the idle policy with the right plural", () => {
    expect(idlePolicyText(0)).toBe("Servers keep running until you stop them.");
    expect(idlePolicyText(60)).toBe("Servers stop after 1 minute without activity; their files are kept.");
    expect(idlePolicyText(300)).toBe("Servers stop after 5 minutes without activity; their files are kept.");
    expect(idlePolicyText(3600)).toBe("Servers stop after 1 hour without activity; their files are kept.");
    expect(idlePolicyText(7200)).toBe("Servers stop after 2 hours without activity; their files are kept.");
    expect(idlePolicyText(5400)).toBe("Servers stop after 1 h 30 min without activity; their files are kept.");
    expect(idlePolicyText(30)).toBe("Servers stop after 30 seconds without activity; their files are kept.");
    // Profiles with their own timeouts: the range that applies, and "never" for a profile with 0.
    expect(idlePolicyText([7200, 7200])).toBe("Servers stop after 2 hours without activity; their files are kept.");
    expect(idlePolicyText([7200, 600])).toBe("Servers stop after their profile's time without activity (10 minutes to 2 hours); their files are kept.");
    expect(idlePolicyText([7200, 0])).toBe("Servers stop after their profile's time without activity (2 hours, or never); their files are kept.");
    expect(idlePolicyText([0, 600, 5400, 7200])).toBe("Servers stop after their profile's time without activity (10 minutes to 2 hours, or never); their files are kept.");
  });
});
