import { describe, expect, it } from "vitest";
import { expandScopes, isScope, scopesFor } from "./scopes";
import { tokenFromHeader } from "./request-actor";

describe("scopes", () => {
  it("expands what a scope implies, as JupyterHub's hierarchy does", () => {
    expect([...expandScopes(["admin:servers"])].sort()).toEqual(["admin:servers", "read:servers", "servers"]);
    expect([...expandScopes(["admin:users"])].sort()).toEqual(["admin:users", "read:users"]);
    expect([...expandScopes(["read:builds"])]).toEqual(["read:builds"]);
  });

  it("never lets a non-administrator hold admin scopes", () => {
    expect(scopesFor(false)).toEqual(["read:servers", "servers", "read:users", "read:builds"]);
    expect(scopesFor(true)).toContain("admin:users");
  });

  it("knows its own names only", () => {
    expect(isScope("servers")).toBe(true);
    expect(isScope("admin:groups")).toBe(false);
    expect(isScope("toString")).toBe(false);
  });
});

describe("tokenFromHeader", () => {
  it("reads JupyterHub's and binderhub-client's spellings", () => {
    expect(tokenFromHeader("token berth_abc")).toBe("berth_abc");
    expect(tokenFromHeader("Bearer berth_abc")).toBe("berth_abc");
    expect(tokenFromHeader("BEARER   berth_abc ")).toBe("berth_abc");
  });

  it("treats a missing header as no token", () => {
    expect(tokenFromHeader(null)).toBeNull();
    expect(tokenFromHeader("  ")).toBeNull();
  });

  it("refuses a header it cannot read, saying how to send one", () => {
    expect(() => tokenFromHeader("Basic dXNlcjpwYXNz")).toThrow(/Authorization: token/);
    expect(() => tokenFromHeader("token a b")).toThrow(/not understood/);
    expect(() => tokenFromHeader("token")).toThrow(/not understood/);
  });
});

describe("tokenFromHeader: malformed headers", () => {
  it("refuses schemes and shapes it does not know instead of falling back to the session", () => {
    for (const h of ["Digest abc", "tokenberth_abc", "Bearer", "Bearer: berth_abc", "token\nberth_abc", "berth_abc", "token berth_abc extra"]) {
      expect(() => tokenFromHeader(h), h).toThrow(/not understood/);
    }
  });

  it("accepts tabs and any case for the scheme, as HTTP allows", () => {
    expect(tokenFromHeader("TOKEN\tberth_x")).toBe("berth_x");
    expect(tokenFromHeader("bearer berth_x")).toBe("berth_x");
  });
});

describe("scope hierarchy", () => {
  it("never makes a lesser scope imply a greater one", () => {
    expect(expandScopes(["servers"]).has("admin:servers")).toBe(false);
    expect(expandScopes(["read:servers"]).has("servers")).toBe(false);
    expect(expandScopes(["read:users"]).has("admin:users")).toBe(false);
    expect(expandScopes(["admin:users"]).has("servers")).toBe(false);
    expect(expandScopes([]).size).toBe(0);
  });
});
