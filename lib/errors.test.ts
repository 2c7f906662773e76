import { describe, expect, it, vi } from "vitest";
import { AppError, ERROR_STATUS, type ErrorCode, notFound } from "./errors";

describe("ERROR_STATUS", () => {
  it("gives every code one HTTP error status", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(Number.isInteger(status), code).toBe(true);
      expect(status >= 400 && status < 600, `${code} → ${status}`).toBe(true);
    }
  });

  it("keeps refusals the person can act on below 500 and Berth's own failures at 500 and above", () => {
    const refusals: ErrorCode[] = ["bad_request", "unauthenticated", "forbidden", "quota_exceeded", "setup_closed", "not_found", "invalid_state", "conflict", "name_taken", "build_cancelled", "invalid_input", "invalid_name", "invalid_profile", "unsupported"];
    for (const code of refusals) expect(ERROR_STATUS[code], code).toBeLessThan(500);
    const failures: ErrorCode[] = ["start_failed", "delete_failed", "cluster_forbidden", "cluster_rejected", "upstream_failed", "unavailable", "cluster_full", "timeout"];
    for (const code of failures) expect(ERROR_STATUS[code], code).toBeGreaterThanOrEqual(500);
  });

  it("maps the codes that used to vary by throw site to one status each", () => {
    expect(ERROR_STATUS).toMatchObject({ start_failed: 500, conflict: 409, invalid_state: 409, invalid_input: 422, bad_request: 400, upstream_failed: 502, unavailable: 503, timeout: 504, abandoned: 499 });
  });
});

describe("AppError", () => {
  it("takes its status from the table, never from the throw site", () => {
    for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
      const e = new AppError(code, "why and what to do");
      expect(e.status, code).toBe(ERROR_STATUS[code]);
      expect(e.code).toBe(code);
      expect(e.message).toBe("why and what to do");
      expect(e).toBeInstanceOf(Error);
    }
  });

  it("carries details and response headers", () => {
    const e = new AppError("unauthenticated", "Send the token.", { reason: "no_token" }, { "www-authenticate": "Bearer" });
    expect(e).toMatchObject({ status: 401, details: { reason: "no_token" }, headers: { "www-authenticate": "Bearer" } });
    expect(notFound("The server x")).toMatchObject({ code: "not_found", status: 404, message: "The server x does not exist." });
  });
});

describe("AppError across module copies", () => {
  it("is recognised when another copy of lib/errors made it (the custom server's bundle and Next.js's each load one)", async () => {
    // A second copy of the module, as a second bundle would have.
    vi.resetModules();
    const other = await import("./errors");
    expect(other.AppError).not.toBe(AppError);
    const foreign = new other.AppError("invalid_input", "Fix the name.");
    expect(foreign instanceof AppError).toBe(true);
    expect(new AppError("not_found", "Gone.") instanceof other.AppError).toBe(true);
    expect(new Error("plain") instanceof AppError).toBe(false);
    expect((null as unknown) instanceof AppError).toBe(false);
  });

  it("keeps subclasses' own checks", () => {
    class Narrow extends AppError {}
    expect(new Narrow("timeout", "Too slow.") instanceof Narrow).toBe(true);
    expect(new AppError("timeout", "Too slow.") instanceof Narrow).toBe(false);
    expect(new Narrow("timeout", "Too slow.") instanceof AppError).toBe(true);
  });
});
