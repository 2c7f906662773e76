import { describe, expect, it } from "vitest";
import { hubApiRootUrl } from "./root-path";

describe("GET /hub/api/", () => {
  it("reaches the version route without Next's trailing-slash redirect", () => {
    expect(hubApiRootUrl("/hub/api/")).toBe("/hub/api");
    expect(hubApiRootUrl("/hub/api/?x=1")).toBe("/hub/api?x=1");
  });

  it("leaves every other address alone", () => {
    for (const u of ["/hub/api", "/hub/api/users", "/hub/api/users/", "/hub/apix/", "/servers/"]) expect(hubApiRootUrl(u)).toBe(u);
  });
});
