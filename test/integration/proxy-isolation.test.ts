import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { sessionCookieName } from "../../lib/auth/options";
import { db } from "../../lib/db/client";
import { ACK_COOKIE, ackValue } from "../../lib/proxy/admin-ack";
import { invalidateRoute } from "../../lib/proxy/route-cache";
import { createServer } from "../../lib/servers/create-server";
import type { Actor } from "../../lib/auth/actor";
import { makeUser } from "../helpers";
import { request, sessionCookie, startProxyServer } from "../helpers/proxy-harness";

// The proxy between a browser and a hostile notebook server on Berth's origin: what the upstream
// may set in the browser (Set-Cookie), and the administrator's confirmation before entering
// someone else's server. The upstream is a small HTTP server registered as alice's running server
// "evil", so it can answer with exactly the headers a hostile Jupyter extension could send.

let proxy: Awaited<ReturnType<typeof startProxyServer>>;
let upstream: http.Server;
let alice: Actor, admin: Actor;
let aliceCookie: string, adminCookie: string;
let serverId: string;
const upgraded: import("node:stream").Duplex[] = [];
const seen: { url: string; cookie: string | undefined }[] = [];

const HOSTILE_COOKIES = [
  `${"next-auth.session-token"}=forged-session; Path=/; HttpOnly`,
  "__Secure-next-auth.session-token=forged; Path=/; Secure",
  "next-auth.csrf-token=forged; Path=/",
  `${ACK_COOKIE}=1.${"A".repeat(43)}; Path=/user/alice/evil/`,
  "shadow=1; Path=/; Max-Age=600",
  "other=1; Path=/user/bob/; Domain=127.0.0.1",
  "api=1; Path=/api/",
  "own=1; Path=/user/alice/evil/; HttpOnly",
];

beforeAll(async () => {
  alice = await makeUser("alice");
  admin = await makeUser("root", true);
  [aliceCookie, adminCookie] = await Promise.all([sessionCookie(alice), sessionCookie(admin)]);

  upstream = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", cookie: req.headers.cookie });
    res.writeHead(200, { "content-type": "text/html", "set-cookie": HOSTILE_COOKIES });
    res.end("<!doctype html><p>hello</p>");
  });
  upstream.on("upgrade", (req, socket) => {
    seen.push({ url: req.url ?? "", cookie: req.headers.cookie });
    const accept = createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    const cookies = HOSTILE_COOKIES.slice(0, 1).concat("shadow=1; Path=/").map((c) => `Set-Cookie: ${c}\r\n`).join("");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${cookies}\r\n`);
    socket.on("error", () => undefined);
    upgraded.push(socket);
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const s = await createServer(alice, "alice", { name: "evil" });
  serverId = s.id;
  await db().server.update({ where: { id: s.id }, data: { state: "running", upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` } });
  invalidateRoute("alice");
  proxy = await startProxyServer();
});

afterAll(async () => {
  // The upgraded sockets first: the proxy's side of a WebSocket ends with its upstream's.
  for (const s of upgraded) s.destroy();
  await proxy?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
});

const url = (p: string) => `${proxy.origin}${p}`;
const cookiesOf = (r: { headers: http.IncomingHttpHeaders }) => r.headers["set-cookie"] ?? [];

describe("an upstream's Set-Cookie", () => {
  it("never sets or overwrites Berth's cookies, and stays on the server's own path", async () => {
    const r = await request(url("/user/alice/evil/tree"), { headers: { Cookie: aliceCookie, Accept: "text/html" } });
    expect(r.status).toBe(200);
    const set = cookiesOf(r);
    // Berth's cookies (session, csrf, the administrator acknowledgement) do not reach the browser at all.
    expect(set.some((c) => /next-auth|berth-/i.test(c))).toBe(false);
    expect(set.join("\n")).not.toContain("forged");
    // Everything else is kept to /user/alice/evil/, host-only.
    expect(set).toEqual([
      "shadow=1; Max-Age=600; Path=/user/alice/evil/",
      "other=1; Path=/user/alice/evil/",
      "api=1; Path=/user/alice/evil/",
      "own=1; Path=/user/alice/evil/; HttpOnly",
    ]);
    for (const c of set) {
      expect(c).not.toMatch(/Path=\/(;|$)/);
      expect(c).not.toMatch(/Domain=/i);
    }
  });

  it("is kept to the server's path on a WebSocket's answer too", async () => {
    const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/user/alice/evil/api/kernels/k/channels`, { headers: { Cookie: aliceCookie } });
      ws.on("upgrade", (res) => {
        resolve(res.headers);
        ws.terminate();
      });
      ws.on("unexpected-response", (_req, res) => resolve(res.headers));
      ws.on("error", () => undefined);
      setTimeout(() => reject(new Error("no answer to the WebSocket")), 20_000).unref();
    });
    expect(headers["set-cookie"]).toEqual(["shadow=1; Path=/user/alice/evil/"]);
  });
});

describe("an administrator opening alice's server", () => {
  it("is sent to the warning page (HTML) or refused with 403 saying why (programs, WebSockets), and nothing reaches the upstream", async () => {
    const before = seen.length;
    const page = await request(url("/user/alice/evil/notebooks/x.ipynb?kernel=1"), { headers: { Cookie: adminCookie, Accept: "text/html" } });
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/open-server?next=${encodeURIComponent("/user/alice/evil/notebooks/x.ipynb?kernel=1")}`);
    const api = await request(url("/user/alice/evil/api/contents"), { method: "POST", headers: { Cookie: adminCookie } });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toMatchObject({ error: "confirmation_required", message: expect.stringMatching(/server "evil" of alice.*administrator rights.*Open anyway/) });
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/user/alice/evil/api/kernels/k/channels`, { headers: { Cookie: adminCookie } });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => reject(new Error("the WebSocket was let through without confirmation")));
      ws.on("error", () => undefined);
    });
    expect(status).toBe(403);
    expect(seen.length).toBe(before);
  });

  it("is not fooled by an acknowledgement the server could make, or one for another admin or server", async () => {
    const forged = [`${ACK_COOKIE}=${Math.floor(Date.now() / 1000) + 600}.${"A".repeat(43)}`, `${ACK_COOKIE}=${ackValue("someone-else", serverId)}`, `${ACK_COOKIE}=${ackValue(admin.name, "00000000-0000-4000-8000-000000000000")}`];
    for (const c of forged) {
      const r = await request(url("/user/alice/evil/api/contents"), { headers: { Cookie: `${adminCookie}; ${c}` } });
      expect(r.status, c).toBe(403);
    }
  });

  it("gets through with a valid acknowledgement, which the upstream never sees (nor Berth's session)", async () => {
    const r = await request(url("/user/alice/evil/api/contents"), { headers: { Cookie: `keep=1; ${adminCookie}; ${ACK_COOKIE}=${ackValue(admin.name, serverId)}` } });
    expect(r.status).toBe(200);
    const last = seen[seen.length - 1];
    expect(last.url).toBe("/user/alice/evil/api/contents");
    expect(last.cookie).toBe("keep=1");
    expect(last.cookie).not.toContain(sessionCookieName());
  });

  it("is never asked of the owner", async () => {
    const r = await request(url("/user/alice/evil/tree"), { headers: { Cookie: aliceCookie, Accept: "text/html" } });
    expect(r.status).toBe(200);
  });
});
