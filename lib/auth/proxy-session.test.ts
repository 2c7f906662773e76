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

// What a valid cookie's session row says is checked against a real database in
// test/integration/sessions.test.ts; these are refused before any database is asked.
describe("proxySession", () => {
  it("refuses missing, forged, foreign-secret and expired sessions", async () => {
    expect(await proxySession(undefined)).toBeNull();
    expect(await proxySession("theme=dark")).toBeNull();
    expect(await proxySession(`${NAME}=garbage`)).toBeNull();
    const sid = "6f1c1a8e-3f57-4c2b-9d55-0c5b2d3f9a10";
    const foreign = await jwt({ sid, uname: "mallory", isAdmin: true }, { secret: "another-secret-another-secret-0123456789" });
    expect(await proxySession(`${NAME}=${foreign}`)).toBeNull();
    const expired = await jwt({ sid, uname: "carol", isAdmin: false }, { maxAge: -10 });
    expect(await proxySession(`${NAME}=${expired}`)).toBeNull();
  });

  it("refuses a cookie that names no server-side session (one minted before sessions were recorded)", async () => {
    const old = await jwt({ uname: "alice", isAdmin: true, uid: "u1" });
    expect(await proxySession(`${NAME}=${old}`)).toBeNull();
    const notAnId = await jwt({ sid: "'; DROP TABLE sessions; --", uname: "alice", isAdmin: true });
    expect(await proxySession(`${NAME}=${notAnId}`)).toBeNull();
  });
});
