import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { proxySession, readCookie } from "./proxy-session";

// config() is read lazily; set the secret before anything reads it.
process.env.NEXTAUTH_SECRET = "unit-test-secret-unit-test-secret-0123456789";
delete process.env.BERTH_PUBLIC_URL;
delete process.env.BERTH_SECURE_COOKIES;
const SECRET = process.env.NEXTAUTH_SECRET;
const NAME = "next-auth.session-token";

const jwt = (payload: Record<string, unknown>, opts: { secret?: string; maxAge?: number } = {}) =>
  encode({ token: payload, secret: opts.secret ?? SECRET, maxAge: opts.maxAge });

describe("readCookie", () => {
  it("finds a cookie by exact name among others", () => {
    const h = "a=1; next-auth.session-token=abc.def=; next-auth.session-token.0=zzz";
    expect(readCookie(h, NAME)).toBe("abc.def=");
    expect(readCookie(h, "a")).toBe("1");
    expect(readCookie(h, "next-auth")).toBeUndefined();
    expect(readCookie(undefined, "a")).toBeUndefined();
  });
});

describe("proxySession", () => {
  it("reads the user from a session cookie next-auth issued", async () => {
    const token = await jwt({ uname: "alice", isAdmin: false, uid: "u1" });
    expect(await proxySession(`other=1; ${NAME}=${token}`)).toEqual({ name: "alice", isAdmin: false });
    const admin = await jwt({ uname: "root", isAdmin: true, uid: "u2" });
    expect(await proxySession(`${NAME}=${admin}`)).toEqual({ name: "root", isAdmin: true });
  });

  it("reassembles a session split over several cookies", async () => {
    const token = await jwt({ uname: "bob", isAdmin: false });
    const mid = Math.floor(token.length / 2);
    expect(await proxySession(`${NAME}.0=${token.slice(0, mid)}; ${NAME}.1=${token.slice(mid)}`)).toEqual({ name: "bob", isAdmin: false });
  });

  it("refuses missing, forged, foreign-secret and expired sessions", async () => {
    expect(await proxySession(undefined)).toBeNull();
    expect(await proxySession("theme=dark")).toBeNull();
    expect(await proxySession(`${NAME}=garbage`)).toBeNull();
    const foreign = await jwt({ uname: "mallory", isAdmin: true }, { secret: "another-secret-another-secret-0123456789" });
    expect(await proxySession(`${NAME}=${foreign}`)).toBeNull();
    const expired = await jwt({ uname: "carol", isAdmin: false }, { maxAge: -10 });
    expect(await proxySession(`${NAME}=${expired}`)).toBeNull();
    const noName = await jwt({ isAdmin: true });
    expect(await proxySession(`${NAME}=${noName}`)).toBeNull();
  });
});
