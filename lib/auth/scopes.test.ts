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
