import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getCatchAll, POST as postCatchAll } from "../../app/hub/api/[...rest]/route";
import { GET as getVersion } from "../../app/hub/api/route";
import { GET as getWhoami } from "../../app/hub/api/user/route";
import { GET as getUser } from "../../app/hub/api/users/[user]/route";
import { DELETE as deleteDefault, POST as postDefault } from "../../app/hub/api/users/[user]/server/route";
import { GET as getDefaultProgress } from "../../app/hub/api/users/[user]/server/progress/route";
import { DELETE as deleteNamed, POST as postNamed } from "../../app/hub/api/users/[user]/servers/[server]/route";
import { GET as getNamedProgress } from "../../app/hub/api/users/[user]/servers/[server]/progress/route";
import { GET as getTokens, POST as postTokens } from "../../app/hub/api/users/[user]/tokens/route";
import { DELETE as deleteToken, GET as getToken } from "../../app/hub/api/users/[user]/tokens/[id]/route";
import { GET as getUsers } from "../../app/hub/api/users/route";
import { db } from "../../lib/db/client";
import { runtime } from "../../lib/runtime";
import type { Actor } from "../../lib/auth/actor";
import { createToken } from "../../lib/tokens/tokens";
import { makeUser, waitForState } from "../helpers";

// Each /hub/api endpoint's status codes and error bodies, through its route handler, with token
// authentication (as scripts use it), against the real database and the local runtime's real
// Jupyter. The comparison with a real JupyterHub is test/compat/hub-api-compat.test.ts.

process.env.BERTH_MAX_NAMED_SERVERS = "2";

const ORIGIN = "http://berth.test";
let alice: Actor, bob: Actor, root: Actor;
const tokens: Record<string, string> = {};

async function token(actor: Actor, scopes?: string[]) {
  return (await createToken(actor, actor.name, { note: "test", scopes })).token;
}

type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

async function call<P>(handler: Handler<P>, params: P, path: string, opts: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `token ${opts.token}`;
  const req = new Request(`${ORIGIN}${path}`, { method: opts.method ?? "GET", headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const res = await handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // an event stream
  }
  return { status: res.status, json: json as Record<string, unknown>, text, type: res.headers.get("content-type") };
}

const events = (text: string) => text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  root = await makeUser("root", true);
  tokens.alice = await token(alice);
  tokens.aliceRead = await token(alice, ["read:servers"]);
  tokens.bob = await token(bob);
  tokens.root = await token(root);
});

afterAll(async () => {
  await runtime().shutdown();
});

describe("/hub/api: version and identity", () => {
  it("answers the JupyterHub API version without credentials", async () => {
    const r = await call(getVersion as Handler<object>, {}, "/hub/api/");
    expect(r).toMatchObject({ status: 200, json: { version: "5.0.0" } });
  });

  it("identifies a token's owner with its scopes and id", async () => {
    const r = await call(getWhoami as Handler<object>, {}, "/hub/api/user", { token: tokens.aliceRead });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ kind: "user", name: "alice", admin: false, groups: [], servers: {}, session_id: null, scopes: ["read:servers!user=alice"] });
    expect(typeof r.json.token_id).toBe("string");
    // read:servers alone does not show the user's own fields (JupyterHub's access map).
    expect(r.json).not.toHaveProperty("created");
  });

  // (No credentials at all needs next-auth inside a real request: test/compat/hub-api-compat.test.ts.)
  it("answers 403 in JupyterHub's error shape for an unknown token", async () => {
    const r = await call(getWhoami as Handler<object>, {}, "/hub/api/user", { token: "berth_not-a-real-token" });
    expect(r.status).toBe(403);
    expect(Object.keys(r.json).sort()).toEqual(["message", "status"]);
    expect(r.json.status).toBe(403);
  });

  it("answers any other /hub/api address with a JSON 404", async () => {
    const r = await call(getCatchAll as Handler<{ rest: string[] }>, { rest: ["groups"] }, "/hub/api/groups", { token: tokens.root });
    expect(r).toMatchObject({ status: 404, json: { status: 404 } });
    expect((await call(postCatchAll as Handler<{ rest: string[] }>, { rest: ["shutdown"] }, "/hub/api/shutdown", { method: "POST", token: tokens.root })).status).toBe(404);
  });
});

describe("/hub/api/users", () => {
  beforeAll(async () => {
    // States set directly: listing reads rows, whatever runs them.
    await db().server.create({ data: { ownerId: bob.id!, name: "", profile: "default", token: "x".repeat(64), state: "running", startedAt: new Date(), lastActivityAt: new Date() } });
    await db().server.create({ data: { ownerId: root.id!, name: "boot", profile: "default", token: "y".repeat(64), state: "starting" } });
  });
  afterAll(async () => {
    await db().server.deleteMany({ where: { ownerId: { in: [bob.id!, root.id!] } } });
  });

  const names = (json: unknown) => (json as { name: string }[]).map((u) => u.name);

  it("lists everyone for an administrator, filtered by state", async () => {
    const list = async (q: string) => call(getUsers as Handler<object>, {}, `/hub/api/users${q}`, { token: tokens.root });
    expect(names((await list("")).json)).toEqual(["alice", "bob", "root"]);
    expect(names((await list("?state=active")).json)).toEqual(["bob", "root"]);
    expect(names((await list("?state=ready")).json)).toEqual(["bob"]);
    expect(names((await list("?state=inactive")).json)).toEqual(["alice"]);
    expect(names((await list("?sort=-name")).json)).toEqual(["root", "bob", "alice"]);
    // Never active first when ascending, last when descending (JupyterHub's order); ties by creation.
    expect(names((await list("?sort=last_activity")).json)).toEqual(["alice", "root", "bob"]);
    expect(names((await list("?sort=-last_activity")).json)).toEqual(["bob", "root", "alice"]);
    expect(names((await list("?name_filter=RO")).json)).toEqual(["root"]);
    // The filter is a substring, not a pattern.
    expect(names((await list("?name_filter=%25")).json)).toEqual([]);
    const r = await list("?state=asleep");
    expect(r).toMatchObject({ status: 400, json: { status: 400 } });
  });

  it("pages with JupyterHub's pagination media type", async () => {
    const r = await call(getUsers as Handler<object>, {}, "/hub/api/users?limit=2", { token: tokens.root, headers: { accept: "application/jupyterhub-pagination+json" } });
    expect(r.status).toBe(200);
    expect(names(r.json.items)).toEqual(["alice", "bob"]);
    expect(r.json._pagination).toEqual({ offset: 0, limit: 2, total: 3, next: { offset: 2, limit: 2, url: `${ORIGIN}/hub/api/users?limit=2&offset=2` } });
    const last = await call(getUsers as Handler<object>, {}, "/hub/api/users?limit=2&offset=2", { token: tokens.root, headers: { accept: "application/jupyterhub-pagination+json" } });
    expect(last.json._pagination).toMatchObject({ offset: 2, total: 3, next: null });
    expect(names(last.json.items)).toEqual(["root"]);
  });

  it("lists users for administrators only (JupyterHub's self role has no list:users); a read:servers token may not list", async () => {
    const own = await call(getUsers as Handler<object>, {}, "/hub/api/users", { token: tokens.alice });
    expect(own).toMatchObject({ status: 403, json: { status: 403 } });
    expect(own.json.message).toMatch(/list:users/);
    const r = await call(getUsers as Handler<object>, {}, "/hub/api/users", { token: tokens.aliceRead });
    expect(r.status).toBe(403);
    expect(r.json.message).toMatch(/read:users/);
  });

  it("shows one user; 404 for a user one cannot see, as JupyterHub answers, and for no such user", async () => {
    const me = await call(getUser as Handler<{ user: string }>, { user: "bob" }, "/hub/api/users/bob", { token: tokens.bob });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ name: "bob", server: "/user/bob/", pending: null });
    expect(Object.keys(me.json.servers as object)).toEqual([""]);
    const other = await call(getUser as Handler<{ user: string }>, { user: "bob" }, "/hub/api/users/bob", { token: tokens.alice });
    expect(other).toMatchObject({ status: 404, json: { status: 404, message: "No access to resources or resources not found" } });
    const none = await call(getUser as Handler<{ user: string }>, { user: "nobody" }, "/hub/api/users/nobody", { token: tokens.root });
    expect(none).toMatchObject({ status: 404, json: { status: 404 } });
  });
});

describe("/hub/api servers", () => {
  const named = (server: string) => ({ user: "alice", server });
  const path = (server: string) => `/hub/api/users/alice/servers/${server}`;

  it("creates and starts a named server with a profile (201 or 202), refuses a second start (400), then reports ready", async () => {
    const started = await call(postNamed as Handler<{ user: string; server: string }>, named("work"), path("work"), { method: "POST", token: tokens.alice, body: { profile: "default" } });
    expect([201, 202]).toContain(started.status);
    expect(started.text).toBe("");
    const row = await db().server.findFirstOrThrow({ where: { ownerId: alice.id!, name: "work" } });
    await waitForState(row.id, "running");

    const again = await call(postNamed as Handler<{ user: string; server: string }>, named("work"), path("work"), { method: "POST", token: tokens.alice });
    expect(again.status).toBe(400);
    expect(again.json.message).toMatch(/already running/);

    const progress = await call(getNamedProgress as Handler<{ user: string; server: string }>, named("work"), `${path("work")}/progress`, { token: tokens.alice });
    expect(progress.status).toBe(200);
    expect(progress.type).toMatch(/^text\/event-stream/);
    expect(events(progress.text)).toEqual([{ progress: 100, ready: true, message: "Server ready at /user/alice/work/", html_message: 'Server ready at <a href="/user/alice/work/">/user/alice/work/</a>', url: "/user/alice/work/" }]);

    const user = await call(getUser as Handler<{ user: string }>, { user: "alice" }, "/hub/api/users/alice", { token: tokens.alice });
    expect((user.json.servers as Record<string, Record<string, unknown>>).work).toMatchObject({ ready: true, pending: null, stopped: false, user_options: { profile: "default" } });
  });

  it("follows a real start's progress stream to ready", async () => {
    const started = postNamed(new Request(`${ORIGIN}${path("second")}`, { method: "POST", headers: { authorization: `token ${tokens.alice}` } }), { params: Promise.resolve(named("second")) });
    const row = await (async () => {
      for (;;) {
        // Past "created" (stopped) to "starting": the progress stream follows a start.
        const r = await db().server.findFirst({ where: { ownerId: alice.id!, name: "second" } });
        if (r && r.state !== "stopped") return r;
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    const progress = await call(getNamedProgress as Handler<{ user: string; server: string }>, named("second"), `${path("second")}/progress`, { token: tokens.alice });
    const all = events(progress.text);
    expect(all.at(-1)).toMatchObject({ progress: 100, ready: true, url: "/user/alice/second/" });
    // However far the start had got when the stream opened, what comes before ready is progress.
    for (const e of all.slice(0, -1)) expect(e).toEqual({ progress: expect.any(Number), message: expect.any(String) });
    expect([201, 202]).toContain((await started).status);
    await waitForState(row.id, "running");
  });

  it("streams each progress step of a start, then ready, failed or cancelled (JupyterHub's events)", async () => {
    // A start driven by hand: the stream reads the server's row, whoever writes it.
    const row = await db().server.create({ data: { ownerId: bob.id!, name: "manual", profile: "default", token: "z".repeat(64), state: "starting" } });
    const open = async () => {
      const res = await getNamedProgress(new Request(`${ORIGIN}/hub/api/users/bob/servers/manual/progress`, { headers: { authorization: `token ${tokens.bob}` } }), { params: Promise.resolve({ user: "bob", server: "manual" }) });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffered = "";
      return async function next(): Promise<Record<string, unknown> | null> {
        for (;;) {
          const i = buffered.indexOf("\n\n");
          if (i >= 0) {
            const chunk = buffered.slice(0, i);
            buffered = buffered.slice(i + 2);
            if (chunk.startsWith("data: ")) return JSON.parse(chunk.slice(6)) as Record<string, unknown>;
            continue;
          }
          const { value, done } = await reader.read();
          if (done) return null;
          buffered += decoder.decode(value, { stream: true });
        }
      };
    };
    const steps = async (finish: () => Promise<unknown>) => {
      await db().server.update({ where: { id: row.id }, data: { state: "starting", progress: null, stateReason: null } });
      const next = await open();
      expect(await next()).toEqual({ progress: 0, message: "Server requested" });
      await db().server.update({ where: { id: row.id }, data: { progress: "Pulling the image" } });
      expect(await next()).toEqual({ progress: 10, message: "Pulling the image" });
      await db().server.update({ where: { id: row.id }, data: { progress: "Waiting for Jupyter" } });
      expect(await next()).toEqual({ progress: 20, message: "Waiting for Jupyter" });
      await finish();
      const last = await next();
      expect(await next()).toBeNull();
      return last;
    };
    expect(await steps(() => db().server.update({ where: { id: row.id }, data: { state: "running" } }))).toMatchObject({ progress: 100, ready: true, url: "/user/bob/manual/" });
    expect(await steps(() => db().server.update({ where: { id: row.id }, data: { state: "failed", stateReason: "the image does not exist" } }))).toEqual({ progress: 100, failed: true, message: "Spawn failed: the image does not exist" });
    expect(await steps(() => db().server.update({ where: { id: row.id }, data: { state: "stopped" } }))).toEqual({ progress: 100, failed: true, message: "Spawn cancelled" });
    await db().server.delete({ where: { id: row.id } });
  });

  it("refuses a third named server over the limit (400) and changes nothing", async () => {
    const r = await call(postNamed as Handler<{ user: string; server: string }>, named("third"), path("third"), { method: "POST", token: tokens.alice });
    expect(r).toMatchObject({ status: 400, json: { status: 400 } });
    expect(r.json.message).toMatch(/most allowed/);
    expect(await db().server.count({ where: { ownerId: alice.id!, name: "third" } })).toBe(0);
  });

  it("refuses a token without the servers scope (403), an unknown profile (400), and someone else's servers (404)", async () => {
    const readOnly = await call(postNamed as Handler<{ user: string; server: string }>, named("work"), path("work"), { method: "POST", token: tokens.aliceRead });
    expect(readOnly).toMatchObject({ status: 403, json: { status: 403 } });
    const profile = await call(postDefault as Handler<{ user: string }>, { user: "alice" }, "/hub/api/users/alice/server", { method: "POST", token: tokens.alice, body: { profile: "gigantic" } });
    expect(profile).toMatchObject({ status: 400, json: { status: 400 } });
    expect(profile.json.message).toMatch(/no profile "gigantic"/);
    const other = await call(postNamed as Handler<{ user: string; server: string }>, { user: "bob", server: "x" }, "/hub/api/users/bob/servers/x", { method: "POST", token: tokens.alice });
    expect(other).toMatchObject({ status: 404, json: { message: "No access to resources or resources not found" } });
  });

  it("stops (204), answers progress of a stopped server with 400 and of no server with 404, deletes with remove (204)", async () => {
    const stopped = await call(deleteNamed as Handler<{ user: string; server: string }>, named("second"), path("second"), { method: "DELETE", token: tokens.alice });
    expect(stopped.status).toBe(204);
    expect((await db().server.findFirstOrThrow({ where: { ownerId: alice.id!, name: "second" } })).state).toBe("stopped");
    expect((await call(deleteNamed as Handler<{ user: string; server: string }>, named("second"), path("second"), { method: "DELETE", token: tokens.alice })).status).toBe(204);
    const notStarting = await call(getNamedProgress as Handler<{ user: string; server: string }>, named("second"), `${path("second")}/progress`, { token: tokens.alice });
    expect(notStarting).toMatchObject({ status: 400, json: { status: 400 } });
    const none = await call(getNamedProgress as Handler<{ user: string; server: string }>, named("nope"), `${path("nope")}/progress`, { token: tokens.alice });
    expect(none.status).toBe(404);
    const noServer = await call(deleteNamed as Handler<{ user: string; server: string }>, named("nope"), path("nope"), { method: "DELETE", token: tokens.alice });
    expect(noServer).toMatchObject({ status: 404, json: { status: 404, message: "alice has no server named 'nope'" } });

    const removed = await call(deleteNamed as Handler<{ user: string; server: string }>, named("work"), path("work"), { method: "DELETE", token: tokens.alice, body: { remove: true } });
    expect(removed.status).toBe(204);
    expect(await db().server.count({ where: { ownerId: alice.id!, name: "work" } })).toBe(0);
  });

  it("starts and stops the default server; it cannot be removed (400)", async () => {
    const started = await call(postDefault as Handler<{ user: string }>, { user: "alice" }, "/hub/api/users/alice/server", { method: "POST", token: tokens.alice });
    expect([201, 202]).toContain(started.status);
    const row = await db().server.findFirstOrThrow({ where: { ownerId: alice.id!, name: "" } });
    await waitForState(row.id, "running");
    const progress = await call(getDefaultProgress as Handler<{ user: string }>, { user: "alice" }, "/hub/api/users/alice/server/progress", { token: tokens.alice });
    expect(events(progress.text)[0]).toMatchObject({ ready: true, url: "/user/alice/" });
    const remove = await call(deleteDefault as Handler<{ user: string }>, { user: "alice" }, "/hub/api/users/alice/server", { method: "DELETE", token: tokens.alice, body: { remove: true } });
    expect(remove).toMatchObject({ status: 400, json: { status: 400 } });
    expect((await call(deleteDefault as Handler<{ user: string }>, { user: "alice" }, "/hub/api/users/alice/server", { method: "DELETE", token: tokens.alice })).status).toBe(204);
  });

  it("refuses a change sent with Berth's cookie from another site, in JupyterHub's error shape", async () => {
    const r = await call(postDefault as Handler<{ user: string }>, { user: "alice" }, "/hub/api/users/alice/server", {
      method: "POST",
      headers: { cookie: "next-auth.session-token=x", "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    });
    expect(r).toMatchObject({ status: 403, json: { status: 403 } });
  });
});

describe("/hub/api tokens", () => {
  const tok = (user: string) => ({ user });

  it("creates (201, the token shown once), lists, reads and revokes (204) a token", async () => {
    const created = await call(postTokens as Handler<{ user: string }>, tok("alice"), "/hub/api/users/alice/tokens", { method: "POST", token: tokens.alice, body: { note: "script", expires_in: 3600, scopes: ["read:servers!user=alice"] } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ user: "alice", kind: "api_token", note: "script", scopes: ["read:servers"], roles: [] });
    const raw = created.json.token as string;
    const id = created.json.id as string;
    expect(raw).toMatch(/^berth_/);

    const list = await call(getTokens as Handler<{ user: string }>, tok("alice"), "/hub/api/users/alice/tokens", { token: tokens.alice });
    expect(list.status).toBe(200);
    const listed = (list.json.api_tokens as { id: string }[]).find((t) => t.id === id);
    expect(listed).toBeDefined();
    expect(JSON.stringify(list.json)).not.toContain(raw);

    expect((await call(getToken as Handler<{ user: string; id: string }>, { user: "alice", id }, `/hub/api/users/alice/tokens/${id}`, { token: tokens.alice })).json).toMatchObject({ id, note: "script" });
    // The new token works, with its scope.
    expect((await call(getWhoami as Handler<object>, {}, "/hub/api/user", { token: raw })).json).toMatchObject({ name: "alice", token_id: id });

    expect((await call(deleteToken as Handler<{ user: string; id: string }>, { user: "alice", id }, `/hub/api/users/alice/tokens/${id}`, { method: "DELETE", token: tokens.alice })).status).toBe(204);
    expect((await call(getWhoami as Handler<object>, {}, "/hub/api/user", { token: raw })).status).toBe(403);
    const again = await call(deleteToken as Handler<{ user: string; id: string }>, { user: "alice", id }, `/hub/api/users/alice/tokens/${id}`, { method: "DELETE", token: tokens.alice });
    expect(again).toMatchObject({ status: 404, json: { status: 404 } });
  });

  it("refuses scopes the owner cannot hold (400), and a narrow token managing tokens (403)", async () => {
    const admin = await call(postTokens as Handler<{ user: string }>, tok("alice"), "/hub/api/users/alice/tokens", { method: "POST", token: tokens.alice, body: { scopes: ["admin:servers"] } });
    expect(admin).toMatchObject({ status: 400, json: { status: 400 } });
    const unknown = await call(postTokens as Handler<{ user: string }>, tok("alice"), "/hub/api/users/alice/tokens", { method: "POST", token: tokens.alice, body: { scopes: ["shutdown"] } });
    expect(unknown.status).toBe(400);
    const narrow = await call(getTokens as Handler<{ user: string }>, tok("alice"), "/hub/api/users/alice/tokens", { token: tokens.aliceRead });
    expect(narrow).toMatchObject({ status: 403, json: { status: 403 } });
    expect((await call(postTokens as Handler<{ user: string }>, tok("alice"), "/hub/api/users/alice/tokens", { method: "POST", token: tokens.aliceRead })).status).toBe(403);
  });

  it("hides someone else's tokens (404, as JupyterHub) and refuses to make them (403); an administrator may", async () => {
    expect((await call(getTokens as Handler<{ user: string }>, tok("bob"), "/hub/api/users/bob/tokens", { token: tokens.alice })).status).toBe(404);
    expect((await call(postTokens as Handler<{ user: string }>, tok("bob"), "/hub/api/users/bob/tokens", { method: "POST", token: tokens.alice })).status).toBe(403);
    const made = await call(postTokens as Handler<{ user: string }>, tok("bob"), "/hub/api/users/bob/tokens", { method: "POST", token: tokens.root, body: { scopes: ["read:servers"] } });
    expect(made).toMatchObject({ status: 201, json: { user: "bob", note: "Requested via api by user root" } });
  });
});
