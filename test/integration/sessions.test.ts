import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import type { Session } from "next-auth";
import { decode, encode, type JWT } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { authOptions, sessionCookieName, type SessionUser } from "../../lib/auth/options";
import { proxySession } from "../../lib/auth/proxy-session";
import { removeUser } from "../../lib/users/remove-user";
import { authSecret } from "../../lib/auth/secret";
import { setAdmin } from "../../lib/auth/set-admin";
import { signOutEverywhere } from "../../lib/auth/sign-out-everywhere";
import { pruneSessions, SessionChecker } from "../../lib/auth/user-sessions";
import { db } from "../../lib/db/client";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { expectAppError, makeUser, waitFor, waitForState } from "../helpers";
import { executeOnKernel, openKernelSocket } from "../helpers/kernel";
import { request, signedInSession, startProxyServer } from "../helpers/proxy-harness";
import { ACK_COOKIE, ackValue } from "../../lib/proxy/admin-ack";

// Server-side sessions (issue 9, point 4): a session cookie is only as good as its row. Sign-out,
// "sign out everywhere", removal and demotion end or narrow access for the pages and the API (the
// session callback getServerSession runs) and for the proxy (HTTP and open WebSockets), on this
// replica at once and on every other within BERTH_SESSION_CHECK_SECONDS. "Another replica" is a
// second SessionChecker over the same database, or a second process: the CLI.

const CHECK_SECONDS = 2;
process.env.BERTH_SESSION_CHECK_SECONDS = String(CHECK_SECONDS);
// Generous: a few check lifetimes, plus the CLI's start-up on a busy machine.
const WITHIN = 30_000;
const ROOT = path.resolve(import.meta.dirname, "../..");

let proxy: Awaited<ReturnType<typeof startProxyServer>>;
let alice: Actor, root: Actor, bob: Actor;
let workId: string;

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  root = await makeUser("root", true);
  await makeUser("boss", true);
  const work = await createServer(alice, "alice", { name: "work" });
  workId = work.id;
  await startServer(alice, "alice", "work");
  proxy = await startProxyServer();
  await waitForState(workId, "running");
});

afterAll(async () => {
  await proxy?.close();
  await runtime().shutdown();
});

const statusUrl = () => `${proxy.origin}/user/alice/work/api/status`;
const proxyStatus = async (cookie: string) => (await request(statusUrl(), { headers: { Cookie: cookie } })).status;

/** Signs in through next-auth's own jwt callback, as the credentials flow does; returns the cookie and token. */
async function signIn(user: Actor): Promise<{ cookie: string; token: JWT }> {
  const signedIn = { id: user.id!, name: user.name, displayName: null, isAdmin: user.isAdmin, userAgent: "vitest", address: "127.0.0.1" };
  const token = await authOptions().callbacks!.jwt!({ token: { name: user.name, sub: user.id! }, user: signedIn, account: null });
  const jwt = await encode({ token, secret: authSecret() });
  return { cookie: `${sessionCookieName()}=${jwt}`, token };
}

/** What getServerSession (hence currentUser and requireActor) makes of the cookie. */
async function pageUser(cookie: string): Promise<SessionUser | null> {
  const token = await decode({ token: cookie.slice(cookie.indexOf("=") + 1), secret: authSecret() });
  if (!token) return null;
  const session = (await authOptions().callbacks!.session!({ session: { expires: new Date(Date.now() + 3600_000).toISOString() } as Session, token } as never)) as Session;
  return session.user?.id ? session.user : null;
}

async function berthCli(args: string[]) {
  try {
    const { stdout } = await promisify(execFile)("npx", ["tsx", "lib/cli/main.ts", ...args], { cwd: ROOT, env: process.env, timeout: 60_000 });
    return { code: 0, stdout, stderr: "" };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("signing in and out", () => {
  it("a sign-in records a session row, and its cookie works for pages and the proxy", async () => {
    const { cookie, token } = await signIn(alice);
    expect(typeof token.sid).toBe("string");
    const row = await db().userSession.findUniqueOrThrow({ where: { id: token.sid as string } });
    expect(row).toMatchObject({ userId: alice.id, revokedAt: null, userAgent: "vitest", address: "127.0.0.1" });
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(await pageUser(cookie)).toEqual({ id: alice.id, name: "alice", displayName: null, isAdmin: false });
    expect(await proxyStatus(cookie)).toBe(200);
  });

  it("a cookie copied before sign-out is refused after it, by the pages and by the proxy", async () => {
    const { cookie, token } = await signIn(alice);
    const copy = cookie; // what someone who copied it before sign-out holds
    expect(await proxyStatus(copy)).toBe(200);
    await authOptions().events!.signOut!({ token, session: undefined as never });
    // The replica that signed the person out knows at once.
    expect(await pageUser(copy)).toBeNull();
    expect(await proxyStatus(copy)).toBe(401);
    const row = await db().userSession.findUniqueOrThrow({ where: { id: token.sid as string } });
    expect(row.revokedAt).toBeInstanceOf(Date);
    expect(row.revokedReason).toBe("signed out");
    expect(await db().event.count({ where: { action: "signout", targetUser: "alice" } })).toBe(1);
  });

  it("another replica honours a sign-out within its check lifetime", async () => {
    const { cookie, token } = await signIn(alice);
    const otherReplica = new SessionChecker(() => CHECK_SECONDS * 1000);
    expect(await otherReplica.check(token.sid)).toMatchObject({ name: "alice" });
    await authOptions().events!.signOut!({ token, session: undefined as never });
    expect(await proxyStatus(cookie)).toBe(401);
    await waitFor("the other replica to see the sign-out", async () => (await otherReplica.check(token.sid)) === null, WITHIN);
  });

  it("reassembles a session cookie next-auth split over several cookies", async () => {
    const { cookie } = await signedInSession(alice);
    const value = cookie.slice(cookie.indexOf("=") + 1);
    const mid = Math.floor(value.length / 2);
    const name = sessionCookieName();
    expect(await proxySession(`${name}.0=${value.slice(0, mid)}; ${name}.1=${value.slice(mid)}`)).toEqual({ name: "alice", isAdmin: false });
  });

  it("refuses a well-formed cookie whose session id was never recorded", async () => {
    const forged = await encode({ token: { sid: randomUUID(), uid: alice.id!, uname: "alice", isAdmin: true }, secret: authSecret() });
    expect(await proxyStatus(`${sessionCookieName()}=${forged}`)).toBe(401);
    expect(await pageUser(`${sessionCookieName()}=${forged}`)).toBeNull();
  });
});

describe("sign out everywhere", () => {
  it("ends all of a person's sessions, on every replica, and no one else's", async () => {
    const mine = await Promise.all([signIn(alice), signIn(alice), signedInSession(alice)]);
    const bobs = await signIn(bob);
    const replicaA = new SessionChecker(() => CHECK_SECONDS * 1000);
    const replicaB = new SessionChecker(() => CHECK_SECONDS * 1000);
    const sids = [mine[0].token.sid, mine[1].token.sid, mine[2].sid];
    for (const r of [replicaA, replicaB]) for (const sid of sids) expect(await r.check(sid)).toMatchObject({ name: "alice" });
    for (const m of mine) expect(await proxyStatus(m.cookie)).toBe(200);

    // Bob may not sign Alice out; nothing changes.
    await expectAppError(signOutEverywhere(bob, "alice"), "forbidden", 403);
    for (const m of mine) expect(await proxyStatus(m.cookie)).toBe(200);

    const r = await signOutEverywhere(alice, "alice");
    expect(r.sessionsEnded).toBeGreaterThanOrEqual(3);
    for (const m of mine) {
      expect(await proxyStatus(m.cookie)).toBe(401);
      expect(await pageUser(m.cookie)).toBeNull();
    }
    await waitFor("both replicas to see every session ended", async () => {
      for (const rep of [replicaA, replicaB]) for (const sid of sids) if ((await rep.check(sid)) !== null) return false;
      return true;
    }, WITHIN);
    expect(await pageUser(bobs.cookie)).toMatchObject({ name: "bob" });
    expect(await db().event.findFirst({ where: { action: "signout_all", targetUser: "alice" } })).toMatchObject({ actorName: "alice", details: { sessions: r.sessionsEnded } });
  });

  it("by an administrator through the CLI (another process): the proxy here refuses within seconds", async () => {
    const { cookie } = await signIn(alice);
    expect(await proxyStatus(cookie)).toBe(200);
    const out = await berthCli(["user", "signout", "alice"]);
    expect(out.stderr).toBe("");
    expect(out.stdout).toMatch(/Signed "alice" out everywhere \(1 active session ended\)/);
    await waitFor("the proxy to refuse the signed-out cookie", async () => (await proxyStatus(cookie)) === 401, WITHIN);
    expect(await pageUser(cookie)).toBeNull();
  });

  it("closes a kernel WebSocket already open through the proxy", async () => {
    const { cookie } = await signIn(alice);
    const created = await request(`${proxy.origin}/user/alice/work/api/kernels`, {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "python3" }),
    });
    expect(created.status).toBe(201);
    const kernelId = (JSON.parse(created.body) as { id: string }).id;
    const ws = await openKernelSocket(`ws://127.0.0.1:${proxy.port}/user/alice/work/api/kernels/${kernelId}/channels?session_id=${randomUUID()}`, cookie);
    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    expect((await executeOnKernel(ws, "print(6*7)")).trim()).toBe("42");
    await signOutEverywhere(alice, "alice");
    await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });
});

describe("administrator rights", () => {
  it("a demoted administrator loses access to another person's server within seconds, and regains it when promoted", async () => {
    const signedIn = await signIn(root);
    // An administrator opening someone else's server has confirmed the warning first (admin-ack.ts).
    const work = await db().server.findFirstOrThrow({ where: { name: "work", owner: { name: "alice" } } });
    const cookie = `${signedIn.cookie}; ${ACK_COOKIE}=${ackValue("root", work.id)}`;
    expect(await proxyStatus(cookie)).toBe(200);
    expect(await pageUser(signedIn.cookie)).toMatchObject({ name: "root", isAdmin: true });

    // Demoted by another process: this replica learns through its check lifetime.
    const out = await berthCli(["user", "admin", "root", "--off"]);
    expect(out.stdout).toMatch(/"root" is now not an administrator/);
    await waitFor("the proxy to refuse the demoted administrator", async () => (await proxyStatus(cookie)) === 403, WITHIN);
    expect(await pageUser(signedIn.cookie)).toMatchObject({ name: "root", isAdmin: false });

    await setAdmin("root", true);
    expect(await proxyStatus(cookie)).toBe(200);
    expect(await db().event.count({ where: { action: "user_admin", targetUser: "root" } })).toBe(2);
  });

  it("refuses to demote or remove the last administrator", async () => {
    await setAdmin("root", false);
    await expectAppError(setAdmin("boss", false), "conflict", 409);
    await expectAppError(removeUser("boss"), "conflict", 409);
    expect(await db().user.findUniqueOrThrow({ where: { name: "boss" } })).toMatchObject({ isAdmin: true });
    await setAdmin("root", true);
  });
});

describe("removing a user", () => {
  it("is refused while their server runs, changing nothing; once stopped, removes them and their sessions end", async () => {
    const { cookie } = await signIn(alice);
    const copy = await signedInSession(alice);
    const otherReplica = new SessionChecker(() => CHECK_SECONDS * 1000);
    expect(await otherReplica.check(copy.sid)).toMatchObject({ name: "alice" });

    const refused = await berthCli(["user", "remove", "alice"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/"alice" still has servers that are not stopped: work \(running\)\. Stop them first/);
    expect(await proxyStatus(cookie)).toBe(200);
    expect(await db().user.count({ where: { name: "alice" } })).toBe(1);

    await stopServer(root, "alice", "work");
    const workspace = path.join(process.env.BERTH_DATA_DIR!, "workspaces", workId);
    expect(existsSync(workspace)).toBe(true);
    const removed = await removeUser("alice", root);
    expect(removed).toMatchObject({ name: "alice", servers: expect.arrayContaining(["work"]), storageLeft: [] });
    expect(await pageUser(cookie)).toBeNull();
    expect((await request(statusUrl(), { headers: { Cookie: cookie } })).status).toBe(401);
    expect(await db().userSession.count({ where: { userId: alice.id! } })).toBe(0);
    expect(await db().server.count({ where: { id: workId } })).toBe(0);
    expect(existsSync(workspace)).toBe(false);
    await waitFor("the other replica to see the user gone", async () => (await otherReplica.check(copy.sid)) === null, WITHIN);
    expect(await db().event.findFirst({ where: { action: "user_remove", targetUser: "alice" } })).toMatchObject({ actorName: "root" });
  });
});

describe("pruning", () => {
  it("deletes expired sessions and ones revoked over a day ago, keeps the rest", async () => {
    const [live, fresh, old, expired] = await Promise.all([0, 1, 2, 3].map(() => signedInSession(bob)));
    const day = 24 * 3600_000;
    await db().userSession.update({ where: { id: fresh.sid }, data: { revokedAt: new Date(Date.now() - 60_000) } });
    await db().userSession.update({ where: { id: old.sid }, data: { revokedAt: new Date(Date.now() - day - 60_000) } });
    await db().userSession.update({ where: { id: expired.sid }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await pruneSessions()).toBeGreaterThanOrEqual(2);
    const left = (await db().userSession.findMany({ where: { id: { in: [live.sid, fresh.sid, old.sid, expired.sid] } } })).map((r) => r.id);
    expect(left.sort()).toEqual([live.sid, fresh.sid].sort());
  });
});
