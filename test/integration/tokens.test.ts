import { beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../lib/auth/request-actor";
import { expandScopes, scopesFor } from "../../lib/auth/scopes";
import { db } from "../../lib/db/client";
import { createToken, hashToken, listAllTokens, listTokens, revokeToken, verifyToken } from "../../lib/tokens/tokens";
import type { Actor } from "../../lib/auth/actor";
import { expectAppError, makeUser } from "../helpers";

// The token store under every token-authenticated route: what is stored, what a token may do,
// and what ends it (expiry, revocation, a disabled owner, a lost admin right).

let carol: Actor, dave: Actor, admin: Actor;
const session = (a: Actor): Actor => ({ ...a, scopes: expandScopes(scopesFor(a.isAdmin)) });
const withToken = (t: string) => new Request("http://berth.test/api/x", { headers: { authorization: `token ${t}` } });

beforeAll(async () => {
  carol = session(await makeUser("tok-carol"));
  dave = session(await makeUser("tok-dave"));
  admin = session(await makeUser("tok-admin", true));
});

describe("token store", () => {
  it("shows the token once and keeps only its hash", async () => {
    const { token, info } = await createToken(carol, "tok-carol", { note: "laptop", scopes: ["read:servers"] });
    expect(token).toMatch(/^berth_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(info.prefix)).toBe(true);
    const row = await db().apiToken.findUniqueOrThrow({ where: { id: info.id } });
    expect(row.hash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(await listTokens(carol, "tok-carol"))).not.toContain(token);
    const ev = await db().event.findFirstOrThrow({ where: { action: "token_create", targetUser: "tok-carol" } });
    expect(JSON.stringify(ev)).not.toContain(token);
  });

  it("acts with its scopes only, within its owner's rights", async () => {
    const { token } = await createToken(carol, "tok-carol", { scopes: ["read:servers"] });
    const actor = await actorFor(withToken(token), "read:servers");
    expect(actor).toMatchObject({ name: "tok-carol", isAdmin: false });
    expect(actor.token?.prefix).toBe(token.slice(0, 12));
    const refused = await expectAppError(actorFor(withToken(token), "servers"), "forbidden", 403);
    expect(refused.message).toContain('"servers" scope');
    // By default a token holds what its owner may: servers implies read:servers.
    const all = await createToken(carol, "tok-carol", {});
    expect((await actorFor(withToken(all.token), "read:servers")).scopes?.has("servers")).toBe(true);
  });

  it("refuses scopes beyond the owner, and tokens that would outgrow the token creating them", async () => {
    await expectAppError(createToken(carol, "tok-carol", { scopes: ["admin:users"] }), "forbidden", 403);
    await expectAppError(createToken(carol, "tok-carol", { scopes: ["nonsense"] }), "invalid_input", 422);
    const weak = await createToken(carol, "tok-carol", { scopes: ["read:servers"] });
    const viaToken = await actorFor(withToken(weak.token), null);
    await expectAppError(createToken(viaToken, "tok-carol", { scopes: ["servers"] }), "forbidden", 403);
    const inherited = await createToken(viaToken, "tok-carol", {});
    expect(inherited.info.scopes).toEqual(["read:servers"]);
    // Someone else's tokens are not carol's business.
    await expectAppError(createToken(carol, "tok-dave", {}), "forbidden", 403);
    await expectAppError(listTokens(carol, "tok-dave"), "forbidden", 403);
  });

  it("caps the expiry at the operator's maximum", async () => {
    const { info } = await createToken(carol, "tok-carol", {});
    const days = (Date.parse(info.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThanOrEqual(365);
    const tooLong = await expectAppError(createToken(carol, "tok-carol", { expiresInSeconds: 400 * 86_400 }), "invalid_input", 422);
    expect(tooLong.message).toContain("365 days");
  });

  it("stops working when expired, revoked, or its owner is disabled", async () => {
    const expiring = await createToken(dave, "tok-dave", { expiresInSeconds: 60 });
    await db().apiToken.update({ where: { id: expiring.info.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await verifyToken(expiring.token)).toBeNull();
    await expectAppError(actorFor(withToken(expiring.token), null), "unauthenticated", 401);

    const revoked = await createToken(dave, "tok-dave", {});
    expect(await verifyToken(revoked.token)).not.toBeNull();
    await revokeToken(dave, "tok-dave", revoked.info.id);
    expect(await verifyToken(revoked.token)).toBeNull();
    await expectAppError(revokeToken(dave, "tok-dave", revoked.info.id), "not_found", 404);

    const live = await createToken(dave, "tok-dave", {});
    await db().user.update({ where: { name: "tok-dave" }, data: { disabledAt: new Date() } });
    expect(await verifyToken(live.token)).toBeNull();
    await db().user.update({ where: { name: "tok-dave" }, data: { disabledAt: null } });
    expect(await verifyToken(live.token)).not.toBeNull();
    expect(await verifyToken("berth_not-a-real-token")).toBeNull();
    expect(await verifyToken("something-else")).toBeNull();
  });

  it("drops admin scopes when its owner stops being an administrator", async () => {
    const boss = session(await makeUser("tok-boss", true));
    const { token } = await createToken(boss, "tok-boss", { scopes: ["admin:servers"] });
    expect((await verifyToken(token))?.scopes.has("admin:servers")).toBe(true);
    await db().user.update({ where: { name: "tok-boss" }, data: { isAdmin: false } });
    const v = await verifyToken(token);
    expect(v?.scopes.has("admin:servers")).toBe(false);
    expect(v?.scopes.has("servers")).toBe(true);
  });

  it("lets administrators see and revoke anyone's tokens", async () => {
    const { info } = await createToken(carol, "tok-carol", { note: "to be revoked by the admin" });
    const page = await listAllTokens(admin, { user: "tok-carol", limit: 100 });
    expect(page.items.map((t) => t.id)).toContain(info.id);
    expect(page.total).toBeGreaterThanOrEqual(1);
    await expectAppError(listAllTokens(carol), "forbidden", 403);
    await revokeToken(admin, "tok-carol", info.id);
    const ev = await db().event.findFirstOrThrow({ where: { action: "token_revoke", actorName: "tok-admin" } });
    expect(ev.targetUser).toBe("tok-carol");
  });
});
