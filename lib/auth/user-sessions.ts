import { randomUUID } from "node:crypto";
import { config } from "../config";
import { db } from "../db/client";
import { log } from "../log";
import { shared } from "../shared";

// A session cookie is a JWT that names a row here (its `sid`). Pages, the API and the proxy all
// ask `checkSession`, which answers from the database — the user's current name and admin right,
// or null when the row is revoked, expired or gone with its user — through a short per-replica
// cache (BERTH_SESSION_CHECK_SECONDS). A revocation made on any replica therefore reaches every
// replica within that lifetime, and the replica that made it at once; the proxy's hot path reads
// the database at most once per session per lifetime.

export interface LiveSession {
  sid: string;
  userId: string;
  name: string;
  displayName: string | null;
  isAdmin: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Refreshing "last seen" (and sliding the expiry with it) on every check would be a write per
// request; once a minute tells an administrator enough.
const TOUCH_EVERY_MS = 60_000;
const MAX_ENTRIES = 10_000;

/** Records a new sign-in and returns its id, which the session cookie carries. */
export async function createSession(userId: string, info: { userAgent?: string | null; address?: string | null } = {}): Promise<string> {
  const id = randomUUID();
  await db().userSession.create({
    data: {
      id,
      userId,
      expiresAt: new Date(Date.now() + config().sessionMaxAgeSeconds * 1000),
      userAgent: info.userAgent?.slice(0, 400) ?? null,
      address: info.address?.slice(0, 100) ?? null,
    },
  });
  return id;
}

async function loadSession(sid: string): Promise<LiveSession | null> {
  const row = await db().userSession.findUnique({
    where: { id: sid },
    select: { revokedAt: true, expiresAt: true, lastSeenAt: true, user: { select: { id: true, name: true, displayName: true, isAdmin: true, disabledAt: true } } },
  });
  const now = Date.now();
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now || row.user.disabledAt) return null;
  if (now - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    // next-auth re-issues the cookie with a fresh expiry when the session is refreshed; the row
    // slides with use so that an active person is not cut off before their cookie ends.
    void db()
      .userSession.updateMany({ where: { id: sid, revokedAt: null }, data: { lastSeenAt: new Date(now), expiresAt: new Date(now + config().sessionMaxAgeSeconds * 1000) } })
      .catch((err: unknown) => log.warn("could not record a session's last use", { error: String(err) }));
  }
  return { sid, userId: row.user.id, name: row.user.name, displayName: row.user.displayName, isAdmin: row.user.isAdmin };
}

/**
 * One replica's view of sessions: each answer is reused for `ttlMs`, and concurrent requests for
 * one session share a single database read. Tests make two to stand for two replicas.
 */
export class SessionChecker {
  private readonly entries = new Map<string, { at: number; result: Promise<LiveSession | null>; value?: LiveSession | null }>();

  constructor(private readonly ttlMs: () => number) {}

  check(sid: unknown): Promise<LiveSession | null> {
    if (typeof sid !== "string" || !UUID.test(sid)) return Promise.resolve(null);
    const now = Date.now();
    const hit = this.entries.get(sid);
    if (hit && now - hit.at < this.ttlMs()) return hit.result;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const result = loadSession(sid);
    const entry: { at: number; result: Promise<LiveSession | null>; value?: LiveSession | null } = { at: now, result };
    this.entries.set(sid, entry);
    // Kept beside the promise, so the proxy's hot path can answer without awaiting (peek).
    result.then((v) => (entry.value = v), () => undefined);
    // A failed read (database down) is not an answer; the next request asks again.
    result.catch(() => {
      if (this.entries.get(sid) === entry) this.entries.delete(sid);
    });
    return result;
  }

  /** The answer check would give now, when it is already known without waiting; undefined otherwise. */
  peek(sid: string): LiveSession | null | undefined {
    const hit = this.entries.get(sid);
    if (!hit || Date.now() - hit.at >= this.ttlMs()) return undefined;
    return hit.value;
  }

  /** Drops what this replica remembers, so a change made here counts here at once. */
  forget(sid?: string): void {
    if (sid) this.entries.delete(sid);
    else this.entries.clear();
  }
}

export const sessionChecker = () => shared("sessionChecker", () => new SessionChecker(() => config().sessionCheckMs));

/** The session's current user, or null when it was signed out, revoked, expired, or its user removed. */
export function checkSession(sid: unknown): Promise<LiveSession | null> {
  return sessionChecker().check(sid);
}

/** Ends one session (sign-out). Returns whether it was still active. */
export async function revokeSession(sid: unknown, reason: string): Promise<boolean> {
  if (typeof sid !== "string" || !UUID.test(sid)) return false;
  const r = await db().userSession.updateMany({ where: { id: sid, revokedAt: null }, data: { revokedAt: new Date(), revokedReason: reason } });
  sessionChecker().forget(sid);
  return r.count > 0;
}

/** Ends every active session of a user ("sign out everywhere"). Returns how many were active. */
export async function revokeUserSessions(userId: string, reason: string): Promise<number> {
  const r = await db().userSession.updateMany({
    where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  sessionChecker().forget();
  return r.count;
}

/**
 * Expired rows, and revoked ones after a day (kept that long to show who was signed out when),
 * answer a check exactly as a missing row does; the leader deletes them.
 */
export async function pruneSessions(keepRevokedMs = 24 * 3600 * 1000): Promise<number> {
  const now = Date.now();
  const r = await db().userSession.deleteMany({
    where: { OR: [{ expiresAt: { lt: new Date(now) } }, { revokedAt: { lt: new Date(now - keepRevokedMs) } }] },
  });
  return r.count;
}
