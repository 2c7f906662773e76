import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { db } from "../../lib/db/client";
import { createProxy } from "../../lib/proxy/proxy";
import { invalidateRoute } from "../../lib/proxy/route-cache";
import { createUserHostHandler } from "../../lib/proxy/user-host-proxy";
import type { Actor } from "../../lib/auth/actor";
import { authorizeUserHost } from "../../lib/user-hosts/authorize";
import { matchUserHost } from "../../lib/user-hosts/host";
import { mintCredential, RENEW_AFTER_SECONDS, verify, type Credential } from "../../lib/user-hosts/tokens";
import { makeUser } from "../helpers";
import { request, sessionCookie } from "../helpers/proxy-harness";

// The user-host side of BERTH_USER_SERVERS_HOST with lib/server/main.ts's host routing, in front of
// a stand-in upstream that records what it receives: the hand-off, the credential check, and that
// neither Berth's nor the user host's cookies reach the server. Berth's authorize step runs against
// the real database and real session cookies.

process.env.BERTH_USER_SERVERS_HOST = "*.users.test";
process.env.BERTH_PUBLIC_URL = "http://berth.test";

const ALICE_HOST = "alice.users.test";
let alice: Actor, bob: Actor;
let aliceSession: string, bobSession: string, adminSession: string;
let server: http.Server, upstream: http.Server, wss: WebSocketServer;
let port = 0;
const seen: http.IncomingHttpHeaders[] = [];
const seenWs: http.IncomingHttpHeaders[] = [];
let close: () => void;

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  const admin = await makeUser("root", true);
  [aliceSession, bobSession, adminSession] = await Promise.all([sessionCookie(alice), sessionCookie(bob), sessionCookie(admin)]);

  upstream = http.createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === "/user/alice/page") return void res.writeHead(200, { "content-type": "text/html" }).end("<html><head><title>p</title></head><body>p</body></html>");
    res.writeHead(200, { "content-type": "application/json", "set-cookie": "_xsrf=jupyter; Path=/" }).end(JSON.stringify({ path: req.url }));
  });
  wss = new WebSocketServer({ server: upstream });
  wss.on("connection", (socket, req) => {
    seenWs.push(req.headers);
    socket.send("hello");
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  await db().server.create({
    data: { ownerId: alice.id!, name: "", profile: "default", token: "upstream-secret", state: "running", upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` },
  });
  invalidateRoute("alice");

  const proxy = createProxy();
  const hosts = createUserHostHandler(proxy);
  server = http.createServer((req, res) => {
    const label = matchUserHost(req.headers.host);
    if (label !== null) void hosts.web(req, res, label);
    else if ((req.url ?? "").startsWith("/user/")) hosts.onBerthHost(req, res);
    else res.writeHead(404).end();
  });
  server.on("upgrade", (req, socket, head) => {
    const label = matchUserHost(req.headers.host);
    if (label !== null) void hosts.ws(req, socket, head, label);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  close = () => proxy.close();
});

afterAll(async () => {
  close?.();
  for (const c of wss?.clients ?? []) c.terminate();
  wss?.close();
  server?.closeAllConnections();
  upstream?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
});

const on = (host: string, path: string, headers: Record<string, string> = {}, method = "GET") =>
  request(`http://127.0.0.1:${port}${path}`, { method, headers: { Host: host, ...headers } });
const html = { Accept: "text/html" };
const setCookies = (h: http.IncomingHttpHeaders) => h["set-cookie"] ?? [];
const cookieOf = (setCookie: string) => setCookie.split(";")[0];

/** The whole hand-off as a browser does it; returns the credential cookie ("name=value"). */
async function handOff(session: string, path = "/user/alice/tree"): Promise<string> {
  const start = await on(ALICE_HOST, path, html);
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.location!);
  const state = cookieOf(setCookies(start.headers)[0]);
  const answer = await authorizeUserHost(authorize.searchParams, session);
  expect(answer.kind).toBe("ticket");
  const back = new URL(answer.location);
  const done = await on(back.host, `${back.pathname}${back.search}`, { ...html, Cookie: state });
  expect(done.status).toBe(302);
  expect(done.headers.location).toBe(path);
  return cookieOf(setCookies(done.headers).find((c) => c.startsWith("berth-user-auth="))!);
}

describe("a user host", () => {
  it("sends a browser without a credential to Berth's authorize step with a state cookie", async () => {
    const r = await on(ALICE_HOST, "/user/alice/tree?x=1", html);
    expect(r.status).toBe(302);
    const to = new URL(r.headers.location!);
    expect(`${to.origin}${to.pathname}`).toBe("http://berth.test/api/user-servers/authorize");
    expect(to.searchParams.get("next")).toBe("http://alice.users.test/user/alice/tree?x=1");
    const [state] = setCookies(r.headers);
    expect(state).toMatch(/^berth-user-state=[\w-]{20,}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
    expect(to.searchParams.get("state")).toBe(cookieOf(state).split("=")[1]);
    // Scripts and tools get 401, never a redirect.
    expect((await on(ALICE_HOST, "/user/alice/api/status")).status).toBe(401);
  });

  it("trades a ticket for a host-only credential once, and only in the browser that asked", async () => {
    const start = await on(ALICE_HOST, "/user/alice/tree", html);
    const state = cookieOf(setCookies(start.headers)[0]);
    const answer = await authorizeUserHost(new URL(start.headers.location!).searchParams, aliceSession);
    const back = new URL(answer.location);
    expect(back.host).toBe(ALICE_HOST);
    const path = `${back.pathname}${back.search}`;

    // Another browser (no state cookie) cannot use it: it starts a hand-off of its own instead.
    const stolen = await on(ALICE_HOST, path, html);
    expect(stolen.status).toBe(302);
    expect(setCookies(stolen.headers).some((c) => c.startsWith("berth-user-auth="))).toBe(false);

    const ok = await on(ALICE_HOST, path, { ...html, Cookie: state });
    expect(ok.status).toBe(302);
    const cred = setCookies(ok.headers).find((c) => c.startsWith("berth-user-auth="))!;
    expect(cred).toMatch(/; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    expect(cred).not.toMatch(/Domain=/i);
    expect(setCookies(ok.headers)).toContain("berth-user-state=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");

    // A replay, even with the state cookie, mints nothing.
    const again = await on(ALICE_HOST, path, { ...html, Cookie: state });
    expect(setCookies(again.headers).some((c) => c.startsWith("berth-user-auth="))).toBe(false);
    // A ticket for alice's host is nothing on bob's.
    const elsewhere = await on("bob.users.test", path, { ...html, Cookie: state });
    expect(elsewhere.status).toBe(400);
  });

  it("lets the credential through to the server, without Berth's or the host's cookies", async () => {
    const cred = await handOff(aliceSession);
    const r = await on(ALICE_HOST, "/user/alice/api/x?y=1", { Cookie: `${aliceSession}; theme=dark; ${cred}; berth-user-state=zzz; _xsrf=jupyter` });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ path: "/user/alice/api/x?y=1" });
    const h = seen.at(-1)!;
    expect(h.cookie).toBe("theme=dark; _xsrf=jupyter");
    expect(h.authorization).toBe("token upstream-secret");
    expect(h.host).toBe(ALICE_HOST);

    const ws = new WebSocket(`ws://127.0.0.1:${port}/user/alice/api/kernels/k/channels`, { headers: { Host: ALICE_HOST, Origin: `http://${ALICE_HOST}`, Cookie: `${cred}; theme=dark` } });
    const first = await new Promise<string>((resolve, reject) => {
      ws.on("message", (d) => resolve(String(d)));
      ws.on("error", reject);
    }).finally(() => ws.close());
    expect(first).toBe("hello");
    expect(seenWs.at(-1)!.cookie).toBe("theme=dark");
  });

  it("refuses WebSockets and requests from another origin, and credentials for another host", async () => {
    const cred = await handOff(aliceSession);
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/user/alice/api/kernels/k/channels`, { headers: { Host: ALICE_HOST, Origin: "http://bob.users.test", Cookie: cred } });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => reject(new Error("a WebSocket from another origin was let through")));
      ws.on("error", () => undefined);
    });
    expect(status).toBe(403);
    const before = seen.length;
    expect((await on(ALICE_HOST, "/user/alice/api/contents", { Cookie: cred, Origin: "http://bob.users.test" }, "POST")).status).toBe(403);
    expect((await on(ALICE_HOST, "/user/alice/api/contents", { Cookie: cred, "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors" })).status).toBe(403);
    expect((await on("bob.users.test", "/user/bob/api/status", { Cookie: cred })).status).toBe(401);
    // Berth's session is no key to a user host.
    expect((await on(ALICE_HOST, "/user/alice/api/status", { Cookie: aliceSession })).status).toBe(401);
    expect(seen.length).toBe(before);
  });

  it("renews a credential that has been in use a while, beside the server's own cookies", async () => {
    const cred = await handOff(aliceSession);
    const payload = verify<Credential>(cred.split("=")[1], "credential")!;
    const old = mintCredential(payload, Date.now() - (RENEW_AFTER_SECONDS + 5) * 1000);
    const r = await on(ALICE_HOST, "/user/alice/api/x", { Cookie: `berth-user-auth=${old.value}` });
    expect(r.status).toBe(200);
    const cookies = setCookies(r.headers);
    expect(cookies[0]).toMatch(/^_xsrf=jupyter/);
    const renewed = verify<Credential>(cookieOf(cookies.find((c) => c.startsWith("berth-user-auth="))!).split("=")[1], "credential")!;
    expect(renewed.exp).toBeGreaterThan(old.exp);
    // A fresh one is not renewed on every request.
    const fresh = await on(ALICE_HOST, "/user/alice/api/x", { Cookie: cred });
    expect(setCookies(fresh.headers).some((c) => c.startsWith("berth-user-auth="))).toBe(false);
  });

  it("sends Berth's /user/ addresses to the owner's host and serves nothing else of Berth's", async () => {
    const r = await on("berth.test", "/user/alice/tree?x=1");
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe("http://alice.users.test/user/alice/tree?x=1");
    expect((await on("berth.test", "/user/alice/api/contents", {}, "POST")).status).toBe(404);
    expect((await on(ALICE_HOST, "/servers", html)).status).toBe(404);
    expect((await on(ALICE_HOST, "/user/bob/tree", html)).status).toBe(404);
  });
});

describe("Berth's authorize step", () => {
  const params = (next: string) => new URLSearchParams({ next, state: "s".repeat(24) });

  it("sends a visitor without a session to sign in, and back here afterwards", async () => {
    const a = await authorizeUserHost(params("http://alice.users.test/user/alice/"), null);
    expect(a.kind).toBe("signin");
    const cb = new URL(a.location, "http://berth.test").searchParams.get("callbackUrl")!;
    expect(cb).toMatch(/^\/api\/user-servers\/authorize\?next=/);
  });

  it("lets the owner and an administrator in, nobody else", async () => {
    expect((await authorizeUserHost(params("http://alice.users.test/user/alice/"), aliceSession)).kind).toBe("ticket");
    expect((await authorizeUserHost(params("http://alice.users.test/user/alice/"), adminSession)).kind).toBe("ticket");
    await expect(authorizeUserHost(params("http://alice.users.test/user/alice/"), bobSession)).rejects.toMatchObject({ status: 403 });
  });

  it.each([
    "https://alice.users.test/user/alice/",
    "http://alice.users.test/user/bob/",
    "http://bob.users.test/user/alice/",
    "http://alice.users.test/user/alice/../bob/",
    "http://alice.users.test/servers",
    "http://berth.test/user/alice/",
    "http://evil.example/user/alice/",
    "http://x@alice.users.test/user/alice/",
    "/user/alice/",
  ])("refuses to return to %s", async (next) => {
    await expect(authorizeUserHost(params(next), aliceSession)).rejects.toMatchObject({ status: 400 });
  });
});

describe("the Berth bar on a user host", () => {
  it("is on the server's pages with links to Berth's own address; Jupyter's logout goes to Berth's sign-out there", async () => {
    const credential = await handOff(aliceSession, "/user/alice/page");
    const page = await on(ALICE_HOST, "/user/alice/page", { ...html, "Sec-Fetch-Dest": "document", Cookie: credential });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/_berth/bar.js?v=');
    expect(page.body).toContain('data-berth="http://berth.test" data-prefix="/user/alice/"');
    expect(Number(page.headers["content-length"])).toBe(Buffer.byteLength(page.body));

    const out = await on(ALICE_HOST, "/user/alice/logout", { ...html, "Sec-Fetch-Dest": "document", Cookie: credential });
    expect(out.status).toBe(302);
    expect(out.headers.location).toBe("http://berth.test/signout?from=%2Fuser%2Falice%2F");

    const status = await on(ALICE_HOST, "/user/alice/_berth/status", { Cookie: credential });
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ state: "running", warningSeconds: 600 });
    // Another origin (a sibling user host) cannot keep it running.
    const other = await on(ALICE_HOST, "/user/alice/_berth/keep-running", { Cookie: credential, Origin: "http://bob.users.test" }, "POST");
    expect(other.status).toBe(403);
    const own = await on(ALICE_HOST, "/user/alice/_berth/keep-running", { Cookie: credential, Origin: "http://alice.users.test", "Sec-Fetch-Site": "same-origin" }, "POST");
    expect(own.status).toBe(200);
  });
});
