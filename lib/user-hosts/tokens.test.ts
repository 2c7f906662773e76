import { hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_SECONDS, deriveKey, mintCredential, mintTicket, redeemOnce, sign, TICKET_SECONDS, verify, type Credential, type Grant, type Ticket } from "./tokens";

const key = deriveKey("a-test-secret-of-at-least-32-characters!");
const other = deriveKey("another-test-secret-of-32-characters!!!");
const NOW = 1_800_000_000_000;
const grant: Grant = { host: "alice.localhost:3000", owner: "alice", viewer: "alice", admin: false, sid: "s1", sessionExp: NOW + 8 * 3600_000 };

describe("hand-off key", () => {
  it("is derived under its own label, never next-auth's encryption key", () => {
    const secret = "a-test-secret-of-at-least-32-characters!";
    const nextAuth = Buffer.from(hkdfSync("sha256", secret, "", "NextAuth.js Generated Encryption Key", 32));
    expect(key.equals(nextAuth)).toBe(false);
    expect(key.equals(Buffer.from(secret).subarray(0, 32))).toBe(false);
    expect(key).toHaveLength(32);
  });
});

describe("tickets", () => {
  it("carry the grant, the state and where to go, for 60 seconds", () => {
    const t = mintTicket(grant, "state-123456789012", "/user/alice/tree", NOW, key);
    const v = verify<Ticket>(t, "ticket", NOW + 1000, key)!;
    expect(v).toMatchObject({ ...grant, state: "state-123456789012", next: "/user/alice/tree", exp: NOW + TICKET_SECONDS * 1000 });
    expect(verify(t, "ticket", NOW + TICKET_SECONDS * 1000, key)).toBeNull();
  });

  it("are refused when signed with another key, altered, or used as a credential", () => {
    const t = mintTicket(grant, "state-123456789012", "/user/alice/", NOW, key);
    expect(verify(t, "ticket", NOW, other)).toBeNull();
    expect(verify(t, "credential", NOW, key)).toBeNull();
    const [body, sig] = t.split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, "base64url").toString()), viewer: "mallory", admin: true })).toString("base64url");
    expect(verify(`${forged}.${sig}`, "ticket", NOW, key)).toBeNull();
    expect(verify(`${body}.`, "ticket", NOW, key)).toBeNull();
    expect(verify("garbage", "ticket", NOW, key)).toBeNull();
    expect(verify(undefined, "ticket", NOW, key)).toBeNull();
  });

  it("are redeemed once", () => {
    const v = verify<Ticket>(mintTicket(grant, "state-123456789012", "/user/alice/", NOW, key), "ticket", NOW, key)!;
    expect(redeemOnce(v, NOW)).toBe(true);
    expect(redeemOnce(v, NOW)).toBe(false);
  });

  it("never outlive the Berth session", () => {
    const t = mintTicket({ ...grant, sessionExp: NOW + 5000 }, "state-123456789012", "/user/alice/", NOW, key);
    expect(verify(t, "ticket", NOW + 5000, key)).toBeNull();
  });
});

describe("credentials", () => {
  it("last an hour, capped by the Berth session, and keep the session id", () => {
    const c = mintCredential(grant, NOW, key);
    expect(c.exp).toBe(NOW + CREDENTIAL_SECONDS * 1000);
    expect(verify<Credential>(c.value, "credential", NOW, key)).toMatchObject({ ...grant, iat: NOW });
    expect(verify(c.value, "credential", c.exp, key)).toBeNull();
    const short = mintCredential({ ...grant, sessionExp: NOW + 60_000 }, NOW, key);
    expect(short.exp).toBe(NOW + 60_000);
  });

  it("do not pass for tickets, nor carry a ticket's extra fields", () => {
    const ticket = verify<Ticket>(mintTicket(grant, "state-123456789012", "/user/alice/", NOW, key), "ticket", NOW, key)!;
    const c = mintCredential(ticket, NOW, key);
    expect(verify(c.value, "ticket", NOW, key)).toBeNull();
    expect(Object.keys(verify<Credential>(c.value, "credential", NOW, key)!).sort()).toEqual(["admin", "exp", "host", "iat", "owner", "sessionExp", "sid", "typ", "viewer"]);
  });

  it("are what sign() makes of the payload", () => {
    const payload: Credential = { ...grant, typ: "credential", iat: NOW, exp: NOW + 1 };
    expect(verify(sign(payload, key), "credential", NOW, key)).toEqual(payload);
  });
});
