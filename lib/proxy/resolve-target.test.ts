import { describe, expect, it } from "vitest";
import { serverBaseUrl, serverLabel } from "../servers/types";
import { parseUserPath, resolveTarget } from "./resolve-target";

describe("parseUserPath", () => {
  it.each([
    ["/user/alice/", { user: "alice", second: undefined }],
    ["/user/alice", { user: "alice", second: undefined }],
    ["/user/alice/analysis/tree", { user: "alice", second: "analysis" }],
    ["/user/alice/api/kernels", { user: "alice", second: "api" }],
    ["/user/a%40b/x", { user: "a@b", second: "x" }],
  ])("splits %s", (p, expected) => {
    expect(parseUserPath(p)).toEqual(expected);
  });

  it.each(["/", "/users/alice", "/hub/user/alice", "/user/", "/user/%E0%A4%A/x"])("rejects %s", (p) => {
    expect(parseUserPath(p)).toBeNull();
  });
});

describe("resolveTarget", () => {
  // Answered before the session or any route is looked up: no database is configured here, so a
  // lookup would fail the test.
  it.each(["/user/%00/x", "/user/%ZZ/x", "/user/a%0Ab/", "/user/Alice%20B/"])("says %s does not exist, with no lookup", async (p) => {
    expect(await resolveTarget(p, undefined)).toEqual({ kind: "not_found", what: "This address" });
  });
});

describe("server URLs", () => {
  it("puts the default server at the user's root and a named one below it", () => {
    expect(serverBaseUrl("alice", "")).toBe("/user/alice/");
    expect(serverBaseUrl("alice", "run-2")).toBe("/user/alice/run-2/");
    expect(serverBaseUrl("a.b", "x")).toBe("/user/a.b/x/");
    expect(serverBaseUrl("a b", "x")).toBe("/user/a%20b/x/");
  });
  it("labels the default server for people", () => {
    expect(serverLabel("")).toBe("My Server");
    expect(serverLabel("analysis")).toBe("analysis");
  });
});
