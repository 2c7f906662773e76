import http from "node:http";
import type { AddressInfo } from "node:net";
import { encode } from "next-auth/jwt";
import { authSecret } from "../../lib/auth/secret";
import { sessionCookieName } from "../../lib/auth/options";
import { createSession } from "../../lib/auth/user-sessions";
import { serveBarAsset } from "../../lib/proxy/berth-bar";
import { createProxy } from "../../lib/proxy/proxy";

// The custom server's routing (lib/server/main.ts) without Next.js: /user/* to the proxy, HTTP and
// WebSocket upgrades; everything else answers 404.
export async function startProxyServer() {
  const proxy = createProxy();
  const server = http.createServer((req, res) => {
    if (serveBarAsset(req, res)) return;
    if ((req.url ?? "").startsWith("/user/")) {
      proxy.web(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  server.on("upgrade", (req, socket, head) => {
    if ((req.url ?? "").startsWith("/user/")) proxy.ws(req, socket, head).catch(() => socket.destroy());
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      proxy.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A session cookie exactly as next-auth's jwt callback (lib/auth/options.ts) would produce it at
 * sign-in: a server-side session row, and a JWT naming it.
 */
export async function sessionCookie(user: { id: string | null; name: string; isAdmin: boolean }, maxAge?: number): Promise<string> {
  return (await signedInSession(user, maxAge)).cookie;
}

/** As sessionCookie, with the session's id (to revoke it, or to look it up). */
export async function signedInSession(user: { id: string | null; name: string; isAdmin: boolean }, maxAge?: number): Promise<{ cookie: string; sid: string }> {
  if (!user.id) throw new Error("sessionCookie needs a user that exists in the database");
  const sid = await createSession(user.id, { userAgent: "test" });
  const token = await encode({
    token: { sub: user.id, sid, uid: user.id, uname: user.name, name: user.name, isAdmin: user.isAdmin },
    secret: authSecret(),
    maxAge,
  });
  return { cookie: `${sessionCookieName()}=${token}`, sid };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP request (no redirect following, any Host header). */
export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}
