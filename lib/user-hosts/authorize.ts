import { decode } from "next-auth/jwt";
import { sessionToken } from "../auth/proxy-session";
import { authSecret } from "../auth/secret";
import { config } from "../config";
import { checkSession } from "../auth/user-sessions";
import { AppError } from "../errors";
import { parseUserPath } from "../proxy/resolve-target";
import { hostLabel, matchUserHost } from "./host";
import { mintTicket } from "./tokens";

// Berth's side of the hand-off (GET /api/user-servers/authorize?next=…&state=…): the user host
// sent the browser here because it holds no credential. Berth checks its own session and that
// the visitor may open that person's servers, then sends the browser back to the user host's
// callback with a one-time ticket. Nothing else leaves Berth's origin.

export const CALLBACK_PATH = "/_berth/auth-callback";
const STATE = /^[A-Za-z0-9_-]{16,64}$/;

export interface SessionClaims {
  name: string;
  sid?: string;
  /** ms since the epoch */
  exp: number;
}

/** The Berth session in a Cookie header, with its expiry and id (sessions carry `sid` when revocable). */
export async function sessionClaims(cookieHeader: string | null | undefined): Promise<SessionClaims | null> {
  const token = sessionToken(cookieHeader ?? undefined);
  if (!token) return null;
  try {
    const jwt = await decode({ token, secret: authSecret() });
    if (!jwt?.uname || typeof jwt.exp !== "number" || jwt.exp * 1000 <= Date.now()) return null;
    return { name: String(jwt.uname), sid: typeof jwt.sid === "string" ? jwt.sid : undefined, exp: jwt.exp * 1000 };
  } catch {
    return null;
  }
}

/** `next` must be an address on a user host, for the person that host belongs to. */
export function checkNext(raw: string | null): { url: URL; host: string; owner: string } {
  const s = config().userServersHost;
  if (!s) throw new AppError("not_found", "This Berth does not serve servers from their own hosts (BERTH_USER_SERVERS_HOST is not set).");
  const bad = () => new AppError("bad_request", "The address to return to is not one of this Berth's server addresses. Open the server again from My servers.");
  if (!raw) throw bad();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad();
  }
  const label = matchUserHost(url.host, s);
  if (url.protocol !== `${s.scheme}:` || !label || url.username || url.password) throw bad();
  const parsed = parseUserPath(url.pathname);
  if (!parsed || hostLabel(parsed.user) !== label) throw bad();
  return { url, host: url.host.toLowerCase(), owner: parsed.user };
}

export type AuthorizeAnswer = { kind: "signin"; location: string } | { kind: "ticket"; location: string };

export async function authorizeUserHost(params: URLSearchParams, cookieHeader: string | null): Promise<AuthorizeAnswer> {
  const { url, host, owner } = checkNext(params.get("next"));
  const state = params.get("state") ?? "";
  if (!STATE.test(state)) throw new AppError("bad_request", "The sign-in hand-off is missing its state. Open the server again from My servers.");
  const session = await sessionClaims(cookieHeader);
  // The viewer's rights as they are now, not as the session remembers them.
  // A revoked or ended session mints nothing.
  const viewer = session && (await checkSession(session.sid));
  if (!session || !viewer) {
    const self = `/api/user-servers/authorize?${new URLSearchParams({ next: url.toString(), state })}`;
    return { kind: "signin", location: `/signin?callbackUrl=${encodeURIComponent(self)}` };
  }
  if (viewer.name !== owner && !viewer.isAdmin) throw new AppError("forbidden", "Only its owner and administrators can open this server.");
  const ticket = mintTicket({ host, owner, viewer: viewer.name, admin: viewer.isAdmin, sid: session.sid, sessionExp: session.exp }, state, `${url.pathname}${url.search}`);
  const back = new URL(`${url.protocol}//${url.host}${CALLBACK_PATH}`);
  back.searchParams.set("ticket", ticket);
  return { kind: "ticket", location: back.toString() };
}
