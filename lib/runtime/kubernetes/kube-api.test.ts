import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { isRetryable, retryAfterSeconds, retryDelayMs } from "./kube-api";

const tooMany = (retryAfter?: string) => new ApiException(429, "Too Many Requests", { message: "too many requests" }, retryAfter === undefined ? {} : { "retry-after": retryAfter });

describe("retries", () => {
  it("reads Retry-After from a 429", () => {
    expect(retryAfterSeconds(tooMany("1"))).toBe(1);
    expect(retryAfterSeconds(tooMany())).toBeUndefined();
    expect(retryAfterSeconds(tooMany("soon"))).toBeUndefined();
    expect(isRetryable(tooMany("1"))).toBe(true);
  });

  it("waits at least what the API server asked for, and backs off exponentially otherwise", () => {
    for (let i = 0; i < 50; i++) {
      expect(retryDelayMs(tooMany("2"), 1, 200)).toBeGreaterThanOrEqual(2000);
      const first = retryDelayMs(tooMany(), 1, 200);
      expect(first).toBeGreaterThanOrEqual(100);
      expect(first).toBeLessThanOrEqual(200);
      const fourth = retryDelayMs(tooMany(), 4, 200);
      expect(fourth).toBeGreaterThanOrEqual(800);
      expect(fourth).toBeLessThanOrEqual(1600);
      // Capped: a misbehaving Retry-After cannot park a start for minutes.
      expect(retryDelayMs(tooMany("600"), 1, 200)).toBeLessThanOrEqual(10_000 * 1.25);
    }
  });
});
