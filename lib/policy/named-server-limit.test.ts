import { describe, expect, it } from "vitest";
import { namedServerLimitMessage } from "./named-server-limit";

describe("namedServerLimitMessage", () => {
  const names = ["alpha", "beta", "gamma", "delta", "eps"];

  it("names the policy and what to do, with the servers to reuse", () => {
    expect(namedServerLimitMessage(names, 5)).toBe(
      "You have 5 named servers, the most allowed (5, plus your default server; stopped servers count too). Delete one you no longer need, or reuse one of: alpha, beta, gamma, delta, eps.",
    );
  });

  it("offers what each page can do instead", () => {
    expect(namedServerLimitMessage(names, 5, "launch")).toMatch(/most allowed \(5, .*\)\. Launch into one of them, or delete one you no longer need on My servers \(alpha, beta, gamma, delta, eps\)\.$/);
    expect(namedServerLimitMessage(names, 5, "relaunch")).toMatch(/most allowed \(5, .*\)\. Restart one of them instead, or delete one on My servers\.$/);
  });

  it("reads right when the limit is 0 (no named servers at all)", () => {
    expect(namedServerLimitMessage([], 0)).toBe("You have 0 named servers, the most allowed (0, plus your default server; stopped servers count too). Use your default server instead.");
    expect(namedServerLimitMessage([], 0, "launch")).toMatch(/Use your default server instead\.$/);
  });
});
