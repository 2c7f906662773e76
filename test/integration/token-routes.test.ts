import { beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteSessions } from "../../app/api/users/[user]/sessions/route";
import { POST as openServer } from "../../app/api/open-server/route";
import { GET as listServersRoute, POST as createServerRoute } from "../../app/api/users/[user]/servers/route";
import { DELETE as deleteServerRoute } from "../../app/api/users/[user]/servers/[server]/route";
import { POST as serverActionRoute } from "../../app/api/users/[user]/servers/[server]/[action]/route";
import { GET as listTokensRoute, POST as createTokenRoute } from "../../app/api/users/[user]/tokens/route";
import { DELETE as revokeTokenRoute } from "../../app/api/users/[user]/tokens/[id]/route";
import { GET as buildRoute } from "../../app/build/[provider]/[...spec]/route";
import { expandScopes, scopesFor } from "../../lib/auth/scopes";
import { db } from "../../lib/db/client";
import type { Actor } from "../../lib/auth/actor";
import { AUDIT_USE_EVERY_MS, createToken, listAllTokens } from "../../lib/tokens/tokens";
import { makeUser } from "../helpers";

// Berth's own /api routes and /build with an API token instead of a session: the scope each
// needs, what ends a token, whose things it may touch, what stays session-only, and the audit
// trail. The handlers are called as Next calls them; with an Authorization header they never
// look for a session, so no request context is needed.

const BASE = "http://berth.test";
let carol: Actor, dave: Actor, boss: Actor;
const session = (a: Actor): Actor => ({ ...a, scopes: expandScopes(scopesFor(a.isAdmin)) });

function req(method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}${path}`, {
    method,
    headers: { ...(token ? { authorization: `token ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
}
const params = <T>(p: T) => ({ params: Promise.resolve(p) });
async function tokenFor(owner: Actor, scopes: string[], extra: { expiresInSeconds?: number } = {}) {
  return createToken(owner, owner.name, { scopes, note: `test ${scopes.join(",")}`, ...extra });
}
const listServers = (user: string, token: string | null, headers?: Record<string, string>) => listServersRoute(req("GET", `/api/users/${user}/servers`, token, undefined, headers), params({ user }));
const createServer = (user: string, token: string, name: string) => createServerRoute(req("POST", `/api/users/${user}/servers`, token, { name }), params({ user }));
const deleteServer = (user: string, token: string, server: string) => deleteServerRoute(req("DELETE", `/api/users/${user}/servers/${server}`, token), params({ user, server }));
async function message(res: Response): Promise<string> {
  return ((await res.json()) as { message: string }).message;
}

beforeAll(async () => {
  carol = session(await makeUser("rt-carol"));
  dave = session(await makeUser("rt-dave"));
  boss = session(await makeUser("rt-boss", true));
});

describe("API tokens on Berth's /api routes", () => {
  it("work with the scope a route needs and are refused (403, nothing changed) without it", async () => {
    const read = await tokenFor(carol, ["read:servers"]);
    const res = await listServers("rt-carol", read.token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: string }).user).toBe("rt-carol");

    const refused = await createServer("rt-carol", read.token, "nope");
    expect(refused.status).toBe(403);
    expect(await message(refused)).toContain('"servers" scope');
    expect(await db().server.count({ where: { name: "nope" } })).toBe(0);

    const write = await tokenFor(carol, ["servers"]);
    expect((await createServer("rt-carol", write.token, "viatoken")).status).toBe(201);
    // servers implies read:servers.
    expect((await listServers("rt-carol", write.token)).status).toBe(200);
    expect((await deleteServer("rt-carol", write.token, "viatoken")).status).toBe(204);

    // Bearer, as binderhub-client sends it, works the same.
    expect((await listServers("rt-carol", null, { authorization: `Bearer ${read.token}` })).status).toBe(200);
  });

  it("answer 401 for a malformed header, an unknown, expired or revoked token, or a disabled owner", async () => {
    const malformed = await listServers("rt-carol", null, { authorization: "Basic cm9vdDpyb290" });
    expect(malformed.status).toBe(401);
    expect(await message(malformed)).toMatch(/Authorization: token/);
    expect((await listServers("rt-carol", "berth_doesnotexist")).status).toBe(401);

    const expiring = await tokenFor(carol, ["read:servers"], { expiresInSeconds: 60 });
    await db().apiToken.update({ where: { id: expiring.info.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await listServers("rt-carol", expiring.token);
    expect(expired.status).toBe(401);
    expect(await message(expired)).toMatch(/expired or revoked/);

    const revoked = await tokenFor(carol, ["read:servers"]);
    expect((await listServers("rt-carol", revoked.token)).status).toBe(200);
    const manager = await createToken(carol, "rt-carol", {});
    const gone = await revokeTokenRoute(req("DELETE", `/api/users/rt-carol/tokens/${revoked.info.id}`, manager.token), params({ user: "rt-carol", id: revoked.info.id }));
    expect(gone.status).toBe(204);
    expect((await listServers("rt-carol", revoked.token)).status).toBe(401);

    const daves = await tokenFor(dave, ["read:servers"]);
    await db().user.update({ where: { name: "rt-dave" }, data: { disabledAt: new Date() } });
    try {
      expect((await listServers("rt-dave", daves.token)).status).toBe(401);
    } finally {
      await db().user.update({ where: { name: "rt-dave" }, data: { disabledAt: null } });
    }
    expect((await listServers("rt-dave", daves.token)).status).toBe(200);
  });

  it("keep a person's token to their own servers; an administrator's reaches others only with admin:servers", async () => {
    const carols = await tokenFor(carol, ["servers"]);
    const theirs = await listServers("rt-dave", carols.token);
    expect(theirs.status).toBe(403);
    expect((await createServer("rt-dave", carols.token, "intruder")).status).toBe(403);
    expect(await db().server.count({ where: { name: "intruder" } })).toBe(0);

    // An administrator's token with only `servers` is for their own servers.
    const own = await tokenFor(boss, ["servers"]);
    expect((await listServers("rt-boss", own.token)).status).toBe(200);
    const notForOthers = await listServers("rt-dave", own.token);
    expect(notForOthers.status).toBe(403);
    expect(await message(notForOthers)).toContain('"admin:servers" scope');

    const admin = await tokenFor(boss, ["admin:servers"]);
    expect((await listServers("rt-dave", admin.token)).status).toBe(200);
    expect((await createServer("rt-dave", admin.token, "byadmin")).status).toBe(201);
    const stop = await serverActionRoute(req("POST", "/api/users/rt-dave/servers/byadmin/stop", admin.token), params({ user: "rt-dave", server: "byadmin", action: "stop" }));
    expect(stop.status).toBe(202);
    expect((await deleteServer("rt-dave", admin.token, "byadmin")).status).toBe(204);
    // The audit trail says the administrator's token did it (its id and prefix, never the secret).
    const ev = await db().event.findFirstOrThrow({ where: { action: "create", targetUser: "rt-dave", serverName: "byadmin" } });
    expect(ev.actorName).toBe("rt-boss");
    expect(ev.details).toMatchObject({ viaToken: { id: admin.info.id, prefix: admin.info.prefix } });
    expect(JSON.stringify(ev)).not.toContain(admin.token);
  });

  it("manage their owner's tokens only when they hold all the owner's scopes, never minting a stronger or longer-lived one", async () => {
    const narrow = await tokenFor(carol, ["read:servers"]);
    const refused = await listTokensRoute(req("GET", "/api/users/rt-carol/tokens", narrow.token), params({ user: "rt-carol" }));
    expect(refused.status).toBe(403);
    expect(await message(refused)).toMatch(/managing tokens needs a token with all of its owner's scopes/);
    expect((await revokeTokenRoute(req("DELETE", `/api/users/rt-carol/tokens/${narrow.info.id}`, narrow.token), params({ user: "rt-carol", id: narrow.info.id }))).status).toBe(403);

    const parent = await createToken(carol, "rt-carol", { expiresInSeconds: 3600 });
    const list = await listTokensRoute(req("GET", "/api/users/rt-carol/tokens", parent.token), params({ user: "rt-carol" }));
    expect(list.status).toBe(200);
    const body = JSON.stringify(await list.json());
    expect(body).toContain(parent.info.id);
    expect(body).not.toContain(parent.token);

    const mint = (b: unknown) => createTokenRoute(req("POST", "/api/users/rt-carol/tokens", parent.token, b), params({ user: "rt-carol" }));
    // Carol may not hold admin scopes, so neither may her token's child; nor may it outlive it.
    expect((await mint({ scopes: ["admin:servers"] })).status).toBe(403);
    expect((await mint({ scopes: ["read:servers"], expiresInSeconds: 7200 })).status).toBe(422);
    const child = await mint({ scopes: ["read:servers"], note: "child" });
    expect(child.status).toBe(201);
    const c = (await child.json()) as { token: string; expiresAt: string; scopes: string[] };
    expect(c.token).toMatch(/^berth_/);
    expect(c.scopes).toEqual(["read:servers"]);
    expect(Date.parse(c.expiresAt)).toBeLessThanOrEqual(Date.parse(parent.info.expiresAt!));
    expect((await mint({ scopes: ["read:servers"], bogus: 1 })).status).toBe(422);

    // Someone else's tokens: not with carol's token; an administrator's needs admin:users.
    expect((await listTokensRoute(req("GET", "/api/users/rt-dave/tokens", parent.token), params({ user: "rt-dave" }))).status).toBe(403);
    const bossAll = await createToken(boss, "rt-boss", {});
    expect((await listTokensRoute(req("GET", "/api/users/rt-dave/tokens", bossAll.token), params({ user: "rt-dave" }))).status).toBe(200);
    await expect(listAllTokens({ ...boss, scopes: expandScopes(["admin:servers"]) })).rejects.toThrow(/admin:users/);
  });

  it("are refused where only a signed-in browser may act (sign out everywhere, open anyway)", async () => {
    const t = await tokenFor(carol, ["servers", "read:servers"]);
    const signout = await deleteSessions(req("DELETE", "/api/users/rt-carol/sessions", t.token), params({ user: "rt-carol" }));
    expect(signout.status).toBe(403);
    expect(await message(signout)).toMatch(/signed in to Berth in a browser/);
    const ack = await openServer(new Request(`${BASE}/api/open-server`, { method: "POST", headers: { authorization: `token ${t.token}`, "content-type": "application/x-www-form-urlencoded" }, body: "next=/user/rt-dave/" }), {});
    expect(ack.status).toBe(403);
    expect(ack.headers.get("set-cookie")).toBeNull();
  });

  it("need the servers scope to launch through /build (binderhub-client's Bearer token)", async () => {
    const read = await tokenFor(carol, ["read:servers"]);
    const before = await db().build.count();
    const res = await buildRoute(new Request(`${BASE}/build/gh/octo/demo/HEAD`, { headers: { authorization: `Bearer ${read.token}`, accept: "text/event-stream" } }), params({ provider: "gh", spec: ["octo", "demo", "HEAD"] }));
    expect(res.status).toBe(403);
    expect(await message(res)).toContain('"servers" scope');
    expect(await db().build.count()).toBe(before);
    expect((await buildRoute(new Request(`${BASE}/build/gh/octo/demo/HEAD`, { headers: { authorization: "Bearer berth_nope" } }), params({ provider: "gh", spec: ["octo", "demo", "HEAD"] }))).status).toBe(401);
  });

  it("write token_use to the audit trail once per token per ten minutes, and keep last used", async () => {
    const t = await tokenFor(dave, ["read:servers"]);
    const uses = () => db().event.findMany({ where: { action: "token_use", targetUser: "rt-dave" }, orderBy: { at: "asc" } });
    const mine = async () => (await uses()).filter((e) => (e.details as { viaToken?: { id: string } }).viaToken?.id === t.info.id);
    await Promise.all([listServers("rt-dave", t.token), listServers("rt-dave", t.token), listServers("rt-dave", t.token)]);
    await listServers("rt-dave", t.token);
    const once = await mine();
    expect(once).toHaveLength(1);
    expect(once[0].actorName).toBe("rt-dave");
    expect(once[0].details).toMatchObject({ method: "GET", path: "/api/users/rt-dave/servers", viaToken: { id: t.info.id, prefix: t.info.prefix } });
    expect(JSON.stringify(once[0])).not.toContain(t.token);
    const row = await db().apiToken.findUniqueOrThrow({ where: { id: t.info.id } });
    expect(row.lastUsedAt).not.toBeNull();

    // Ten minutes later (moved back rather than waited for), the next use is written again.
    await db().apiToken.update({ where: { id: t.info.id }, data: { useRecordedAt: new Date(Date.now() - AUDIT_USE_EVERY_MS - 1000) } });
    await listServers("rt-dave", t.token);
    expect(await mine()).toHaveLength(2);
  });
});

describe("GET /api/tokens (everyone's tokens)", () => {
  it("is for administrators' tokens with admin:users, a page at a time", async () => {
    const { GET } = await import("../../app/api/tokens/route");
    const a = await tokenFor(carol, ["read:servers"]);
    expect((await GET(req("GET", "/api/tokens", a.token), {})).status).toBe(403);
    const weak = await tokenFor(boss, ["admin:servers"]);
    expect((await GET(req("GET", "/api/tokens", weak.token), {})).status).toBe(403);
    const strong = await tokenFor(boss, ["admin:users"]);
    const res = await GET(req("GET", "/api/tokens?user=rt-carol&limit=2", strong.token), {});
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { user: string }[]; total: number };
    expect(page.items).toHaveLength(2);
    expect(page.items.every((t) => t.user === "rt-carol")).toBe(true);
    expect(page.total).toBeGreaterThan(2);
    expect((await GET(req("GET", "/api/tokens?limit=1000", strong.token), {})).status).toBe(422);
  });
});
