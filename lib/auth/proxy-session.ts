import { decode } from "next-auth/jwt";
import { shared } from "../shared";
import { authSecret } from "./secret";
import { sessionCookieName } from "./cookie-name";
import { checkSession, sessionChecker } from "./user-sessions";

// The proxy checks the session on every request; decrypting a JWE each time would dominate the
// hot path, so decoded cookies are cached by value for a short while. What the cookie names (its
// server-side session: revoked? whose? admin now?) comes from checkSession's own, shorter cache.

export interface ProxySession {
  name: string;
  isAdmin: boolean;
}

const TTL_MS = 30_000;
const cache = () => shared("proxySessions", () => new Map<string, { at: number; exp: number; sid: string | null }>());

/** Every value of the cookie in a Cookie header (one per path it was set on), in order. */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) out.push(part.slice(i + 1).trim());
  }
  return out;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  return cookieValues(header, name)[0];
}

/** next-auth splits a large JWT over name.0, name.1, …; reassemble it. */
export function sessionToken(cookieHeader: string | undefined): string | undefined {
  const name = sessionCookieName();
  const whole = readCookie(cookieHeader, name);
  if (whole) return whole;
  let out = "";
  for (let i = 0; ; i++) {
    const part = readCookie(cookieHeader, `${name}.${i}`);
    if (!part) break;
    out += part;
  }
  return out || undefined;
}

/**
 * proxySession's answer when both caches already hold it (the hot path: no promise, no await);
 * undefined when it takes a decode or a database read.
 */
export function cachedProxySession(cookieHeader: string | undefined): ProxySession | null | undefined {
  const token = sessionToken(cookieHeader);
  if (!token) return null;
  const hit = cache().get(token);
  const now = Date.now();
  if (!hit || now - hit.at >= TTL_MS || now >= hit.exp) return undefined;
  if (!hit.sid) return null;
  const live = sessionChecker().peek(hit.sid);
  if (live === undefined) return undefined;
  return live ? { name: live.name, isAdmin: live.isAdmin } : null;
}

export async function proxySession(cookieHeader: string | undefined): Promise<ProxySession | null> {
  const token = sessionToken(cookieHeader);
  if (!token) return null;
  const now = Date.now();
  const c = cache();
  let hit = c.get(token);
  if (!hit || now - hit.at >= TTL_MS || now >= hit.exp) {
    hit = { at: now, exp: now + TTL_MS, sid: null };
    try {
      const jwt = await decode({ token, secret: authSecret() });
      if (typeof jwt?.sid === "string" && typeof jwt.exp === "number" && jwt.exp * 1000 > now) hit = { at: now, exp: jwt.exp * 1000, sid: jwt.sid };
    } catch {
      // not a cookie Berth issued
    }
    if (c.size > 10_000) c.clear();
    c.set(token, hit);
  }
  if (!hit.sid) return null;
  const live = await checkSession(hit.sid);
  return live ? { name: live.name, isAdmin: live.isAdmin } : null;
}
