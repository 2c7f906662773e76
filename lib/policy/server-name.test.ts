import { describe, expect, it } from "vitest";
import { checkServerName } from "./server-name";

describe("checkServerName", () => {
  it.each(["a", "analysis", "run-2", "a1-b2-c3", "x".repeat(20)])("accepts %s", (name) => {
    expect(checkServerName(name)).toEqual({ ok: true });
  });

  it.each([
    ["", "Enter a name"],
    ["x".repeat(21), "at most 20 characters (this one has 21)"],
    ["Analysis", "lowercase"],
    ["1st", "Start the name with a letter"],
    ["-a", "Start the name with a letter"],
    ["a_b", "only lowercase letters, digits and hyphens"],
    ["a b", "only lowercase letters, digits and hyphens"],
    ["a--b", "single hyphens"],
    ["ab-", "End the name with a letter or digit"],
    ["lab", "Jupyter path"],
    ["a/../b", "only lowercase letters"],
  ])("rejects %j with a reason", (name, reason) => {
    const r = checkServerName(name);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it("honours a configured maximum length", () => {
    expect(checkServerName("abcdef", 5).ok).toBe(false);
    expect(checkServerName("abcde", 5).ok).toBe(true);
  });

  it("agrees with the database constraint's pattern on every accepted name", () => {
    const dbPattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
    const alphabet = "ab1-";
    for (let i = 0; i < 2000; i++) {
      let s = "";
      const len = 1 + (i % 7);
      for (let j = 0; j < len; j++) s += alphabet[(i * 7 + j * 13 + (i >> j)) % alphabet.length];
      if (checkServerName(s).ok) expect(dbPattern.test(s)).toBe(true);
    }
  });
});
