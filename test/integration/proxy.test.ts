import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { sessionCookieName } from "../../lib/auth/options";
import { db } from "../../lib/db/client";
import { flushActivity } from "../../lib/proxy/activity";
import { ACK_COOKIE, ackValue } from "../../lib/proxy/admin-ack";
import { invalidateRoute } from "../../lib/proxy/route-cache";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { defaultRecord } from "../../lib/policy/profile-access";
import { ensureDefaultServer } from "../../lib/servers/find-server";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { makeUser, pidAlive, serverProcesses, waitFor, waitForState } from "../helpers";
import { executeOnKernel, openKernelSocket } from "../helpers/kernel";
import { request, sessionCookie, startProxyServer } from "../helpers/proxy-harness";

// The proxy in front of a real Jupyter: sessions, ownership, redirects, WebSockets to a kernel,
// what the upstream sees, and activity.

let proxy: Awaited<ReturnType<typeof startProxyServer>>;
let alice: Actor, bob: Actor, admin: Actor;
let aliceCookie: string, bobCookie: string, adminCookie: string;
let workId: string, defaultId: string;
let detachedPid = 0;


const html = { Accept: "text/html,application/xhtml+xml" };

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  admin = await makeUser("root", true);
  [aliceCookie, bobCookie, adminCookie] = await Promise.all([sessionCookie(alice), sessionCookie(bob), sessionCookie(admin)]);
  const work = await createServer(alice, "alice", { name: "work" });
  workId = work.id;
  await createServer(alice, "alice", { name: "idle" });
  const def = await ensureDefaultServer(alice.id!, defaultRecord());
  defaultId = def.id;
  await startServer(alice, "alice", "work");
  await startServer(alice, "alice", "");
  proxy = await startProxyServer();
  await Promise.all([waitForState(workId, "running"), waitForState(defaultId, "running")]);
});

afterAll(async () => {
  await proxy?.close();
  await runtime().shutdown();
});

const url = (p: string) => `${proxy.origin}${p}`;

describe("proxy to a running Jupyter", () => {
  it("lets the owner reach Jupyter's API", async () => {
    const r = await request(url("/user/alice/work/api/status"), { headers: { Cookie: aliceCookie } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toHaveProperty("kernels");
  });

  it("works when the browser reaches Berth by its public host name", async () => {
    // Behind a real deployment the Host header is Berth's public name, not a loopback address.
    const r = await request(url("/user/alice/work/api/status"), { headers: { Cookie: aliceCookie, Host: "berth.example.test" } });
    expect(r.status).toBe(200);
  });

  it("carries a kernel's WebSocket: execute print(6*7) and read 42 from the stream", async () => {
    const created = await request(url("/user/alice/work/api/kernels"), {
      method: "POST",
      headers: { Cookie: aliceCookie, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "python3" }),
    });
    expect(created.status).toBe(201);
    const kernelId = (JSON.parse(created.body) as { id: string }).id;

    const ws = await openKernelSocket(`ws://127.0.0.1:${proxy.port}/user/alice/work/api/kernels/${kernelId}/channels?session_id=${randomUUID()}`, aliceCookie);
    try {
      expect((await executeOnKernel(ws, "print(6*7)")).trim()).toBe("42");
      // A process the person's code detaches from the kernel; stopping the server must end it too.
      detachedPid = Number(await executeOnKernel(ws, "import subprocess\nprint(subprocess.Popen(['sleep', '600'], start_new_session=True).pid)"));
      expect(pidAlive(detachedPid)).toBe(true);
    } finally {
      ws.close();
    }

    const del = await request(url(`/user/alice/work/api/kernels/${kernelId}`), { method: "DELETE", headers: { Cookie: aliceCookie } });
    expect(del.status).toBe(204);
  });

  it("refuses another non-admin user with 403, over HTTP and WebSocket", async () => {
    const json = await request(url("/user/alice/work/api/status"), { headers: { Cookie: bobCookie } });
    expect(json.status).toBe(403);
    expect(JSON.parse(json.body)).toMatchObject({ error: "forbidden" });
    const page = await request(url("/user/alice/work/tree"), { headers: { Cookie: bobCookie, ...html } });
    expect(page.status).toBe(403);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.body).toContain("Not your server");

    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/user/alice/work/api/kernels/x/channels`, { headers: { Cookie: bobCookie } });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => reject(new Error("a stranger's WebSocket was let through")));
      ws.on("error", () => undefined);
    });
    expect(status).toBe(403);
  });

  it("sends /user/<user>/ to the default server and /user/<user>/<name>/ to the named one", async () => {
    const rows = await db().server.findMany({ where: { id: { in: [workId, defaultId] } } });
    const port = (id: string) => new URL(rows.find((r) => r.id === id)!.upstream!).port;
    expect(port(workId)).not.toBe(port(defaultId));
    const def = await request(url("/user/alice/api/status"), { headers: { Cookie: aliceCookie } });
    expect(def.status).toBe(200);
    // Each Jupyter answers only under its own base URL, so a 200 on each path proves the routing.
    const put = await request(url("/user/alice/api/contents/where.txt"), {
      method: "PUT",
      headers: { Cookie: aliceCookie, "Content-Type": "application/json" },
      body: JSON.stringify({ type: "file", format: "text", content: "default" }),
    });
    expect(put.status).toBeLessThan(300);
    expect((await request(url("/user/alice/api/contents/where.txt"), { headers: { Cookie: aliceCookie } })).status).toBe(200);
    expect((await request(url("/user/alice/work/api/contents/where.txt"), { headers: { Cookie: aliceCookie } })).status).toBe(404);
    // With the default server running, a second segment that names no server is its path.
    const other = await request(url("/user/alice/notes/x"), { headers: { Cookie: aliceCookie } });
    expect(other.status).toBe(404);
    expect(other.body).not.toContain("does not exist."); // Jupyter's 404, not Berth's

    // The rest of this file expects the default server stopped.
    await stopServer(alice, "alice", "");
    expect((await request(url("/user/alice/api/status"), { headers: { Cookie: aliceCookie } })).status).toBe(503);
  });

  it("lets an administrator in once they have confirmed the warning for that server", async () => {
    // Not before: the page goes to the warning, a program gets 403 saying why.
    const page = await request(url("/user/alice/work/tree"), { headers: { Cookie: adminCookie, ...html } });
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/open-server?next=${encodeURIComponent("/user/alice/work/tree")}`);
    const refused = await request(url("/user/alice/work/api/status"), { headers: { Cookie: adminCookie } });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: "confirmation_required", message: expect.stringMatching(/administrator rights/) });
    const ack = `${ACK_COOKIE}=${ackValue(admin.name, workId)}`;
    const r = await request(url("/user/alice/work/api/status"), { headers: { Cookie: `${adminCookie}; ${ack}` } });
    expect(r.status).toBe(200);
  });

  it("sends a visitor without a session to sign in (HTML) or answers 401 (API)", async () => {
    const page = await request(url("/user/alice/work/tree?x=1"), { headers: html });
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/signin?callbackUrl=${encodeURIComponent("/user/alice/work/tree?x=1")}`);
    const api = await request(url("/user/alice/work/api/status"));
    expect(api.status).toBe(401);
    expect(api.headers["content-type"]).toMatch(/application\/json/);
    expect(JSON.parse(api.body)).toMatchObject({ error: "unauthenticated" });
    // A forged or garbled cookie is no session either.
    const forged = await request(url("/user/alice/work/api/status"), { headers: { Cookie: `${sessionCookieName()}=not-a-jwt` } });
    expect(forged.status).toBe(401);
  });

  it("sends a visitor of a stopped server to its spawn page", async () => {
    const path = "/user/alice/idle/tree";
    const page = await request(url(path), { headers: { Cookie: aliceCookie, ...html } });
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/spawn/alice/idle?next=${encodeURIComponent(path)}`);
    const api = await request(url("/user/alice/idle/api/status"), { headers: { Cookie: aliceCookie } });
    expect(api.status).toBe(503);
    expect(JSON.parse(api.body)).toMatchObject({ error: "not_running", state: "stopped" });
    // The default server, never started.
    const def = await request(url("/user/alice/tree"), { headers: { Cookie: aliceCookie, ...html } });
    expect(def.status).toBe(302);
    expect(def.headers.location).toBe(`/spawn/alice?next=${encodeURIComponent("/user/alice/tree")}`);
  });

  it("answers 404 for an unknown user or server", async () => {
    const user = await request(url("/user/ghost/api/status"), { headers: { Cookie: adminCookie } });
    expect(user.status).toBe(404);
    const server = await request(url("/user/alice/nosuch/tree"), { headers: { Cookie: aliceCookie, ...html } });
    expect(server.status).toBe(404);
    expect(server.body).toContain("nosuch");
  });

  it("records activity, written to the database on flush", async () => {
    const old = new Date(Date.now() - 3600_000);
    await db().server.update({ where: { id: workId }, data: { lastActivityAt: old } });
    const r = await request(url("/user/alice/work/api/contents"), { headers: { Cookie: aliceCookie } });
    expect(r.status).toBe(200);
    expect(await flushActivity()).toBeGreaterThanOrEqual(1);
    const row = await db().server.findUniqueOrThrow({ where: { id: workId } });
    expect(row.lastActivityAt!.getTime()).toBeGreaterThan(old.getTime() + 3000_000);
    // Nothing new since: the next flush writes nothing.
    expect(await flushActivity()).toBe(0);
  });

  it("redirects to the spawn page once the server is stopped, and nothing it started lives on", async () => {
    await stopServer(alice, "alice", "work");
    expect(detachedPid).toBeGreaterThan(0);
    // SIGKILL has been sent; the process is gone once the kernel has delivered it.
    await waitFor("the detached process to end", async () => !pidAlive(detachedPid));
    expect(serverProcesses(workId)).toEqual([]);
    const page = await request(url("/user/alice/work/tree"), { headers: { Cookie: aliceCookie, ...html } });
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/spawn/alice/work?next=${encodeURIComponent("/user/alice/work/tree")}`);
  });
});

describe("what the upstream receives", () => {
  let fake: http.Server;
  let wss: WebSocketServer;
  const seen: http.IncomingHttpHeaders[] = [];
  const seenWs: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    fake = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ path: req.url }));
    });
    wss = new WebSocketServer({ server: fake });
    wss.on("connection", (socket, req) => {
      seenWs.push(req.headers);
      socket.send("hello");
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    const port = (fake.address() as AddressInfo).port;
    await db().server.create({
      data: { ownerId: alice.id!, name: "fake", profile: "default", token: "upstream-secret", state: "running", upstream: `http://127.0.0.1:${port}` },
    });
    invalidateRoute("alice");
  });

  afterAll(async () => {
    for (const c of wss?.clients ?? []) c.terminate();
    wss?.close();
    fake?.closeAllConnections();
    await new Promise<void>((resolve) => (fake ? fake.close(() => resolve()) : resolve()));
  });

  it("never sees Berth's session cookies, and gets its token in a header", async () => {
    const cookie = `${aliceCookie}; theme=dark; next-auth.csrf-token=abc; __Secure-next-auth.callback-url=x; _xsrf=jupyter`;
    const r = await request(url("/user/alice/fake/api/x?y=1"), { headers: { Cookie: cookie } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ path: "/user/alice/fake/api/x?y=1" });
    const h = seen.at(-1)!;
    expect(h.cookie).toBe("theme=dark; _xsrf=jupyter");
    expect(h.cookie).not.toContain("next-auth");
    expect(h.authorization).toBe("token upstream-secret");
    expect(h["x-berth-proxy-auth"]).toBe("upstream-secret");
    expect(h["x-forwarded-for"]).toBeDefined();

    // Only Berth's cookie: the upstream gets no Cookie header at all.
    await request(url("/user/alice/fake/api/x"), { headers: { Cookie: aliceCookie } });
    expect(seen.at(-1)!.cookie).toBeUndefined();
  });

  it("never sees them on a WebSocket either", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/user/alice/fake/api/kernels/k/channels`, { headers: { Cookie: `${aliceCookie}; theme=dark` } });
    const first = await new Promise<string>((resolve, reject) => {
      ws.on("message", (d) => resolve(String(d)));
      ws.on("error", reject);
    }).finally(() => ws.close());
    expect(first).toBe("hello");
    const h = seenWs.at(-1)!;
    expect(h.cookie).toBe("theme=dark");
    expect(h.authorization).toBe("token upstream-secret");
    expect(h["x-berth-proxy-auth"]).toBe("upstream-secret");
  });

  it("answers 502 with a page when the upstream does not answer", async () => {
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    await db().server.create({ data: { ownerId: alice.id!, name: "gone", profile: "default", token: "t", state: "running", upstream: `http://127.0.0.1:${port}` } });
    invalidateRoute("alice");
    const r = await request(url("/user/alice/gone/tree"), { headers: { Cookie: aliceCookie, ...html } });
    expect(r.status).toBe(502);
    expect(r.body).toContain("The server is not answering");
  });

  it("does not let a caller's own Authorization or proxy header through", async () => {
    await request(url("/user/alice/fake/api/x"), { headers: { Cookie: aliceCookie, Authorization: "token guessed", "X-Berth-Proxy-Auth": "guessed" } });
    expect(seen.at(-1)!.authorization).toBe("token upstream-secret");
    expect(seen.at(-1)!["x-berth-proxy-auth"]).toBe("upstream-secret");
  });
});
