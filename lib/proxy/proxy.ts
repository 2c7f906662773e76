import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import httpProxy from "http-proxy";
import { BERTH_COOKIE } from "../http/request-origin";
import { log } from "../log";
import { upstreamAuthHeaders } from "../runtime/jupyter-auth/jupyter-auth";
import { touch } from "./activity";
import { needsAcknowledgement } from "./admin-ack";
import { sendJson, sendPage } from "./pages";
import { watchSocket } from "./session-watch";
import { resolveTarget, resolveTargetCached, type Resolution } from "./resolve-target";
import type { Route } from "./route-cache";
import { addRenewedCredential } from "./user-host-proxy";
import { decideSetCookie, serverPrefix } from "./set-cookie";
import { forwardHttp, parseUpstream, type ForwardHooks, type Upstream } from "./forward-http";
import { barSnippet, isDocumentRequest } from "./berth-bar";
import { answeredHere } from "./answer-here";

// /user/<user>/<server>/… → that server's Jupyter, HTTP and WebSocket. The browser never sees the
// upstream token (added here as a header) and the upstream never sees Berth's session cookie
// (stripped here), so code in one person's server cannot reuse a visiting admin's session.

function stripBerthCookies(header: string | undefined): string | undefined {
  if (!header) return header;
  const kept = header
    .split(";")
    .map((c) => c.trim())
    .filter((c) => c && !BERTH_COOKIE.test(c));
  return kept.length ? kept.join("; ") : undefined;
}

// Each proxied request's server prefix, for the upstream's Set-Cookie headers (set-cookie.ts).
const prefixes = new WeakMap<IncomingMessage, string>();

function keepCookiesToServer(proxyRes: IncomingMessage, req: IncomingMessage) {
  const set = proxyRes.headers["set-cookie"];
  const prefix = prefixes.get(req);
  if (!set?.length || !prefix) return;
  const kept: string[] = [];
  for (const header of set) {
    const d = decideSetCookie(header, prefix, req.url ?? "/");
    if (d.changed) log.debug("upstream cookie kept to its server", { cookie: d.name, reason: d.reason, action: d.header ? "rewritten" : "dropped", prefix });
    if (d.header) kept.push(d.header);
  }
  if (kept.length) proxyRes.headers["set-cookie"] = kept;
  else delete proxyRes.headers["set-cookie"];
}

function prepare(req: IncomingMessage, route: Route, prefix: string) {
  prefixes.set(req, prefix);
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

const DONE = Promise.resolve();

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === "GET" && (req.headers.accept ?? "").includes("text/html");
}

export function createProxy() {
  // HTTP goes through forward-http.ts (an agent per upstream, keep-alive); WebSockets through
  // http-proxy, whose upgrade path is a pair of piped sockets once open.
  const proxy = httpProxy.createProxyServer({ xfwd: true, ws: true, changeOrigin: false, proxyTimeout: 0 });
  const upstreams = new Map<string, Upstream>();
  const upstreamOf = (origin: string) => {
    let u = upstreams.get(origin);
    if (!u) {
      u = parseUpstream(origin);
      upstreams.set(origin, u);
    }
    return u;
  };

  const upstreamError = (err: Error, req: IncomingMessage, res: ServerResponse) => {
    log.warn("proxy upstream error", { path: req.url?.split("?")[0], error: err.message });
    if (!res.headersSent) sendPage(res, 502, "The server is not answering", "Its Jupyter did not answer. It may be restarting or may have stopped; try again in a moment, or restart it from My servers.", { href: "/servers", text: "My servers" });
    else res.destroy();
  };
  // The pages that get the Berth bar (berth-bar.ts), with their server.
  const pages = new WeakMap<IncomingMessage, { route: Route; prefix: string }>();
  const hooks: ForwardHooks = {
    // Jupyter's redirects and pages are already under the base URL; nothing to rewrite. Its cookies
    // are kept to its own prefix; a user host's renewed credential is added after that filter,
    // which would drop it.
    onResponse(upstreamRes, req) {
      keepCookiesToServer(upstreamRes, req);
      addRenewedCredential(upstreamRes, req);
    },
    onError: upstreamError,
    pageSnippet(req) {
      const p = pages.get(req);
      return p && barSnippet(p.route, p.prefix);
    },
  };

  proxy.on("error", (err, req, res) => {
    if (res instanceof http.ServerResponse) upstreamError(err, req, res);
    else {
      log.warn("proxy upstream error", { path: req.url?.split("?")[0], error: err.message });
      (res as Duplex).destroy();
    }
  });
  // A WebSocket's answer (101, or a refusal) is written to the socket by http-proxy's own
  // listeners; these run first because they are added before them.
  proxy.on("proxyReqWs", (proxyReq: http.ClientRequest, req: IncomingMessage) => {
    proxyReq.on("response", (proxyRes: IncomingMessage) => keepCookiesToServer(proxyRes, req));
    proxyReq.on("upgrade", (proxyRes: IncomingMessage) => keepCookiesToServer(proxyRes, req));
  });

  function forwardWeb(req: IncomingMessage, res: ServerResponse, route: Route) {
    const prefix = serverPrefix(route.owner, route.name);
    if (answeredHere(req, res, route, prefix)) return;
    prepare(req, route, prefix);
    if (isDocumentRequest(req)) pages.set(req, { route, prefix });
    forwardHttp(req, res, upstreamOf(route.upstream!), hooks);
  }

  function forwardWs(req: IncomingMessage, socket: Duplex, head: Buffer, route: Route) {
    prepare(req, route, serverPrefix(route.owner, route.name));
    const serverId = route.serverId;
    // Messages in either direction are activity, like a kernel's output while nobody types. Once
    // a second is plenty for an idle timeout counted in minutes; not on every frame.
    let touched = -Infinity;
    socket.on("data", () => {
      const now = performance.now();
      if (now - touched < 1000) return;
      touched = now;
      touch(serverId);
    });
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

  // An administrator opening someone else's server: the warning page first (admin-ack.ts).
  function askAdmin(req: IncomingMessage, res: ServerResponse, route: Route) {
    const url = req.url ?? "/";
    if (wantsHtml(req)) {
      res.writeHead(302, { location: `/open-server?next=${encodeURIComponent(url)}`, "cache-control": "no-store" });
      res.end();
      return;
    }
    const who = route.name ? `the server "${route.name}" of ${route.owner}` : `the default server of ${route.owner}`;
    sendJson(res, 403, {
      error: "confirmation_required",
      message: `This is ${who}. Code in it runs with your administrator rights in this browser, so Berth asks you to confirm before letting you in: open ${serverPrefix(route.owner, route.name)} in the browser and choose "Open anyway".`,
    });
  }

  function route(req: IncomingMessage, res: ServerResponse, r: Resolution) {
    if (r.kind !== "proxy") return answer(req, res, r);
    if (needsAcknowledgement(r.viewer, r.route, req.headers.cookie)) return askAdmin(req, res, r.route);
    forwardWeb(req, res, r.route);
  }

  return {
    web(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const pathname = (req.url ?? "/").split("?")[0];
      // Most requests are answered from the caches without a promise; the rest wait for the database.
      const cached = resolveTargetCached(pathname, req.headers.cookie);
      if (cached) {
        try {
          route(req, res, cached);
          return DONE;
        } catch (err) {
          return Promise.reject(err);
        }
      }
      return resolveTarget(pathname, req.headers.cookie).then((r) => route(req, res, r));
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
      if (needsAcknowledgement(r.viewer, r.route, req.headers.cookie)) {
        socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
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
      for (const u of upstreams.values()) u.agent.destroy();
    },
  };
}
