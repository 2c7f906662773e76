import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listRoute, POST as addRoute } from "../../app/api/admin/users/route";
import { DELETE as deleteRoute, GET as describeRoute } from "../../app/api/admin/users/[user]/route";
import { PUT as adminRoute } from "../../app/api/admin/users/[user]/admin/route";
import { POST as disableRoute } from "../../app/api/admin/users/[user]/disable/route";
import { POST as enableRoute } from "../../app/api/admin/users/[user]/enable/route";
import { POST as passwordRoute } from "../../app/api/admin/users/[user]/password/route";
import { hashPassword } from "../../lib/auth/password";
import { signInLocal } from "../../lib/auth/sign-in-local";
import { checkSession, createSession } from "../../lib/auth/user-sessions";
import { db } from "../../lib/db/client";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { startServer } from "../../lib/servers/start-server";
import { SYSTEM, type Actor } from "../../lib/auth/actor";
import { createToken, verifyToken } from "../../lib/tokens/tokens";
import { addLocalUser } from "../../lib/users/add-local-user";
import { deleteUser } from "../../lib/users/delete-user";
import { describeUser } from "../../lib/users/describe-user";
import { disableUser, enableUser } from "../../lib/users/disable-user";
import { listUsers } from "../../lib/users/list-users";
import { resetPassword } from "../../lib/users/reset-password";
import { setUserAdmin } from "../../lib/users/set-user-admin";
import { parseUsersQuery, USERS_PAGE_SIZE } from "../../lib/users/users-query";
import { expectAppError, makeUser, waitForState } from "../helpers";

// The console's Users tab (issue 10): the list is searched, sorted and cut by PostgreSQL; every
// change is audited, refuses to lock the acting administrator out, and is for administrators only.

let root: Actor, carol: Actor;
const MANY = 130;
const q = (params: Record<string, string> = {}) => parseUsersQuery(params);

beforeAll(async () => {
  root = await makeUser("root", true);
  await makeUser("boss", true);
  carol = await makeUser("carol");
  // Many users, some with display names and emails, some signed in, some with servers.
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  await db().user.createMany({
    data: Array.from({ length: MANY }, (_, i) => ({
      name: `user-${String(i).padStart(3, "0")}`,
      displayName: i % 10 === 0 ? `Tenth Person ${i}` : null,
      email: i % 7 === 0 ? `u${i}@seven.example` : null,
      lastLoginAt: i % 3 === 0 ? new Date(t0 + i * 60_000) : null,
      createdAt: new Date(t0 + (MANY - i) * 1000),
    })),
  });
  await db().user.create({ data: { name: "odd_name", displayName: "Under_score" } });
  const owners = await db().user.findMany({ where: { name: { in: ["user-005", "user-006", "user-007"] } } });
  const byName = new Map(owners.map((o) => [o.name, o.id]));
  const servers: { ownerId: string; name: string; state: "running" | "stopped"; profile: string; token: string }[] = [];
  const add = (owner: string, name: string, state: "running" | "stopped") => servers.push({ ownerId: byName.get(owner)!, name, state, profile: "default", token: "t" });
  ["a", "b", "c"].forEach((n) => add("user-007", n, "running"));
  add("user-007", "d", "stopped");
  ["a", "b"].forEach((n) => add("user-005", n, "running"));
  add("user-006", "a", "stopped");
  await db().server.createMany({ data: servers });
});

afterAll(async () => {
  await runtime().shutdown();
});

describe("listing users", () => {
  it("pages through everyone by name with no overlap, and counts them", async () => {
    const total = MANY + 4;
    const p1 = await listUsers(root, q());
    expect(p1).toMatchObject({ total, pageSize: USERS_PAGE_SIZE, pages: Math.ceil(total / USERS_PAGE_SIZE) });
    expect(p1.users).toHaveLength(USERS_PAGE_SIZE);
    const all = [];
    for (let page = 1; page <= p1.pages; page++) all.push(...(await listUsers(root, q({ page: String(page) }))).users.map((u) => u.name));
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    expect(all).toEqual([...all].sort());
    expect((await listUsers(root, q({ page: "99" }))).users).toEqual([]);
  });

  it("searches name, display name and email, case-insensitively, with _ and % taken literally", async () => {
    expect((await listUsers(root, q({ q: "USER-12" }))).users.map((u) => u.name)).toEqual(Array.from({ length: 10 }, (_, i) => `user-12${i}`));
    expect((await listUsers(root, q({ q: "tenth person 12" }))).users.map((u) => u.name)).toEqual(["user-120"]);
    const seven = await listUsers(root, q({ q: "@seven.example" }));
    expect(seven.total).toBe(Math.ceil(MANY / 7));
    expect((await listUsers(root, q({ q: "_" }))).users.map((u) => u.name)).toEqual(["odd_name"]);
    expect((await listUsers(root, q({ q: "%" }))).total).toBe(0);
  });

  it("sorts by servers running (with running / total for the page), by last sign-in (never last) and by creation", async () => {
    const busy = await listUsers(root, q({ sort: "running" }));
    expect(busy.users.slice(0, 2).map((u) => [u.name, u.running, u.servers])).toEqual([["user-007", 3, 4], ["user-005", 2, 2]]);
    expect(busy.users[2].name).toBe("boss"); // none running: after the busy ones, by name
    const calm = await listUsers(root, q({ sort: "running", dir: "asc", page: "3" }));
    expect(calm.users.at(-1)?.name).toBe("user-007");

    const recent = await listUsers(root, q({ sort: "lastLogin" }));
    expect(recent.users[0].name).toBe("user-129");
    const byLogin = await listUsers(root, q({ sort: "lastLogin", dir: "asc", page: "3" }));
    expect(byLogin.users.at(-1)?.lastLoginAt).toBeNull();

    const created = await listUsers(root, q({ sort: "created", dir: "asc", q: "user-" }));
    expect(created.users[0].name).toBe("user-129");

    const row = (await listUsers(root, q({ q: "user-006" }))).users[0];
    expect(row).toMatchObject({ name: "user-006", running: 0, servers: 1, source: "local", isAdmin: false, disabledAt: null });
  });

  it("is for administrators only", async () => {
    await expectAppError(listUsers(carol, q()), "forbidden", 403);
  });
});

describe("changing users", () => {
  it("adds a local user with a generated password shown once, which signs in", async () => {
    const added = await addLocalUser(root, { name: "dave", displayName: "Dave", email: "dave@example.org" });
    expect(added).toMatchObject({ name: "dave", isAdmin: false, password: expect.any(String) });
    expect(await signInLocal("dave", added.password!)).toMatchObject({ name: "dave" });
    const own = await addLocalUser(root, { name: "erin", password: "erin-long-password", isAdmin: true });
    expect(own).toEqual({ name: "erin", isAdmin: true });
    await expectAppError(addLocalUser(root, { name: "dave" }), "conflict", 409);
    expect(await db().event.findFirst({ where: { action: "user_add", targetUser: "dave" } })).toMatchObject({ actorName: "root" });
  });

  it("resets a local password: the new one works, the old one and every session do not", async () => {
    const dave = await db().user.findUniqueOrThrow({ where: { name: "dave" } });
    await db().user.update({ where: { id: dave.id }, data: { passwordHash: await hashPassword("old-password-123") } });
    const sid = await createSession(dave.id);
    expect(await checkSession(sid)).toMatchObject({ name: "dave" });
    const r = await resetPassword(root, "dave");
    expect(r).toMatchObject({ name: "dave", sessionsEnded: 1, password: expect.any(String) });
    expect(await checkSession(sid)).toBeNull();
    expect(await signInLocal("dave", "old-password-123")).toBeNull();
    expect(await signInLocal("dave", r.password!)).toMatchObject({ name: "dave" });
    expect(await resetPassword(root, "dave", "chosen-password-1")).toEqual({ name: "dave", sessionsEnded: 0 });
    await expectAppError(resetPassword(root, "dave", "short"), "invalid_input", 422);
    expect(await db().event.count({ where: { action: "user_password_reset", targetUser: "dave" } })).toBe(2);
  });

  it("refuses Jira accounts what Jira decides: their password and their administrator right", async () => {
    await db().user.create({ data: { name: "jill", externalId: "JIRAUSER1", isAdmin: false } });
    const pw = await expectAppError(resetPassword(root, "jill"), "unsupported", 422);
    expect(pw.message).toMatch(/signs in with Jira/);
    const adm = await expectAppError(setUserAdmin(root, "jill", true), "unsupported", 422);
    expect(adm.message).toMatch(/JIRA_ADMIN_GROUPS/);
    expect((await listUsers(root, q({ q: "jill" }))).users[0]).toMatchObject({ source: "jira", isAdmin: false });
  });

  it("makes and unmakes administrators, but an administrator cannot demote, disable or delete themselves", async () => {
    expect(await setUserAdmin(root, "dave", true)).toMatchObject({ isAdmin: true, changed: true });
    expect(await setUserAdmin(root, "dave", false)).toMatchObject({ isAdmin: false, changed: true });
    const self = await expectAppError(setUserAdmin(root, "root", false), "conflict", 409);
    expect(self.message).toMatch(/cannot remove your own administrator rights/);
    await expectAppError(disableUser(root, "root"), "conflict", 409);
    await expectAppError(deleteUser(root, "root"), "conflict", 409);
    expect(await db().user.findUniqueOrThrow({ where: { name: "root" } })).toMatchObject({ isAdmin: true, disabledAt: null });
    expect(await db().event.count({ where: { action: "user_admin", targetUser: "dave" } })).toBe(2);
  });

  it("disabling ends sessions, makes tokens fail, stops running servers with storage kept, and refuses sign-in; enabling undoes it", async () => {
    const password = "frank-password-42";
    await addLocalUser(root, { name: "frank", password });
    const frank = await db().user.findUniqueOrThrow({ where: { name: "frank" } });
    const actor = { id: frank.id, name: "frank", isAdmin: false };
    const work = await createServer(actor, "frank", { name: "work" });
    await startServer(actor, "frank", "work");
    await waitForState(work.id, "running");
    const sid = await createSession(frank.id);
    const { token } = await createToken(actor, "frank", { note: "script", scopes: ["servers"] });
    expect(await verifyToken(token)).not.toBeNull();

    const r = await disableUser(root, "frank", { wait: true });
    expect(r).toMatchObject({ name: "frank", changed: true, sessionsEnded: 1, serversStopped: ["work"], failed: [] });
    expect(await checkSession(sid)).toBeNull();
    expect(await verifyToken(token)).toBeNull();
    expect(await db().server.findUniqueOrThrow({ where: { id: work.id } })).toMatchObject({ state: "stopped" });
    expect(existsSync(path.join(process.env.BERTH_DATA_DIR!, "workspaces", work.id))).toBe(true);
    await expect(signInLocal("frank", password)).rejects.toThrow("disabled");
    expect(await signInLocal("frank", "wrong-password-1")).toBeNull(); // a wrong guess learns nothing
    expect((await listUsers(root, q({ q: "frank" }))).users[0].disabledAt).not.toBeNull();
    expect(await disableUser(root, "frank")).toMatchObject({ changed: false });

    expect(await enableUser(root, "frank")).toEqual({ name: "frank", changed: true });
    expect(await signInLocal("frank", password)).toMatchObject({ name: "frank" });
    expect(await db().event.count({ where: { targetUser: "frank", action: { in: ["user_disable", "user_enable"] } } })).toBe(2);
    expect(await db().event.findFirst({ where: { targetUser: "frank", action: "stop", serverName: "work" } })).toMatchObject({ actorName: "root", reason: "user disabled" });
  });

  it("never leaves no administrator who can sign in", async () => {
    await disableUser(root, "erin");
    await disableUser(SYSTEM, "boss");
    const last = await expectAppError(disableUser(SYSTEM, "root"), "conflict", 409);
    expect(last.message).toMatch(/only administrator who can sign in/);
    await enableUser(root, "boss");
  });

  it("deleting stops running servers first, then removes the user, their servers and storage", async () => {
    const frank = await db().user.findUniqueOrThrow({ where: { name: "frank" } });
    const work = await db().server.findFirstOrThrow({ where: { ownerId: frank.id, name: "work" } });
    await startServer(root, "frank", "work");
    await waitForState(work.id, "running");
    const detail = await describeUser(root, "frank");
    expect(detail.servers.map((s) => [s.label, s.state])).toEqual([["work", "running"]]);
    expect(detail.servers[0].storageUsed).toEqual(expect.any(Number));

    const r = await deleteUser(root, "frank");
    expect(r).toMatchObject({ name: "frank", servers: ["work"], stopped: ["work"], storageLeft: [] });
    expect(await db().user.count({ where: { name: "frank" } })).toBe(0);
    expect(existsSync(path.join(process.env.BERTH_DATA_DIR!, "workspaces", work.id))).toBe(false);
    expect(await db().event.findFirst({ where: { action: "user_remove", targetUser: "frank" } })).toMatchObject({ actorName: "root" });
  });
});

describe("/api/admin/users routes", () => {
  const call = async (handler: (req: Request, ctx: never) => Promise<Response>, method: string, url: string, token: string, body?: unknown, params: Record<string, string> = {}) => {
    const req = new Request(`http://localhost:3000${url}`, {
      method,
      headers: { authorization: `token ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return handler(req, { params: Promise.resolve(params) } as never);
  };

  it("answer 403 on every route to someone who is not an administrator, and change nothing", async () => {
    const { token } = await createToken(carol, "carol", { note: "not an admin" });
    const changes = () => db().event.count({ where: { action: { not: "token_use" } } });
    const before = await changes();
    const u = { user: "dave" };
    const answers = [
      await call(listRoute, "GET", "/api/admin/users", token),
      await call(addRoute, "POST", "/api/admin/users", token, { name: "mallory" }),
      await call(describeRoute, "GET", "/api/admin/users/dave", token, undefined, u),
      await call(deleteRoute, "DELETE", "/api/admin/users/dave", token, undefined, u),
      await call(passwordRoute, "POST", "/api/admin/users/dave/password", token, {}, u),
      await call(adminRoute, "PUT", "/api/admin/users/dave/admin", token, { admin: true }, u),
      await call(disableRoute, "POST", "/api/admin/users/dave/disable", token, undefined, u),
      await call(enableRoute, "POST", "/api/admin/users/dave/enable", token, undefined, u),
    ];
    for (const res of answers) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: "forbidden", message: "Only administrators can do this." });
    }
    expect(await db().user.count({ where: { name: "mallory" } })).toBe(0);
    expect(await db().user.findUniqueOrThrow({ where: { name: "dave" } })).toMatchObject({ isAdmin: false, disabledAt: null });
    expect(await changes()).toBe(before);
  });

  it("serve an administrator's token: list, add (password once), refuse bad input and a token without admin:users", async () => {
    const { token } = await createToken(root, "root", { note: "ops", scopes: ["admin:users"] });
    const list = await call(listRoute, "GET", "/api/admin/users?q=user-00&sort=running&page=1", token);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { users: { name: string }[] }).users[0].name).toBe("user-007");
    expect((await call(listRoute, "GET", "/api/admin/users?sort=password_hash", token)).status).toBe(422);

    const added = await call(addRoute, "POST", "/api/admin/users", token, { name: "gina" });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ name: "gina", password: expect.any(String) });
    const detail = await call(describeRoute, "GET", "/api/admin/users/gina", token, undefined, { user: "gina" });
    expect(JSON.stringify(await detail.json())).not.toMatch(/password/i);

    const self = await call(disableRoute, "POST", "/api/admin/users/root/disable", token, undefined, { user: "root" });
    expect(self.status).toBe(409);
    expect(((await self.json()) as { message: string }).message).toMatch(/cannot disable your own account/);

    const readOnly = (await createToken(root, "root", { note: "read", scopes: ["read:users"] })).token;
    expect((await call(listRoute, "GET", "/api/admin/users", readOnly)).status).toBe(200);
    const refused = await call(disableRoute, "POST", "/api/admin/users/gina/disable", readOnly, undefined, { user: "gina" });
    expect(refused.status).toBe(403);
    expect(await db().user.findUniqueOrThrow({ where: { name: "gina" } })).toMatchObject({ disabledAt: null });
    const gone = await call(deleteRoute, "DELETE", "/api/admin/users/gina", token, undefined, { user: "gina" });
    expect(gone.status).toBe(200);
    expect(await db().user.count({ where: { name: "gina" } })).toBe(0);
  });
});
