import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { ownScope, parseTokenRequest } from "./hub-tokens";

const alice = { name: "alice", isAdmin: false };
const root = { name: "root", isAdmin: true };

describe("JupyterHub's token request body", () => {
  it("reads note, expiry and scopes, with JupyterHub's default note", () => {
    expect(parseTokenRequest({ note: "ci", expires_in: 3600, scopes: ["servers"] }, "alice", alice)).toEqual({ note: "ci", expiresInSeconds: 3600, scopes: ["servers"] });
    expect(parseTokenRequest(null, "alice", alice)).toEqual({ note: "Requested via api", expiresInSeconds: null, scopes: undefined });
    expect(parseTokenRequest({}, "root", alice).note).toBe("Requested via api by user root");
    // 0 and null mean "no expiry" in JupyterHub; Berth's operator maximum then applies.
    expect(parseTokenRequest({ expires_in: 0 }, "alice", alice).expiresInSeconds).toBeNull();
  });

  it("refuses what JupyterHub refuses, with its messages", () => {
    const refused = (body: unknown) => {
      try {
        parseTokenRequest(body, "alice", alice);
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        return { status: (err as AppError).status, message: (err as AppError).message };
      }
      throw new Error("not refused");
    };
    expect(refused([1])).toEqual({ status: 400, message: "Body must be a JSON dict or empty" });
    expect(refused({ scopes: "servers" }).message).toBe('token scopes must be null or a list of strings, not "servers"');
    expect(refused({ expires_in: "soon" }).message).toBe('token expires_in must be null or integer, not "soon"');
    expect(refused({ roles: ["user"] }).status).toBe(400);
  });

  it("reads a scope filtered to the owner as the plain scope, and refuses it for an administrator", () => {
    expect(ownScope("read:servers!user=alice", alice)).toBe("read:servers");
    expect(ownScope("servers!user", alice)).toBe("servers");
    // Another user's filter is left as it is: createToken refuses it as an unknown scope.
    expect(ownScope("servers!user=bob", alice)).toBe("servers!user=bob");
    expect(() => ownScope("servers!user=root", root)).toThrow(/cannot limit an administrator's token/);
  });
});
