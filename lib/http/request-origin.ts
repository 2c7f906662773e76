// Who may change something through Berth's API with the browser's session (issue 9, point 2b).
//
// People's notebook servers are served under /user/… on Berth's own origin (unless per-user hosts
// are configured), so a script in a notebook page is same-origin with Berth: the browser sends it
// the visitor's session cookie and lets it read the answers. A request from such a page is not a
// request from Berth's UI, and the browser says where a request comes from: Sec-Fetch-Site,
// Origin and Referer (Berth's pages send `Referrer-Policy: same-origin`, so their own requests
// always carry a Referer naming a Berth page). These rules refuse what plainly comes from
// elsewhere. They cannot stop a determined script on the same origin (fetch's `referrer` option
// may name any same-origin page, and a script may drive a Berth window it opened); only per-user
// hosts (BERTH_USER_SERVERS_HOST) separate the origins. That is why the proxy also strips Berth's
// cookies from upstream requests and warns administrators before they open someone's server.

export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Berth's own cookies: next-auth's (with the __Secure-/__Host- prefixes) and the proxy's acknowledgement. */
export const BERTH_COOKIE = /^(?:__Secure-|__Host-)?(?:next-auth\.|berth-)/i;

interface HeaderSource {
  get(name: string): string | null;
}

export interface Refusal {
  error: "forbidden";
  message: string;
}

const fromElsewhere: Refusal = {
  error: "forbidden",
  message: "Requests from other sites are not accepted. Use Berth's own pages.",
};
const fromNotebook: Refusal = {
  error: "forbidden",
  message:
    "Berth does not accept changes sent from a page of a notebook server (an address under /user/), because code in a notebook must not act with your Berth session. Make the change on Berth's own pages, for example My servers; a script may use an API token, sent without cookies.",
};
const noReferer: Refusal = {
  error: "forbidden",
  message: "This request did not say which Berth page sent it (its Referer header was missing), so it was refused. Make the change on Berth's own pages; if your browser or an extension strips the Referer, allow it for this site.",
};

function hasBerthCookie(cookieHeader: string | null): boolean {
  if (!cookieHeader) return false;
  return cookieHeader.split(";").some((c) => BERTH_COOKIE.test(c.trim()));
}

function isTokenAuthorization(header: string | null): boolean {
  return header !== null && /^(?:token|bearer)[ \t]+\S+[ \t]*$/i.test(header.trim());
}

function sameHost(url: string, host: string | null): URL | null {
  try {
    const u = new URL(url);
    return host && u.host === host ? u : null;
  } catch {
    return null;
  }
}

/**
 * Null when the request may go on; otherwise why it is refused (answer 403). Only requests that
 * change something are judged. A request from a browser (it sends Sec-Fetch-Site) or one carrying
 * Berth's cookies must come from one of Berth's own pages; a program without cookies (an API
 * client with a token, curl) is not affected.
 */
export function refusal(method: string, headers: HeaderSource): Refusal | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  const origin = headers.get("origin");
  // A foreign or opaque Origin (a sandboxed frame, a data: page) is never Berth's.
  if (origin && !sameHost(origin, host)) return fromElsewhere;

  // An API token without Berth's cookies acts as its holder and nothing else: actorFor never falls
  // back to a session when an Authorization header is sent, and with no cookie there is no session
  // for any other handler to use. A notebook page may send one (credentials: "omit"); the token is
  // its holder's own to give away, as with curl.
  if (isTokenAuthorization(headers.get("authorization")) && !hasBerthCookie(headers.get("cookie"))) return null;

  const site = headers.get("sec-fetch-site");
  const browser = site !== null;
  if (!browser && !hasBerthCookie(headers.get("cookie"))) return null;
  // same-site is another origin of the same site (for example another user's host): not Berth's UI.
  if (browser && site !== "same-origin") return fromElsewhere;

  const referer = headers.get("referer");
  if (!referer) {
    // Berth's pages always send one; a page that suppresses it (referrerPolicy: "no-referrer")
    // is hiding where it is. Programs that send cookies but are not browsers have neither header.
    return browser ? noReferer : null;
  }
  const from = sameHost(referer, host);
  if (!from) return fromElsewhere;
  if (isUserServerPath(from.pathname)) return fromNotebook;
  return null;
}

/** /user/… (and its percent-encoded or doubled-slash spellings) is a notebook server's page. */
export function isUserServerPath(pathname: string): boolean {
  let p = pathname;
  try {
    p = decodeURIComponent(pathname);
  } catch {
    // An undecodable path is judged as sent.
  }
  return /^\/+user(?:\/|$)/i.test(p);
}
