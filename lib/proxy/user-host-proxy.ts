import type { IncomingMessage, ServerResponse } from "node:http";
import { cookieValues } from "../auth/proxy-session";
import type { Duplex } from "node:stream";
import { config } from "../config";
import { CALLBACK_PATH } from "../user-hosts/authorize";
import { hostLabel, userOrigin } from "../user-hosts/host";
import { mintCredential, newState, redeemOnce, RENEW_AFTER_SECONDS, sameString, verify, type Credential, type Ticket } from "../user-hosts/tokens";
import { pageHtml, sendJson } from "./pages";
import { checkSession } from "../auth/user-sessions";
import { parseUserPath, resolveRoute, type Resolution } from "./resolve-target";
import type { Route } from "./route-cache";

// A person's own host (BERTH_USER_SERVERS_HOST): the only thing served there is that person's
// servers. Berth's session cookie never reaches this origin; the browser proves who it is with a
// credential cookie of this host only, minted through a redirect to Berth (lib/user-hosts). Every
// request is checked against it: the right host, the owner or an administrator, not expired.

export interface Forwarder {
  forwardWeb(req: IncomingMessage, res: ServerResponse, route: Route): void;
  forwardWs(req: IncomingMessage, socket: Duplex, head: Buffer, route: Route): void;
}

/** Cookie names; `__Host-` (Secure, Path=/, no Domain) when served over https, so no sibling host can plant one. */
export function userHostCookies(secure = config().userServersHost?.scheme === "https") {
  const p = secure ? "__Host-" : "";
  return { auth: `${p}berth-user-auth`, state: `${p}berth-user-state` };
}

function cookieAttrs(maxAgeSeconds: number, secure: boolean): string {
  return `Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}


const renewals = new WeakMap<IncomingMessage, string>();

/** The proxy's response hook (proxy.ts): a renewed credential joins whatever cookies Jupyter sets. */
export function addRenewedCredential(proxyRes: IncomingMessage, req: IncomingMessage): void {
  const cookie = renewals.get(req);
  if (!cookie) return;
  const existing = proxyRes.headers["set-cookie"] ?? [];
  proxyRes.headers["set-cookie"] = [...existing, cookie];
}

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === "GET" && (req.headers.accept ?? "").includes("text/html");
}

/**
 * A request another origin made: one whose Origin is not this host's, or (browsers omit Origin on
 * some GETs) one Fetch Metadata marks as from another site and not a top-level navigation. Sibling
 * user hosts are the same site, so SameSite alone would let one person's page use a visiting
 * administrator's credential on another person's host.
 */
export function fromOtherOrigin(headers: IncomingMessage["headers"], origin: string): boolean {
  const o = headers.origin;
  if (o !== undefined) return o !== origin;
  const site = headers["sec-fetch-site"];
  return (site === "cross-site" || site === "same-site") && headers["sec-fetch-mode"] !== "navigate";
}

function page(res: ServerResponse, status: number, title: string, body: string, link?: { href: string; text: string }, headers: Record<string, string | string[]> = {}) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(pageHtml(status, title, body, link, `${config().publicUrl}/`));
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}) {
  res.writeHead(302, { location, "cache-control": "no-store", "referrer-policy": "no-referrer", ...headers });
  res.end();
}

type Refusal = Exclude<Resolution, { kind: "proxy" }> | { kind: "other_origin" } | { kind: "wrong_host" };

export function createUserHostHandler(forward: Forwarder) {
  const serversLink = () => ({ href: `${config().publicUrl}/servers`, text: "Go to my servers" });

  function context(req: IncomingMessage) {
    const s = config().userServersHost!;
    const host = (req.headers.host ?? "").toLowerCase();
    return { secure: s.scheme === "https", host, origin: `${s.scheme}://${host}`, names: userHostCookies(s.scheme === "https") };
  }

  function credential(req: IncomingMessage, host: string, owner: string, name: string): Credential | null {
    for (const value of cookieValues(req.headers.cookie, name)) {
      const c = verify<Credential>(value, "credential");
      // Bound to this host and its owner: a credential for alice's host is nothing on bob's.
      if (c && c.host === host && c.owner === owner) return c;
    }
    return null;
  }

  function callback(req: IncomingMessage, res: ServerResponse, ctx: ReturnType<typeof context>) {
    const ticket = verify<Ticket>(new URL(req.url ?? "/", "http://x").searchParams.get("ticket") ?? undefined, "ticket");
    if (req.method !== "GET" || !ticket || ticket.host !== ctx.host || !ticket.next.startsWith("/user/")) {
      page(res, 400, "This sign-in link cannot be used", "It has expired, was already used, or is for another address. Open the server again from My servers.", serversLink());
      return;
    }
    const clearState = `${ctx.names.state}=; ${cookieAttrs(0, ctx.secure)}`;
    const states = cookieValues(req.headers.cookie, ctx.names.state);
    // The ticket must come back to the browser that asked for it (the state cookie), once. Any
    // other ticket is dropped and the hand-off starts again from the address it was for.
    if (!states.some((s) => sameString(s, ticket.state)) || !redeemOnce(ticket)) {
      redirect(res, ticket.next, { "set-cookie": clearState });
      return;
    }
    const cred = mintCredential(ticket);
    redirect(res, ticket.next, { "set-cookie": [clearState, `${ctx.names.auth}=${cred.value}; ${cookieAttrs((cred.exp - Date.now()) / 1000, ctx.secure)}`] });
  }

  function answer(req: IncomingMessage, res: ServerResponse, r: Exclude<Resolution, { kind: "proxy" }>) {
    const berth = config().publicUrl;
    switch (r.kind) {
      case "not_running": {
        const spawn = `${berth}/spawn/${encodeURIComponent(r.user)}${r.name ? `/${encodeURIComponent(r.name)}` : ""}?next=${encodeURIComponent(req.url ?? "/")}`;
        if (wantsHtml(req)) redirect(res, spawn);
        else sendJson(res, 503, { error: "not_running", state: r.state, message: `This server is ${r.state}. Start it from ${spawn}.` });
        return;
      }
      case "not_found":
        if (wantsHtml(req)) page(res, 404, "Not found", `${r.what} does not exist.`, serversLink());
        else sendJson(res, 404, { error: "not_found", message: `${r.what} does not exist.` });
        return;
      default:
        if (wantsHtml(req)) page(res, 403, "Not your server", "Only its owner and administrators can open this server.", serversLink());
        else sendJson(res, 403, { error: "forbidden", message: "Only its owner and administrators can open this server." });
    }
  }

  /** What every request on a user host goes through before reaching a server; a Route or an answer. */
  async function admit(req: IncomingMessage, label: string): Promise<{ route: Route; ctx: ReturnType<typeof context>; renew?: Credential } | { refuse: Refusal }> {
    const ctx = context(req);
    const parsed = parseUserPath((req.url ?? "/").split("?")[0]);
    if (!parsed || hostLabel(parsed.user) !== label) return { refuse: { kind: "wrong_host" } };
    if (fromOtherOrigin(req.headers, ctx.origin)) return { refuse: { kind: "other_origin" } };
    const cred = credential(req, ctx.host, parsed.user, ctx.names.auth);
    if (!cred) return { refuse: { kind: "signin" } };
    // The credential lives no longer than the Berth session it came from: sign-out, removal and
    // demotion end it within the session check's lifetime, as they end the session itself.
    const live = await checkSession(cred.sid);
    if (!live || live.name !== cred.viewer) return { refuse: { kind: "signin" } };
    if (live.name !== parsed.user && !live.isAdmin) return { refuse: { kind: "forbidden" } };
    const r = await resolveRoute(parsed, { name: live.name, isAdmin: live.isAdmin });
    if (r.kind !== "proxy") return { refuse: r };
    const due = Date.now() - cred.iat > RENEW_AFTER_SECONDS * 1000 && cred.exp < cred.sessionExp;
    return { route: r.route, ctx, renew: due ? cred : undefined };
  }

  return {
    async web(req: IncomingMessage, res: ServerResponse, label: string) {
      const ctx = context(req);
      const pathname = (req.url ?? "/").split("?")[0];
      if (pathname === CALLBACK_PATH) return callback(req, res, ctx);
      // A plain label is the owner's name: the bare host opens their servers.
      if (pathname === "/" && !label.includes("--")) return redirect(res, `/user/${label}/`);
      const a = await admit(req, label);
      if ("route" in a) {
        if (a.renew) {
          const next = mintCredential(a.renew);
          renewals.set(req, `${ctx.names.auth}=${next.value}; ${cookieAttrs((next.exp - Date.now()) / 1000, ctx.secure)}`);
        }
        return forward.forwardWeb(req, res, a.route);
      }
      const r = a.refuse;
      if (r.kind === "wrong_host") return page(res, 404, "Not found", "Nothing is served at this address. Servers are opened from Berth.", serversLink());
      if (r.kind === "other_origin") return sendJson(res, 403, { error: "forbidden", message: "Requests from other sites are not accepted by this server. Use its own pages." });
      if (r.kind === "signin") {
        if (!wantsHtml(req)) return sendJson(res, 401, { error: "unauthenticated", message: "Open this server from Berth to sign in to it, then reload this page." });
        const state = newState();
        const authorize = `${config().publicUrl}/api/user-servers/authorize?${new URLSearchParams({ next: `${ctx.origin}${req.url ?? "/"}`, state })}`;
        return redirect(res, authorize, { "set-cookie": `${ctx.names.state}=${state}; ${cookieAttrs(600, ctx.secure)}` });
      }
      return answer(req, res, r);
    },

    async ws(req: IncomingMessage, socket: Duplex, head: Buffer, label: string) {
      const a = await admit(req, label);
      if ("route" in a) return forward.forwardWs(req, socket, head, a.route);
      const k = a.refuse.kind;
      const status = k === "signin" ? "401 Unauthorized" : k === "forbidden" || k === "other_origin" ? "403 Forbidden" : k === "not_running" ? "503 Service Unavailable" : "404 Not Found";
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    },

    /** /user/… on Berth's own host: the servers live on their owners' hosts now. */
    onBerthHost(req: IncomingMessage, res: ServerResponse) {
      const url = req.url ?? "/";
      const parsed = parseUserPath(url.split("?")[0]);
      if (!parsed) return sendJson(res, 404, { error: "not_found", message: "This address does not exist." });
      const target = `${userOrigin(parsed.user)}${url}`;
      if (req.method === "GET" || req.method === "HEAD") return redirect(res, target);
      sendJson(res, 404, { error: "not_found", message: `Servers are served from their own address on this Berth; send this request to ${target}.` });
    },
  };
}
