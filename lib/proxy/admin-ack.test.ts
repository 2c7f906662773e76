import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ACK_COOKIE, ACK_TTL_SECONDS, ackSetCookie, ackValid, ackValue, needsAcknowledgement } from "./admin-ack";

// config() is read lazily; set the secret before anything reads it.
process.env.NEXTAUTH_SECRET = "unit-test-secret-unit-test-secret-0123456789";
delete process.env.BERTH_PUBLIC_URL;
delete process.env.BERTH_SECURE_COOKIES;

const admin = { name: "root", isAdmin: true };
const work = { owner: "alice", serverId: "11111111-1111-4111-8111-111111111111" };
const other = { owner: "alice", serverId: "22222222-2222-4222-8222-222222222222" };
const cookie = (v: string) => `x=1; ${ACK_COOKIE}=${v}; next-auth.session-token=s`;

describe("an administrator's acknowledgement before opening someone else's server", () => {
  it("is needed by an administrator who is not the owner, and never by the owner or a non-admin", () => {
    expect(needsAcknowledgement(admin, work, undefined)).toBe(true);
    expect(needsAcknowledgement({ name: "alice", isAdmin: true }, work, undefined)).toBe(false);
    expect(needsAcknowledgement({ name: "alice", isAdmin: false }, work, undefined)).toBe(false);
  });

  it("is satisfied by a value signed for this administrator and this server only", () => {
    const v = ackValue("root", work.serverId);
    expect(needsAcknowledgement(admin, work, cookie(v))).toBe(false);
    expect(needsAcknowledgement(admin, other, cookie(v))).toBe(true);
    expect(needsAcknowledgement({ name: "other-admin", isAdmin: true }, work, cookie(v))).toBe(true);
    // Several values (the default server's path and a named one's): any valid one counts.
    expect(needsAcknowledgement(admin, other, `${ACK_COOKIE}=${v}; ${ACK_COOKIE}=${ackValue("root", other.serverId)}`)).toBe(false);
  });

  it("cannot be forged without Berth's secret, nor kept past its lifetime", () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const guessed = createHmac("sha256", "unit-test-secret-unit-test-secret-0123456789").update(`root\n${work.serverId}\n${exp}`).digest("base64url");
    expect(ackValid(`${exp}.${guessed}`, "root", work.serverId)).toBe(false);
    expect(ackValid(`${exp}.${"A".repeat(43)}`, "root", work.serverId)).toBe(false);
    expect(ackValid("garbage", "root", work.serverId)).toBe(false);
    const v = ackValue("root", work.serverId, Date.now() - (ACK_TTL_SECONDS + 1) * 1000);
    expect(ackValid(v, "root", work.serverId)).toBe(false);
    // A far-future expiry was not made by Berth either (it signs only its own lifetime).
    expect(ackValid(ackValue("root", work.serverId, Date.now() + 10 * ACK_TTL_SECONDS * 1000), "root", work.serverId)).toBe(false);
  });

  it("is an HttpOnly, SameSite=Strict cookie on the server's path", () => {
    const h = ackSetCookie("root", work.serverId, "/user/alice/work/");
    expect(h).toMatch(new RegExp(`^${ACK_COOKIE}=\\d+\\.[A-Za-z0-9_-]{43}; Path=/user/alice/work/; Max-Age=${ACK_TTL_SECONDS}; HttpOnly; SameSite=Strict$`));
  });
});
