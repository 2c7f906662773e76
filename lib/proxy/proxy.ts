import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import httpProxy from "http-proxy";
import { log } from "../log";
import { upstreamAuthHeaders } from "../runtime/jupyter-auth/jupyter-auth";
import { touch } from "./activity";
import { sendJson, sendPage } from "./pages";
import { watchSocket } from "./session-watch";
import { resolveTarget, type Resolution } from "./resolve-target";
import type { Route } from "./route-cache";
import { addRenewedCredential } from "./user-host-proxy";

// /user/<user>/<server>/… → that server's Jupyter, HTTP and WebSocket. The browser never sees the
// upstream token (added here as a header) and the upstream never sees Berth's session cookie
// (stripped here), so code in one person's server cannot reuse a visiting admin's session.

// Berth's session cookies, and a user host's own credential and hand-off cookies (lib/user-hosts).
const BERTH_COOKIE = /^(__Secure-|__Host-)?(next-auth\.|berth-user-)/;

function stripBerthCookies(header: string | undefined): string | undefined {
  if (!header) return header;
  const kept = header
    .split(";")
    .map((c) => c.trim())
    .filter((c) => c && !BERTH_COOKIE.test(c));
  return kept.length ? kept.join("; ") : undefined;
}

function prepare(req: IncomingMessage, route: Route) {
  const cookie = stripBerthCookies(req.headers.cookie);
  if (cookie) req.headers.cookie = cookie;
  else delete req.headers.cookie;
  // Replaces whatever the browser sent in these headers (a Berth API token in Authorization is
  // not for the server's code to see).
  Object.assign(req.headers, upstreamAuthHeaders(route.token));
  req.url = withoutTokenParam(req.url ?? "/");
  touch(route.serverId);
}

/**
 * BinderHub clients append `?token=` to the server's address. Berth's session is what
 * authenticates; the parameter is dropped (a server started before the proxy's header existed
 * reads it before the Authorization header), only on the hot path's rare URLs that carry one.
 */
export function withoutTokenParam(url: string): string {
  const q = url.indexOf("?");
  if (q < 0 || !/(^|&)token=/.test(url.slice(q + 1))) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  params.delete("token");
  const rest = params.toString();
  return rest ? `${url.slice(0, q)}?${rest}` : url.slice(0, q);
}

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === "GET" && (req.headers.accept ?? "").includes("text/html");
}

export function createProxy() {
  const proxy = httpProxy.createProxyServer({ xfwd: true, ws: true, changeOrigin: false, proxyTimeout: 0 });
  const agents = new Map<string, http.Agent>();
  const agentFor = (upstream: string) => {
    let a = agents.get(upstream);
    if (!a) {
      a = new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 });
      agents.set(upstream, a);
    }
    return a;
  };

  proxy.on("error", (err, req, res) => {
    log.warn("proxy upstream error", { path: req.url?.split("?")[0], error: err.message });
    if (res instanceof http.ServerResponse) {
      if (!res.headersSent) sendPage(res, 502, "The server is not answering", "Its Jupyter did not answer. It may be restarting or may have stopped; try again in a moment, or restart it from My servers.", { href: "/servers", text: "My servers" });
      else res.end();
    } else {
      (res as Duplex).destroy();
    }
  });
  // Jupyter's redirects and pages are already under the base URL; nothing to rewrite.
  proxy.on("proxyRes", addRenewedCredential);

  function forwardWeb(req: IncomingMessage, res: ServerResponse, route: Route) {
    prepare(req, route);
    proxy.web(req, res, { target: route.upstream!, agent: agentFor(route.upstream!) });
  }

  function forwardWs(req: IncomingMessage, socket: Duplex, head: Buffer, route: Route) {
    prepare(req, route);
    const serverId = route.serverId;
    // Messages in either direction are activity, like a kernel's output while nobody types.
    socket.on("data", () => touch(serverId));
    proxy.ws(req, socket, head, { target: route.upstream! });
  }

  function answer(req: IncomingMessage, res: ServerResponse, r: Exclude<Resolution, { kind: "proxy" }>) {
    const url = req.url ?? "/";
    switch (r.kind) {
      case "signin":
        if (wantsHtml(req)) {
          res.writeHead(302, { location: `/signin?callbackUrl=${encodeURIComponent(url)}`, "cache-control": "no-store" });
          res.end();
        } else sendJson(res, 401, { error: "unauthenticated", message: "Sign in to Berth to reach this server." });
        return;
      case "forbidden":
        if (wantsHtml(req)) {
          sendPage(res, 403, "Not your server", "Only its owner and administrators can open this server.", { href: "/servers", text: "Go to my servers" }, { href: `/signout?next=${encodeURIComponent(url)}`, text: "Sign in as someone else" });
        }
        else sendJson(res, 403, { error: "forbidden", message: "Only its owner and administrators can open this server." });
        return;
      case "not_found":
        if (wantsHtml(req)) sendPage(res, 404, "Not found", `${r.what} does not exist.`, { href: "/servers", text: "Go to my servers" });
        else sendJson(res, 404, { error: "not_found", message: `${r.what} does not exist.` });
        return;
      case "not_running": {
        const spawn = `/spawn/${encodeURIComponent(r.user)}${r.name ? `/${encodeURIComponent(r.name)}` : ""}?next=${encodeURIComponent(url)}`;
        if (wantsHtml(req)) {
          res.writeHead(302, { location: spawn, "cache-control": "no-store" });
          res.end();
        } else sendJson(res, 503, { error: "not_running", state: r.state, message: `This server is ${r.state}. Start it from ${spawn}.` });
        return;
      }
    }
  }

  return {
    async web(req: IncomingMessage, res: ServerResponse) {
      const r = await resolveTarget((req.url ?? "/").split("?")[0], req.headers.cookie);
      if (r.kind !== "proxy") return answer(req, res, r);
      forwardWeb(req, res, r.route);
    },
    async ws(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const pathname = (req.url ?? "/").split("?")[0];
      const cookie = req.headers.cookie;
      const r = await resolveTarget(pathname, cookie);
      if (r.kind !== "proxy") {
        const status = r.kind === "signin" ? "401 Unauthorized" : r.kind === "forbidden" ? "403 Forbidden" : r.kind === "not_found" ? "404 Not Found" : "503 Service Unavailable";
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      forwardWs(req, socket, head, r.route);
      const serverId = r.route.serverId;
      watchSocket(socket, async () => {
        const again = await resolveTarget(pathname, cookie);
        return again.kind === "proxy" && again.route.serverId === serverId;
      });
    },
    /** For a request already authenticated and resolved elsewhere (a user host, lib/proxy/user-host-proxy.ts). */
    forwardWeb,
    forwardWs,
    close() {
      proxy.close();
      for (const a of agents.values()) a.destroy();
    },
  };
}
