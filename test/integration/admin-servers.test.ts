import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET, POST } from "../../app/api/admin/servers/route";
import { bulkServers } from "../../lib/admin/bulk-servers";
import { listAllServers } from "../../lib/admin/list-all-servers";
import { parseServersQuery } from "../../lib/admin/servers-query";
import { expandScopes, scopesFor } from "../../lib/auth/scopes";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { defaultRecord } from "../../lib/policy/profile-access";
import { ensureDefaultServer } from "../../lib/servers/find-server";
import { watchRuntimeExits } from "../../lib/servers/lifecycle";
import { startServer } from "../../lib/servers/start-server";
import type { Actor } from "../../lib/auth/actor";
import { createToken } from "../../lib/tokens/tokens";
import { expectAppError, makeUser, pidAlive, serverProcesses, waitFor, waitForState } from "../helpers";

// The console's Servers tab below the page: the list (filters, sorts and pages done by PostgreSQL,
// over thousands of rows), bulk stop/delete (each item on its own), /api/admin/servers for
// administrators only, and the CLI stopping a server that another process (a running Berth) started.

let admin: Actor, carol: Actor;
const session = (a: Actor): Actor => ({ ...a, scopes: expandScopes(scopesFor(a.isAdmin)) });
const q = (params: Record<string, string> = {}) => parseServersQuery(params);
const ROOT = path.resolve(import.meta.dirname, "../..");

// 1,000 people "p0001"… with 3 servers each: the default one, "lab" and "scratch". Every tenth
// person's "lab" runs, idle for (person number) minutes; every seventh "scratch" failed.
const PEOPLE = 1000;

beforeAll(async () => {
  admin = session(await makeUser("root-admin", true));
  carol = session(await makeUser("carol"));
  await db().$executeRaw`
    INSERT INTO users (id, name, created_at, updated_at)
    SELECT gen_random_uuid(), 'p' || lpad(i::text, 4, '0'), now(), now() FROM generate_series(1, ${PEOPLE}) AS i`;
  await db().$executeRaw`
    INSERT INTO servers (id, owner_id, name, profile, state, token, started_at, last_activity_at, created_at, updated_at)
    SELECT gen_random_uuid(), u.id, s.name, 'default',
           (CASE WHEN s.name = 'lab' AND n % 10 = 0 THEN 'running' WHEN s.name = 'scratch' AND n % 7 = 0 THEN 'failed' ELSE 'stopped' END)::"ServerState",
           'x',
           CASE WHEN s.name = 'lab' AND n % 10 = 0 THEN now() - make_interval(mins => n + 5) END,
           CASE WHEN s.name = 'lab' THEN now() - make_interval(mins => n) END,
           now(), now()
    FROM (SELECT id, substr(name, 2)::int AS n FROM users WHERE name LIKE 'p%') u
    CROSS JOIN (VALUES (''), ('lab'), ('scratch')) AS s(name)`;
});

afterAll(async () => {
  await runtime().shutdown();
});

describe("listing everyone's servers", () => {
  it("pages through thousands of servers by owner, 50 at a time, without overlap or gaps", async () => {
    const first = await listAllServers(admin, q(), { storage: false });
    expect(first.total).toBe(PEOPLE * 3);
    expect(first.pages).toBe(60);
    expect(first.servers).toHaveLength(50);
    expect(first.servers.slice(0, 4).map((s) => `${s.owner}/${s.name}`)).toEqual(["p0001/", "p0001/lab", "p0001/scratch", "p0002/"]);
    expect(first.servers[0]).toMatchObject({ label: "My Server", profile: { slug: "default", cpu: "1", memory: "2Gi", storage: "2Gi" }, openUrl: "/open-server?next=%2Fuser%2Fp0001%2F" });

    const seen = new Set<string>();
    for (const page of [1, 2, 3]) for (const s of (await listAllServers(admin, q({ page: String(page) }), { storage: false })).servers) seen.add(`${s.owner}/${s.name}`);
    expect(seen.size).toBe(150);
    const last = await listAllServers(admin, q({ page: "60" }), { storage: false });
    expect(last.servers.map((s) => `${s.owner}/${s.name}`).at(-1)).toBe("p1000/scratch");
    expect((await listAllServers(admin, q({ page: "61" }), { storage: false })).servers).toEqual([]);
  });

  it("filters by state, owner (part of the name, or exactly), profile and idle time, together", async () => {
    const running = await listAllServers(admin, q({ state: "running" }), { storage: false });
    expect(running.total).toBe(PEOPLE / 10);
    expect(running.servers.every((s) => s.state === "running" && s.name === "lab")).toBe(true);
    // Idle stop is counted from the last activity, for running servers only.
    expect(running.servers[0].idleStopAt).not.toBeNull();
    expect((await listAllServers(admin, q({ state: "stopped" }), { storage: false })).servers.every((s) => s.idleStopAt === null)).toBe(true);

    expect((await listAllServers(admin, q({ owner: "p099" }), { storage: false })).total).toBe(30);
    expect((await listAllServers(admin, q({ owner: "P099" }), { storage: false })).total).toBe(30);
    expect((await listAllServers(admin, q({ owner: "99" }), { storage: false })).total).toBe(19 * 3);
    expect((await listAllServers(admin, q({ user: "p0990" }), { storage: false })).servers.map((s) => s.name)).toEqual(["", "lab", "scratch"]);
    expect((await listAllServers(admin, q({ user: "p099" }), { storage: false })).total).toBe(0);
    // What is typed is matched as text: "%" and "_" are no wildcards.
    expect((await listAllServers(admin, q({ owner: "p%9" }), { storage: false })).total).toBe(0);
    expect((await listAllServers(admin, q({ owner: "_" }), { storage: false })).total).toBe(0);
    expect((await listAllServers(admin, q({ profile: "gpu" }), { storage: false })).total).toBe(0);
    expect((await listAllServers(admin, q({ profile: "default", state: "failed" }), { storage: false })).total).toBe(Math.floor(PEOPLE / 7));

    // Running and without activity for more than 505 minutes: persons 510 … 1000, every tenth.
    const idle = await listAllServers(admin, q({ idle: "505" }), { storage: false });
    expect(idle.total).toBe(50);
    expect(idle.servers.every((s) => s.state === "running" && Number(s.owner.slice(1)) > 505)).toBe(true);
    expect((await listAllServers(admin, q({ idle: "505", state: "stopped" }), { storage: false })).total).toBe(0);
    // "p09": p0090 … p0099 and p0900 … p0999; of those running, p0090 has been idle only 90 minutes.
    expect((await listAllServers(admin, q({ idle: "505", owner: "p09" }), { storage: false })).total).toBe(10);
  });

  it("sorts by name, state, last activity and start time, and back", async () => {
    const byActivity = await listAllServers(admin, q({ sort: "lastActivity" }), { storage: false });
    // Most recent first; servers never used come last.
    expect(byActivity.servers.slice(0, 3).map((s) => s.owner)).toEqual(["p0001", "p0002", "p0003"]);
    // Going up, servers never used count as the oldest.
    const oldest = await listAllServers(admin, q({ sort: "lastActivity", dir: "asc" }), { storage: false });
    expect(oldest.servers.every((s) => s.lastActivityAt === null)).toBe(true);
    const used = await listAllServers(admin, q({ sort: "lastActivity", dir: "asc", page: "41" }), { storage: false });
    expect(used.servers[0].owner).toBe("p1000");
    const lastPage = await listAllServers(admin, q({ sort: "lastActivity", page: "60" }), { storage: false });
    expect(lastPage.servers.every((s) => s.lastActivityAt === null)).toBe(true);

    const started = await listAllServers(admin, q({ sort: "started" }), { storage: false });
    expect(started.servers.slice(0, 2).map((s) => s.owner)).toEqual(["p0010", "p0020"]);

    const byName = await listAllServers(admin, q({ sort: "name", dir: "desc" }), { storage: false });
    expect(byName.servers.every((s) => s.name === "scratch")).toBe(true);
    expect(byName.servers[0].owner).toBe("p0001");

    const byState = await listAllServers(admin, q({ sort: "state", dir: "desc" }), { storage: false });
    expect(byState.servers[0].state).toBe("failed");
  });

  it("is for administrators only", async () => {
    await expectAppError(listAllServers(carol, q()), "forbidden", 403);
    await expectAppError(bulkServers(carol, { action: "stop", servers: [{ user: "p0010", name: "lab" }] }), "forbidden", 403);
    expect((await db().server.findFirstOrThrow({ where: { owner: { name: "p0010" }, name: "lab" } })).state).toBe("running");
  });
});

describe("bulk stop and delete", () => {
  it("stops each selected server; one that fails is reported and does not stop the others", async () => {
    const r = await bulkServers(admin, {
      action: "stop",
      servers: [
        { user: "p0020", name: "lab" },
        { user: "nobody", name: "lab" },
        { user: "p0030", name: "lab" },
        { user: "p0020", name: "lab" },
        { user: "p0001", name: "no-such" },
      ],
    });
    expect(r).toMatchObject({ action: "stop", succeeded: 2, failed: 2 });
    expect(r.results.map((x) => [x.user, x.name, x.ok])).toEqual([["p0020", "lab", true], ["nobody", "lab", false], ["p0030", "lab", true], ["p0001", "no-such", false]]);
    expect(r.results[1]).toMatchObject({ error: "not_found", message: 'There is no user named "nobody".' });
    expect(r.results[3]).toMatchObject({ error: "not_found", message: expect.stringContaining('no server named "no-such"') });
    for (const user of ["p0020", "p0030"]) {
      const row = await db().server.findFirstOrThrow({ where: { owner: { name: user }, name: "lab" } });
      await waitForState(row.id, "stopped");
    }
    expect(await db().event.count({ where: { action: "stop", actorName: "root-admin", targetUser: { in: ["p0020", "p0030"] } } })).toBe(2);
  });

  it("deletes each selected server with its storage; the default server is refused on its own", async () => {
    const before = await db().server.count();
    const r = await bulkServers(admin, {
      action: "delete",
      servers: [
        { user: "p0040", name: "scratch" },
        { user: "p0040", name: "" },
        { user: "p0041", name: "lab" },
      ],
    });
    expect(r).toMatchObject({ succeeded: 2, failed: 1 });
    expect(r.results[1]).toMatchObject({ ok: false, label: "My Server", error: "unsupported", message: expect.stringContaining("default server cannot be deleted") });
    expect(await db().server.count()).toBe(before - 2);
    expect(await db().server.findMany({ where: { owner: { name: { in: ["p0040", "p0041"] } } }, select: { name: true }, orderBy: { name: "asc" } })).toEqual([{ name: "" }, { name: "" }, { name: "lab" }, { name: "scratch" }]);
    expect(await db().event.count({ where: { action: "delete", actorName: "root-admin" } })).toBe(2);
  });
});

describe("/api/admin/servers", () => {
  const req = (token: string, init: RequestInit & { query?: string } = {}) =>
    new Request(`http://berth.test/api/admin/servers${init.query ?? ""}`, { ...init, headers: { authorization: `token ${token}`, "content-type": "application/json", ...(init.headers ?? {}) } });
  const bulk = (token: string, body: unknown) => POST(req(token, { method: "POST", body: JSON.stringify(body) }), undefined);

  it("lists with the page's filters, and bulk-stops, for an administrator's token with admin:servers", async () => {
    const { token } = await createToken(admin, "root-admin", { scopes: ["admin:servers"] });
    const res = await GET(req(token, { query: "?state=running&owner=p05&sort=lastActivity&dir=asc" }), undefined);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { total: number; servers: { owner: string; state: string }[] };
    expect(body.total).toBe(10);
    // p0500 … p0599, every tenth running; the one idle longest first.
    expect(body.servers[0]).toMatchObject({ owner: "p0590", state: "running" });
    expect(JSON.stringify(body)).not.toContain('"token"');

    const done = await bulk(token, { action: "stop", servers: [{ user: "p0050", name: "lab" }] });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ succeeded: 1, failed: 0 });
  });

  it("answers 422 naming the field for a filter or body it cannot take, changing nothing", async () => {
    const { token } = await createToken(admin, "root-admin", { scopes: ["admin:servers"] });
    const bad = await GET(req(token, { query: "?state=asleep" }), undefined);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toContain("state");
    const before = await db().server.findMany({ select: { id: true, state: true }, orderBy: { id: "asc" } });
    for (const body of [{ action: "explode", servers: [{ user: "p0060", name: "lab" }] }, { action: "delete", servers: [] }, { action: "delete" }]) {
      expect((await bulk(token, body)).status).toBe(422);
    }
    expect(await db().server.findMany({ select: { id: true, state: true }, orderBy: { id: "asc" } })).toEqual(before);
  });

  it("refuses everyone else with 403 on every method, and a refused request changes nothing", async () => {
    const carolToken = (await createToken(carol, "carol", {})).token;
    // An administrator's token without the scope is refused too: it was made for something else.
    const narrow = (await createToken(admin, "root-admin", { scopes: ["read:servers", "servers"] })).token;
    const before = await db().server.findMany({ select: { id: true, state: true }, orderBy: { id: "asc" } });
    // Using a token is audited (token_use); nothing else may be written.
    const events = () => db().event.count({ where: { NOT: { action: "token_use" } } });
    const eventsBefore = await events();
    for (const token of [carolToken, narrow]) {
      const list = await GET(req(token), undefined);
      expect(list.status).toBe(403);
      expect(JSON.stringify(await list.json())).not.toContain("p0001");
      for (const action of ["stop", "delete"]) {
        const res = await bulk(token, { action, servers: [{ user: "p0070", name: "lab" }, { user: "p0071", name: "scratch" }] });
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ error: "forbidden" });
      }
    }
    expect(await db().server.findMany({ select: { id: true, state: true }, orderBy: { id: "asc" } })).toEqual(before);
    expect(await events()).toBe(eventsBefore);
  });

  it("refuses a cross-site change sent with Berth's cookies before anything else", async () => {
    // Another site's form rides on the administrator's session cookie; it is refused before
    // authentication, and nothing changes. (A token without cookies cannot be sent by another site.)
    const res = await POST(
      new Request("http://berth.test/api/admin/servers", {
        method: "POST",
        headers: { "content-type": "application/json", cookie: "next-auth.session-token=any", "sec-fetch-site": "cross-site" },
        body: JSON.stringify({ action: "stop", servers: [{ user: "p0080", name: "lab" }] }),
      }),
      undefined,
    );
    expect(res.status).toBe(403);
    expect((await db().server.findFirstOrThrow({ where: { owner: { name: "p0080" }, name: "lab" } })).state).toBe("running");
  });
});

describe("berth server (CLI)", () => {
  const cli = (...args: string[]) => {
    const r = spawnSync("npx", ["tsx", "lib/cli/main.ts", "server", ...args], { cwd: ROOT, env: process.env, encoding: "utf8", timeout: 90_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("stops a server this process (standing in for the running Berth) started, and deletes only with --yes", async () => {
    watchRuntimeExits();
    const s = await createServer(carol, "carol", { name: "work" });
    await startServer(carol, "carol", "work");
    const running = await waitForState(s.id, "running");
    const pid = parseInt(running.runtimeRef!, 10);
    expect(serverProcesses(s.id).length).toBeGreaterThan(0);

    const listed = cli("list", "--user", "carol", "--json");
    expect(listed.code, listed.err).toBe(0);
    expect((JSON.parse(listed.out) as { servers: { name: string; state: string }[] }).servers).toEqual([expect.objectContaining({ name: "work", state: "running" })]);

    const stopped = cli("stop", "carol", "work");
    expect(stopped.code, stopped.err).toBe(0);
    expect(stopped.out).toContain("Stopped carol's work; its files are kept.");
    expect(pidAlive(pid)).toBe(false);
    expect(serverProcesses(s.id)).toEqual([]);
    // The process that started it saw its child end, and did not take that for a crash.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await db().server.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
    expect(await db().event.count({ where: { serverName: "work", action: "failed" } })).toBe(0);
    expect(await runtime().isAlive(s.id, null)).toBe(false);

    // The default server: by leaving the name out, or as "".
    await ensureDefaultServer(carol.id!, defaultRecord());
    for (const args of [["carol"], ["carol", ""]]) {
      const byDefault = cli("stop", ...args);
      expect(byDefault.code, byDefault.out + byDefault.err).toBe(0);
      expect(byDefault.out).toContain("Stopped carol's My Server");
    }
    const missing = cli("stop", "carol", "nope");
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('carol has no server named "nope"');

    const dry = cli("delete", "carol", "work");
    expect(dry.code).toBe(1);
    expect(dry.out).toContain(`This would delete carol's server "work" (stopped) and its storage`);
    expect(dry.out).toContain("run the command again with --yes");
    expect(await db().server.count({ where: { id: s.id } })).toBe(1);
    const workspace = path.join(config().dataDir, "workspaces", s.id);
    expect(existsSync(workspace)).toBe(true);

    const del = cli("delete", "carol", "work", "--yes");
    expect(del.code, del.err).toBe(0);
    expect(await db().server.count({ where: { id: s.id } })).toBe(0);
    expect(existsSync(workspace)).toBe(false);

    const refused = cli("delete", "carol", "");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("default server cannot be deleted");
    expect(cli("stop").code).toBe(2);
    expect(cli("list", "--state", "asleep").code).toBe(2);
    await waitFor("nothing left of carol's server", async () => serverProcesses(s.id).length === 0);
    // Each command is a fresh tsx process: generous on a busy two-core machine.
  }, 400_000);
});
