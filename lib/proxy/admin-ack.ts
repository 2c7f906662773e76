import { createHmac, timingSafeEqual } from "node:crypto";
import { cookieValues } from "../auth/proxy-session";
import { authSecret } from "../auth/secret";
import { config } from "../config";
import { shared } from "../shared";
import { userServersIsolated } from "./isolation";
import type { Route } from "./route-cache";

// An administrator may open anyone's server, but on Berth's origin the code in it then runs with
// the administrator's rights in that browser. So before an administrator's first visit Berth shows
// a warning (app/open-server), and confirming it leaves this acknowledgement: a cookie scoped to
// that server's path, short-lived, HttpOnly and SameSite=Strict. A server can set cookies on its
// own path (the proxy drops ones with this name, and JavaScript in the page can still set one),
// so the value is an HMAC, bound to the administrator and the server, under a key derived from
// Berth's secret: nothing the server can compute.

export const ACK_COOKIE = "berth-open-ack";
export const ACK_TTL_SECONDS = 30 * 60;

const key = () => shared("adminAckKey", () => createHmac("sha256", authSecret()).update("berth: administrator opens someone else's server, v1").digest());

function signature(admin: string, serverId: string, exp: number): string {
  return createHmac("sha256", key()).update(`${admin}\n${serverId}\n${exp}`).digest("base64url");
}

export function ackValue(admin: string, serverId: string, now = Date.now()): string {
  const exp = Math.floor(now / 1000) + ACK_TTL_SECONDS;
  return `${exp}.${signature(admin, serverId, exp)}`;
}

export function ackValid(value: string, admin: string, serverId: string, now = Date.now()): boolean {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return false;
  const exp = Number(m[1]);
  if (exp * 1000 <= now || exp * 1000 > now + ACK_TTL_SECONDS * 1000 + 60_000) return false;
  const want = Buffer.from(signature(admin, serverId, exp));
  const got = Buffer.from(m[2]);
  return want.length === got.length && timingSafeEqual(want, got);
}


/** True when this visitor must first see the warning: an administrator, not the owner, not acknowledged. */
export function needsAcknowledgement(viewer: { name: string; isAdmin: boolean }, route: Pick<Route, "owner" | "serverId">, cookieHeader: string | undefined): boolean {
  if (viewer.name === route.owner || !viewer.isAdmin || userServersIsolated()) return false;
  return !cookieValues(cookieHeader, ACK_COOKIE).some((v) => ackValid(v, viewer.name, route.serverId));
}

/** The Set-Cookie header that records the acknowledgement for the server at prefix. */
export function ackSetCookie(admin: string, serverId: string, prefix: string): string {
  const secure = config().secureCookies ? "; Secure" : "";
  return `${ACK_COOKIE}=${ackValue(admin, serverId)}; Path=${prefix}; Max-Age=${ACK_TTL_SECONDS}; HttpOnly; SameSite=Strict${secure}`;
}
