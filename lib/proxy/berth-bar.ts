import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { config } from "../config";
import { idleViewById, keepRunningById } from "../servers/idle-stop";
import { BAR_CSS, BAR_JS } from "./bar-assets";
import { sendJson } from "./pages";
import type { Route } from "./route-cache";

// The way back from Jupyter to Berth (issue 12, point 8) and the idle-stop notice (issue 13,
// point 3): a small bar added to the top-level HTML pages of a proxied Jupyter.
//
// - The proxy adds one <script> tag to such pages (forward-http.ts does the splice; only for a
//   top-level GET whose answer is text/html, so every other response keeps the fast path).
// - The script and its style are served by Berth at /_berth/bar.js and /_berth/bar.css, outside
//   /user/, on Berth's host and on each user host alike (lib/server/main.ts), so the page loads
//   them from its own origin and any CSP Jupyter sends ('self') allows them. They are static:
//   no secret and nothing about the person in them.
// - The bar asks <server prefix>_berth/status for the time left, and its "Keep running" button
//   POSTs <server prefix>_berth/keep-running. The proxy answers both itself, after the same checks
//   as any request to the server (owner or administrator, the administrator's acknowledgement, the
//   user host's credential and Origin check), and before anything reaches Jupyter.
//
// Why "Keep running" may be sent from the server's own page although Berth refuses changes sent
// from /user/ pages (DESIGN.md §8; lib/http/request-origin.ts): it does nothing but count as
// activity of that one server, which any request to the server already does. A hostile page in
// the server can keep its own server alive by fetching any of its URLs; it gains nothing here,
// and it can reach no other server, no other action and nothing of Berth's session. A request
// from another site is refused (Sec-Fetch-Site / Origin), so a page elsewhere cannot keep
// someone's server running either. The dashboard's "Keep running" is a normal Berth API call
// (POST /api/users/<user>/server[s/<name>]/keep-running) with Berth's usual CSRF rules.

export const BAR_PATH_PREFIX = "/_berth/bar.";
const VERSION = createHash("sha256").update(BAR_JS).update(BAR_CSS).digest("hex").slice(0, 12);
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  "/_berth/bar.js": { type: "text/javascript; charset=utf-8", body: Buffer.from(BAR_JS) },
  "/_berth/bar.css": { type: "text/css; charset=utf-8", body: Buffer.from(BAR_CSS) },
};

/** Answers /_berth/bar.js and /_berth/bar.css; false for any other path. */
export function serveBarAsset(req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const asset = ASSETS[q < 0 ? url : url.slice(0, q)];
  if (!asset) return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("Method not allowed\n");
    return true;
  }
  res.writeHead(200, {
    "content-type": asset.type,
    "content-length": asset.body.length,
    // Versioned by its ?v= (the tag names the current one): a long cache is safe.
    "cache-control": "public, max-age=86400",
    "x-content-type-options": "nosniff",
    "cross-origin-resource-policy": "same-origin",
  });
  res.end(req.method === "HEAD" ? undefined : asset.body);
  return true;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The tag added to a server's page. Links go to Berth's public address when servers have hosts of their own. */
export function barSnippet(route: Pick<Route, "owner" | "name">, prefix: string): string {
  const berth = config().userServersHost ? config().publicUrl : "";
  return `<script src="/_berth/bar.js?v=${VERSION}" defer data-berth="${esc(berth)}" data-prefix="${esc(prefix)}" data-owner="${esc(route.owner)}" data-server="${esc(route.name)}"></script>`;
}

/** A top-level page load, the only kind that gets the bar (not frames, scripts or API calls). */
export function isDocumentRequest(req: IncomingMessage): boolean {
  if (req.method !== "GET") return false;
  const dest = req.headers["sec-fetch-dest"];
  // Browsers without Fetch Metadata: a request that prefers HTML.
  return dest === undefined ? (req.headers.accept ?? "").startsWith("text/html") : dest === "document";
}

/**
 * Answers <prefix>_berth/status and <prefix>_berth/keep-running for a route the proxy has already
 * admitted; false when `rest` (the path after the prefix) is neither. Neither counts as activity
 * by itself: only "Keep running" does, on purpose.
 */
export function answerBarRequest(req: IncomingMessage, res: ServerResponse, route: Route, rest: string): boolean {
  if (rest !== "_berth/status" && rest !== "_berth/keep-running") return false;
  const keep = rest === "_berth/keep-running";
  if (keep ? req.method !== "POST" : req.method !== "GET") {
    res.writeHead(405, { allow: keep ? "POST" : "GET", "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ error: "method_not_allowed", message: keep ? "Send POST." : "Send GET." }));
    return true;
  }
  const site = req.headers["sec-fetch-site"];
  if (keep && site !== undefined && site !== "same-origin") {
    sendJson(res, 403, { error: "forbidden", message: "Only the server's own pages can keep it running from here. Use My servers on Berth." });
    return true;
  }
  (keep ? keepRunningById(route.serverId) : idleViewById(route.serverId)).then(
    (view) => (view ? sendJson(res, 200, view) : sendJson(res, 404, { error: "not_found", message: "This server no longer exists." })),
    () => sendJson(res, 500, { error: "internal", message: "Berth could not read this server's idle stop. Try again." }),
  );
  return true;
}
