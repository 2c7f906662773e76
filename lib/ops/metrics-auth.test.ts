import { describe, expect, it } from "vitest";
import { metricsAuthorized } from "./metrics-auth";

const token = "s3cret-scrape-token-0123";

describe("metricsAuthorized", () => {
  it("lets everyone in when no token is configured", () => {
    expect(metricsAuthorized(null, undefined)).toBe(true);
    expect(metricsAuthorized("Bearer anything", undefined)).toBe(true);
  });

  it("asks for the configured token as a bearer token", () => {
    expect(metricsAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(`bearer  ${token} `, token)).toBe(true);
    expect(metricsAuthorized(null, token)).toBe(false);
    expect(metricsAuthorized("", token)).toBe(false);
    expect(metricsAuthorized(token, token)).toBe(false);
    expect(metricsAuthorized(`Basic ${Buffer.from(`x:${token}`).toString("base64")}`, token)).toBe(false);
    expect(metricsAuthorized(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsAuthorized(`Bearer ${token.slice(0, -1)}`, token)).toBe(false);
    expect(metricsAuthorized(`Bearer ${token} extra`, token)).toBe(false);
  });
});
