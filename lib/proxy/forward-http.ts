import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import https from "node:https";
import zlib from "node:zlib";

// The HTTP half of the proxy's core: one request to the upstream over a kept-alive connection of
// that upstream's own agent, bodies streamed both ways, headers copied once. It does what
// http-proxy did for Berth (X-Forwarded-*, the request's Host kept, the upstream's status and
// headers passed on) with less work per request, and drops the hop-by-hop headers (RFC 9110 §7.6.1)
// a proxy must not forward: the client's connection is not the upstream's.

/** Headers that describe one connection, never forwarded in either direction. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade"]);
/** Request headers this proxy writes itself. */
const X_FORWARDED = new Set(["x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-forwarded-host"]);

export interface Upstream {
  /** The origin as stored for the route (http://host:port). */
  origin: string;
  protocol: "http:" | "https:";
  hostname: string;
  port: number;
  /** The upstream URL's path without its trailing slash ("" for an origin). */
  base: string;
  agent: http.Agent;
}

export function parseUpstream(origin: string): Upstream {
  const u = new URL(origin);
  const protocol = u.protocol === "https:" ? "https:" : "http:";
  const port = Number(u.port) || (protocol === "https:" ? 443 : 80);
  const agentOpts = { keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000, scheduling: "lifo" as const };
  return {
    origin,
    protocol,
    hostname: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    base: u.pathname.replace(/\/+$/, ""),
    agent: protocol === "https:" ? new https.Agent(agentOpts) : new http.Agent(agentOpts),
  };
}

/** Headers named in a Connection header (besides the usual keep-alive/close), also hop-by-hop. */
function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (!value) return null;
  let out: Set<string> | null = null;
  for (const t of String(value).split(",")) {
    const name = t.trim().toLowerCase();
    if (name && name !== "close" && name !== "keep-alive") (out ??= new Set()).add(name);
  }
  return out;
}

/** The request headers the upstream receives: the client's minus hop-by-hop ones, plus X-Forwarded-*. */
export function upstreamRequestHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const h = req.headers;
  const named = connectionTokens(h.connection);
  const out: OutgoingHttpHeaders = {};
  for (const key in h) {
    if (HOP_BY_HOP.has(key) || X_FORWARDED.has(key) || named?.has(key)) continue;
    out[key] = h[key];
  }
  // Appended to what an earlier proxy said, as http-proxy's xfwd did.
  const encrypted = Boolean((req.socket as { encrypted?: boolean }).encrypted);
  const port = /:(\d+)$/.exec(h.host ?? "")?.[1] ?? (encrypted ? "443" : "80");
  out["x-forwarded-for"] = append(h["x-forwarded-for"], req.socket.remoteAddress ?? "");
  out["x-forwarded-port"] = append(h["x-forwarded-port"], port);
  out["x-forwarded-proto"] = append(h["x-forwarded-proto"], encrypted ? "https" : "http");
  out["x-forwarded-host"] = h["x-forwarded-host"] || h.host || "";
  return out;
}

function append(prior: string | string[] | undefined, value: string): string {
  return prior ? `${String(prior)},${value}` : value;
}

/** The upstream's response headers as a flat [name, value, …] list, without hop-by-hop ones. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): string[] {
  const named = connectionTokens(headers.connection);
  const out: string[] = [];
  for (const key in headers) {
    // Transfer-Encoding is the upstream connection's framing; Node frames the client's own.
    if (HOP_BY_HOP.has(key) || key === "transfer-encoding" || named?.has(key)) continue;
    const v = headers[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) out.push(key, one);
    else out.push(key, v);
  }
  return out;
}

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (len !== undefined && len !== "0");
}

export interface ForwardHooks {
  /** May change the upstream's response headers (Set-Cookie rules) before they are copied. */
  onResponse(upstreamRes: IncomingMessage, req: IncomingMessage): void;
  /** The upstream could not be reached or broke off; the answer is not sent yet when `res.headersSent` is false. */
  onError(err: Error, req: IncomingMessage, res: ServerResponse): void;
  /**
   * Markup to add to this request's answer if it is an HTML page (the Berth bar, berth-bar.ts);
   * undefined for every request that gets none, whose answer then streams as any other.
   */
  pageSnippet?(req: IncomingMessage): string | undefined;
}

/** The most of a page held to add the snippet; a bigger one passes unchanged. */
const MAX_PAGE_BYTES = 4 * 1024 * 1024;

function isUtf8Html(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const ct = contentType.toLowerCase();
  if (!ct.startsWith("text/html")) return false;
  const charset = /charset=\s*"?([^";\s]+)/.exec(ct)?.[1];
  return charset === undefined || charset === "utf-8" || charset === "utf8";
}

function decode(body: Buffer, encoding: string | undefined): Buffer | null {
  switch ((encoding ?? "identity").trim().toLowerCase()) {
    case "identity":
    case "":
      return body;
    case "gzip":
    case "x-gzip":
      return zlib.gunzipSync(body);
    case "deflate":
      return zlib.inflateSync(body);
    case "br":
      return zlib.brotliDecompressSync(body);
    default:
      return null;
  }
}

/**
 * An HTML page with `snippet` added: the body is held (pages are small; one over MAX_PAGE_BYTES
 * passes unchanged), decoded when the upstream compressed it anyway, changed, and sent
 * uncompressed with its new length. ETag and Content-MD5 described the upstream's bytes: dropped.
 */
function sendWithSnippet(upstreamRes: IncomingMessage, res: ServerResponse, snippet: string): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let passedOn = false;
  const status = upstreamRes.statusCode ?? 200;
  const original = () => clientResponseHeaders(upstreamRes.headers);
  upstreamRes.on("error", () => res.destroy());
  // Cut off mid-body: the client must not take a short body for the whole one.
  upstreamRes.on("aborted", () => res.destroy());
  upstreamRes.on("data", (chunk: Buffer) => {
    if (passedOn) return;
    chunks.push(chunk);
    size += chunk.length;
    if (size <= MAX_PAGE_BYTES) return;
    passedOn = true;
    res.writeHead(status, upstreamRes.statusMessage, original());
    for (const c of chunks) res.write(c);
    upstreamRes.pipe(res);
  });
  upstreamRes.on("end", () => {
    if (passedOn) return;
    const body = Buffer.concat(chunks, size);
    let page: Buffer | null;
    try {
      page = decode(body, upstreamRes.headers["content-encoding"]);
    } catch {
      page = null;
    }
    if (!page) {
      // An encoding this cannot read, or a body that is not what it claims: as it came.
      res.writeHead(status, upstreamRes.statusMessage, original());
      res.end(body);
      return;
    }
    const out = Buffer.from(spliceSnippet(page.toString("utf8"), snippet));
    const list = original();
    const headers: string[] = [];
    for (let i = 0; i < list.length; i += 2) {
      const k = list[i];
      if (k === "content-length" || k === "content-encoding" || k === "etag" || k === "content-md5") continue;
      headers.push(k, list[i + 1]);
    }
    headers.push("content-length", String(out.length));
    res.writeHead(status, upstreamRes.statusMessage, headers);
    res.end(out);
  });
}

/** Sends req to the upstream and its answer to res. */
export function forwardHttp(req: IncomingMessage, res: ServerResponse, up: Upstream, hooks: ForwardHooks): void {
  // Only a GET has a page to change (a HEAD's length must stay the upstream's).
  const snippet = req.method === "GET" ? hooks.pageSnippet?.(req) : undefined;
  const headers = upstreamRequestHeaders(req);
  // A page that may be changed is asked for uncompressed (and decoded if it comes compressed anyway).
  if (snippet !== undefined) delete headers["accept-encoding"];
  const options: http.RequestOptions = {
    protocol: up.protocol,
    hostname: up.hostname,
    port: up.port,
    method: req.method,
    path: up.base + (req.url ?? "/"),
    headers,
    agent: up.agent,
  };
  const upstreamReq = (up.protocol === "https:" ? https : http).request(options);
  let failed = false;
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    upstreamReq.destroy();
    // A client that went away is not an upstream error.
    if (res.destroyed || req.socket.destroyed) return;
    hooks.onError(err, req, res);
  };
  upstreamReq.on("error", fail);
  req.on("error", () => upstreamReq.destroy());
  // The client went away before the whole answer was sent: stop asking the upstream for it.
  res.on("close", () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });
  upstreamReq.on("response", (upstreamRes) => {
    hooks.onResponse(upstreamRes, req);
    if (snippet !== undefined && upstreamRes.statusCode === 200 && isUtf8Html(upstreamRes.headers["content-type"])) {
      sendWithSnippet(upstreamRes, res, snippet);
      return;
    }
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, clientResponseHeaders(upstreamRes.headers));
    upstreamRes.on("error", () => res.destroy());
    // Cut off mid-body: the client must not take a short body for the whole one.
    upstreamRes.on("aborted", () => res.destroy());
    upstreamRes.pipe(res);
  });
  if (hasBody(req)) req.pipe(upstreamReq);
  else upstreamReq.end();
}

/** `html` with `snippet` before its </head> (else before its last </body>, else at the end). */
export function spliceSnippet(html: string, snippet: string): string {
  // </head> comes early; a notebook's own text further down may contain the string.
  let at = html.slice(0, 65_536).toLowerCase().indexOf("</head>");
  if (at < 0) at = html.toLowerCase().lastIndexOf("</body>");
  return at < 0 ? html + snippet : html.slice(0, at) + snippet + html.slice(at);
}
