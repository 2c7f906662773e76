import { BERTH_COOKIE } from "../http/request-origin";

// What a notebook server may set in the visitor's browser through the proxy. Servers share Berth's
// origin (unless per-user hosts are configured), so an upstream's Set-Cookie would otherwise land
// beside Berth's own cookies: it could replace or shadow Berth's session (next-auth.session-token
// with Path=/ or a longer path), or plant cookies on other people's servers and Berth's pages.
// Each cookie is kept to the server's own prefix: Berth's cookie names are dropped, Domain is
// dropped (host-only), and a Path outside /user/<user>/<server>/ becomes that prefix.

export interface CookieDecision {
  /** The header to pass on, or null when the cookie is dropped. */
  header: string | null;
  /** The cookie's name (never its value), for the debug log. */
  name: string;
  changed: boolean;
  reason?: "berth_cookie" | "domain" | "path";
}

/** The path a cookie without a Path attribute gets (RFC 6265 §5.1.4): the request path's directory. */
export function defaultCookiePath(requestPath: string): string {
  const p = requestPath.split("?")[0];
  if (!p.startsWith("/")) return "/";
  const last = p.lastIndexOf("/");
  return last <= 0 ? "/" : p.slice(0, last);
}

/** Whether cookies with this Path are sent only to addresses under prefix (which ends with "/"). */
export function pathWithin(path: string, prefix: string): boolean {
  return path === prefix.slice(0, -1) || path.startsWith(prefix);
}

export function decideSetCookie(header: string, prefix: string, requestPath: string): CookieDecision {
  const parts = header.split(";");
  const pair = parts[0];
  const eq = pair.indexOf("=");
  const name = (eq < 0 ? "" : pair.slice(0, eq)).trim();
  // A cookie without a name is sent as its bare value, which could read as "next-auth.…=…".
  const sentAs = name || pair.slice(eq + 1).trim();
  if (BERTH_COOKIE.test(sentAs)) return { header: null, name, changed: true, reason: "berth_cookie" };

  let reason: CookieDecision["reason"];
  let path: string | undefined;
  const attrs: string[] = [];
  for (const raw of parts.slice(1)) {
    const attr = raw.trim();
    if (!attr) continue;
    const key = attr.split("=")[0].trim().toLowerCase();
    if (key === "domain") {
      reason ??= "domain";
      continue;
    }
    if (key === "path") {
      // The last Path attribute wins (RFC 6265 §5.3 step 7); one that is not absolute is ignored.
      const v = attr.slice(attr.indexOf("=") + 1).trim();
      path = v.startsWith("/") ? v : undefined;
      continue;
    }
    attrs.push(attr);
  }
  let effective = path ?? defaultCookiePath(requestPath);
  if (!pathWithin(effective, prefix)) {
    effective = prefix;
    reason ??= "path";
  } else if (reason === undefined) {
    return { header, name, changed: false };
  }
  return { header: [pair.trim(), ...attrs, `Path=${effective}`].join("; "), name, changed: true, reason };
}

/** The server's own prefix: /user/<user>/<server>/, or /user/<user>/ for the default server. */
export function serverPrefix(owner: string, name: string): string {
  return `/user/${encodeURIComponent(owner)}/${name ? `${encodeURIComponent(name)}/` : ""}`;
}
