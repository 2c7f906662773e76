import { describe, expect, it } from "vitest";
import { decideSetCookie, defaultCookiePath, pathWithin, serverPrefix } from "./set-cookie";

const PREFIX = "/user/alice/work/";
const at = (header: string, requestPath = "/user/alice/work/tree") => decideSetCookie(header, PREFIX, requestPath);

describe("decideSetCookie: an upstream's cookies stay on its own server", () => {
  it.each([
    "next-auth.session-token=forged; Path=/; HttpOnly",
    "__Secure-next-auth.session-token=forged; Path=/; Secure",
    "__Host-next-auth.csrf-token=x; Path=/; Secure",
    "next-auth.callback-url=https%3A%2F%2Fevil.example; Path=/",
    "Next-Auth.Session-Token=x; Path=/user/alice/work/",
    "next-auth.session-token.0=part; Path=/",
    "berth-open-ack=1.sig; Path=/user/alice/work/",
    "=next-auth.session-token=x; Path=/",
  ])("drops Berth's cookie %s", (header) => {
    const d = at(header);
    expect(d.header).toBeNull();
    expect(d.reason).toBe("berth_cookie");
  });

  it("moves a Path=/ cookie under the server's prefix, keeping its other attributes", () => {
    const d = at("tracker=1; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
    expect(d).toMatchObject({ changed: true, reason: "path", name: "tracker" });
    expect(d.header).toBe("tracker=1; HttpOnly; SameSite=Lax; Max-Age=60; Path=/user/alice/work/");
  });

  it.each(["/user/alice/", "/user/bob/work/", "/api/", "/user/alice/workshop/", "/user/alice/wor"])("moves Path=%s (outside the prefix) to the prefix", (p) => {
    expect(at(`c=1; Path=${p}`).header).toBe(`c=1; Path=${PREFIX}`);
  });

  it("drops Domain, so the cookie is for this host only", () => {
    expect(at("c=1; Domain=berth.test; Path=/user/alice/work/").header).toBe("c=1; Path=/user/alice/work/");
    expect(at("c=1; domain=.test; Path=/").reason).toBe("domain");
  });

  it("passes cookies already inside the prefix unchanged (Jupyter's _xsrf)", () => {
    for (const h of ["_xsrf=2|abc|def|1; Path=/user/alice/work/", "c=1; Path=/user/alice/work", "c=1; Path=/user/alice/work/api", "c=1"]) {
      expect(at(h)).toEqual({ header: h, name: h.split("=")[0], changed: false });
    }
  });

  it("judges a cookie without Path by the path the browser would give it", () => {
    // Requested as /user/alice/work (no slash), the default path would be /user/alice: outside.
    expect(at("c=1", "/user/alice/work").header).toBe(`c=1; Path=${PREFIX}`);
    // The last Path wins; a relative one is ignored.
    expect(at("c=1; Path=/user/alice/work/; Path=/").header).toBe(`c=1; Path=${PREFIX}`);
    expect(at("c=1; Path=relative", "/user/alice/work/api/x").changed).toBe(false);
  });
});

describe("helpers", () => {
  it("computes default paths and prefixes", () => {
    expect(defaultCookiePath("/user/alice/work/api/x?y=1")).toBe("/user/alice/work/api");
    expect(defaultCookiePath("/x")).toBe("/");
    expect(pathWithin("/user/alice/work", PREFIX)).toBe(true);
    expect(pathWithin("/user/alice/workshop", PREFIX)).toBe(false);
    expect(serverPrefix("alice", "")).toBe("/user/alice/");
    expect(serverPrefix("alice", "my work")).toBe("/user/alice/my%20work/");
  });
});
