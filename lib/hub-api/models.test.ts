import { describe, expect, it } from "vitest";
import { hubScopes, progressPath, serverModel, serverPath, serverStatus, tokenModel, userModel, type ServerRow, type UserRow } from "./models";

const base = { publicUrl: "https://berth.example.org" };
const t0 = new Date("2026-11-30T10:00:00.000Z");
const t1 = new Date("2026-11-30T11:00:00.000Z");
const t2 = new Date("2026-11-30T12:00:00.000Z");

const server = (over: Partial<ServerRow> = {}): ServerRow => ({ name: "work", state: "running", profile: "small", startedAt: t1, lastActivityAt: t2, ...over });
const alice: UserRow = { name: "alice", isAdmin: false, createdAt: t0, lastLoginAt: t1 };

// JupyterHub 5's Server and User models (docs/source/_static/rest-api.yml; apihandlers/base.py).
const SERVER_KEYS = ["full_name", "full_progress_url", "full_url", "last_activity", "name", "pending", "progress_url", "ready", "started", "stopped", "url", "user_options"];
const USER_KEYS = ["admin", "created", "groups", "kind", "last_activity", "name", "pending", "roles", "server", "servers"];

describe("JupyterHub server model", () => {
  it("maps each Berth state onto pending / ready / stopped", () => {
    expect(serverStatus("starting")).toEqual({ pending: "spawn", ready: false, stopped: false });
    expect(serverStatus("running")).toEqual({ pending: null, ready: true, stopped: false });
    expect(serverStatus("stopping")).toEqual({ pending: "stop", ready: false, stopped: false });
    expect(serverStatus("deleting")).toEqual({ pending: "stop", ready: false, stopped: false });
    expect(serverStatus("stopped")).toEqual({ pending: null, ready: false, stopped: true });
    // A failed start leaves nothing running: JupyterHub shows it stopped.
    expect(serverStatus("failed")).toEqual({ pending: null, ready: false, stopped: true });
  });

  it("has JupyterHub 5's fields, paths and full URLs", () => {
    const m = serverModel("alice", server(), base);
    expect(Object.keys(m).sort()).toEqual(SERVER_KEYS);
    expect(m).toMatchObject({
      name: "work",
      full_name: "alice/work",
      url: "/user/alice/work/",
      progress_url: "/hub/api/users/alice/servers/work/progress",
      full_url: "https://berth.example.org/user/alice/work/",
      full_progress_url: "https://berth.example.org/hub/api/users/alice/servers/work/progress",
      started: t1.toISOString(),
      last_activity: t2.toISOString(),
      user_options: { profile: "small" },
    });
  });

  it("names the default server '' with JupyterHub's default-server paths", () => {
    const m = serverModel("alice", server({ name: "" }), base);
    expect(m).toMatchObject({ name: "", full_name: "alice/", url: "/user/alice/", progress_url: "/hub/api/users/alice/server/progress" });
    expect(progressPath("alice", "")).toBe("/hub/api/users/alice/server/progress");
  });

  it("clears `started` once a server is stopped, as JupyterHub does, and keeps its last activity", () => {
    const m = serverModel("alice", server({ state: "stopped" }), base);
    expect(m.started).toBeNull();
    expect(m.last_activity).toBe(t2.toISOString());
  });

  it("escapes names in paths and answers full URLs on the person's own host when servers have one", () => {
    expect(serverPath("a+b@x", "")).toBe("/user/a%2Bb%40x/");
    const m = serverModel("alice", server(), { ...base, userOrigin: (u) => `https://${u}.notebooks.example.org` });
    expect(m.url).toBe("https://alice.notebooks.example.org/user/alice/work/");
    expect(m.full_url).toBe(m.url);
    expect(m.full_progress_url).toBe("https://berth.example.org/hub/api/users/alice/servers/work/progress");
  });
});

describe("JupyterHub user model", () => {
  const full = { readUsers: true, readServers: true };

  it("has JupyterHub's fields with read:users and read:servers, and lists only active servers by default", () => {
    const m = userModel(alice, [server(), server({ name: "idle", state: "stopped", lastActivityAt: t0 }), server({ name: "", state: "starting" })], full, base);
    expect(Object.keys(m).sort()).toEqual(USER_KEYS);
    expect(m).toMatchObject({ kind: "user", name: "alice", admin: false, groups: [], roles: ["user"], created: t0.toISOString(), pending: "spawn", server: null });
    expect(Object.keys(m.servers as object).sort()).toEqual(["", "work"]);
    // The latest of signing in and any server's activity.
    expect(m.last_activity).toBe(t2.toISOString());
  });

  it("includes stopped servers when asked (include_stopped_servers)", () => {
    const m = userModel(alice, [server(), server({ name: "idle", state: "stopped" })], full, base, { includeStopped: true });
    expect(Object.keys(m.servers as object).sort()).toEqual(["idle", "work"]);
  });

  it("points `server` at the default server only while it runs; administrators have the admin role", () => {
    expect(userModel(alice, [server({ name: "" })], full, base).server).toBe("/user/alice/");
    const root = userModel({ ...alice, name: "root", isAdmin: true }, [], full, base);
    expect(root).toMatchObject({ admin: true, roles: ["admin", "user"], server: null, pending: null, servers: {} });
  });

  it("shows only what the scopes allow (JupyterHub's access map)", () => {
    expect(Object.keys(userModel(alice, [server()], { readUsers: false, readServers: true }, base)).sort()).toEqual(["kind", "name", "servers"]);
    expect(Object.keys(userModel(alice, [server()], { readUsers: true, readServers: false }, base))).not.toContain("servers");
    // Identifying oneself always shows name, admin and groups, whatever the token's scopes.
    expect(Object.keys(userModel(alice, [], { readUsers: false, readServers: false, identify: true }, base)).sort()).toEqual(["admin", "groups", "kind", "name"]);
  });
});

describe("scopes and tokens", () => {
  it("writes a non-administrator's scopes filtered to their own user, expanded", () => {
    expect(hubScopes("alice", false, ["servers"])).toEqual(["read:servers!user=alice", "servers!user=alice"]);
    expect(hubScopes("root", true, ["admin:servers"])).toEqual(["admin:servers", "read:servers", "servers"]);
  });

  it("has JupyterHub's token fields and never the token itself", () => {
    const m = tokenModel({
      id: "0b5c6a8e-4f1e-4c55-9b2c-6f0f1f7c2d11",
      user: "alice",
      note: "ci",
      scopes: ["servers", "read:servers"],
      prefix: "berth_AbCdEf",
      createdAt: t0.toISOString(),
      expiresAt: t2.toISOString(),
      lastUsedAt: null,
      createdBy: null,
      expired: false,
    });
    expect(Object.keys(m).sort()).toEqual(["created", "expires_at", "id", "kind", "last_activity", "note", "oauth_client", "roles", "scopes", "session_id", "user"]);
    expect(m).toMatchObject({ user: "alice", kind: "api_token", roles: [], scopes: ["read:servers", "servers"], created: t0.toISOString(), expires_at: t2.toISOString(), last_activity: null, note: "ci" });
    expect(JSON.stringify(m)).not.toContain("berth_");
  });
});
