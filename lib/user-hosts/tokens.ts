import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { authSecret } from "../auth/secret";
import { shared } from "../shared";

// The hand-off between Berth's origin and a person's host (BERTH_USER_SERVERS_HOST):
// Berth mints a one-time ticket (60 s) after checking its own session; the user host trades it
// for a credential cookie of its own. Both are HMAC-signed JSON, bound to the host, the owner and
// the viewer. The key is derived from the auth secret with HKDF under its own label, so it never
// equals the bytes next-auth encrypts sessions with, and a session cannot pass for a ticket.

export const TICKET_SECONDS = 60;
/** A credential lives an hour and is renewed while it is used, never past the Berth session. */
export const CREDENTIAL_SECONDS = 3600;
export const RENEW_AFTER_SECONDS = 600;

export interface Grant {
  /** the user host's Host header, lower case */
  host: string;
  owner: string;
  viewer: string;
  admin: boolean;
  /** the viewer's Berth session id, when the session carries one (for revocation) */
  sid?: string;
  /** when the viewer's Berth session ends (ms since the epoch); nothing outlives it */
  sessionExp: number;
}

export interface Ticket extends Grant {
  typ: "ticket";
  /** the random value the user host put in its state cookie before sending the browser to Berth */
  state: string;
  /** where to go on the user host afterwards (a path) */
  next: string;
  jti: string;
  exp: number;
}

export interface Credential extends Grant {
  typ: "credential";
  iat: number;
  exp: number;
}

export function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "berth", "berth user-host hand-off v1", 32));
}

export function handoffKey(): Buffer {
  return shared("userHostKey", () => deriveKey(authSecret()));
}

function mac(key: Buffer, body: string): Buffer {
  return createHmac("sha256", key).update(body).digest();
}

export function sign(payload: Ticket | Credential, key: Buffer = handoffKey()): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${mac(key, body).toString("base64url")}`;
}

/** The payload when the signature is right, the type matches and it has not expired; else null. */
export function verify<T extends Ticket | Credential>(token: string | undefined, typ: T["typ"], now = Date.now(), key: Buffer = handoffKey()): T | null {
  if (!token || token.length > 8192) return null;
  const dot = token.indexOf(".");
  if (dot < 1) return null;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const want = mac(key, body);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  let payload: T;
  try {
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T;
  } catch {
    return null;
  }
  if (payload?.typ !== typ || typeof payload.exp !== "number" || payload.exp <= now) return null;
  if (typeof payload.host !== "string" || typeof payload.owner !== "string" || typeof payload.viewer !== "string") return null;
  return payload;
}

export function mintTicket(grant: Grant, state: string, next: string, now = Date.now(), key?: Buffer): string {
  const exp = Math.min(now + TICKET_SECONDS * 1000, grant.sessionExp);
  return sign({ ...grant, typ: "ticket", state, next, jti: randomBytes(16).toString("base64url"), exp }, key);
}

export function mintCredential(grant: Grant, now = Date.now(), key?: Buffer): { value: string; exp: number } {
  const exp = Math.min(now + CREDENTIAL_SECONDS * 1000, grant.sessionExp);
  const g: Grant = { host: grant.host, owner: grant.owner, viewer: grant.viewer, admin: grant.admin, sid: grant.sid, sessionExp: grant.sessionExp };
  return { value: sign({ ...g, typ: "credential", iat: now, exp }, key), exp };
}

/**
 * Marks a ticket used; false when it already was. In memory: the state cookie the ticket is
 * bound to is cleared when it is redeemed, which makes a replay fail on any replica too.
 */
export function redeemOnce(ticket: Ticket, now = Date.now()): boolean {
  const used = shared("userHostTickets", () => new Map<string, number>());
  if (used.has(ticket.jti)) return false;
  if (used.size > 1000) for (const [k, exp] of used) if (exp <= now) used.delete(k);
  used.set(ticket.jti, ticket.exp);
  return true;
}

export function newState(): string {
  return randomBytes(18).toString("base64url");
}

export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
