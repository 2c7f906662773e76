import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { config } from "../config";
import { db } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import { expandScopes, isScope, scopesFor, type Scope } from "../auth/scopes";
import { recordEvent } from "../audit/record-event";
import { resolveOwner } from "../servers/resolve-owner";
import type { Actor } from "../auth/actor";

// Personal API tokens (DESIGN.md §8): 256 random bits, shown once, stored as a SHA-256 (a slow
// hash buys nothing against a secret that cannot be guessed), scoped, expiring, revocable.

const PREFIX = "berth_";
/** How many leading characters are kept in clear to tell tokens apart ("berth_AbCd12"). */
const SHOWN = PREFIX.length + 6;
const NOTE_MAX = 200;
// Writing "last used" on every request would be a write per API call; a minute is precise enough.
const TOUCH_EVERY_MS = 60_000;
// The audit trail says a token was used, not every request it made: once per token per ten minutes.
export const AUDIT_USE_EVERY_MS = 10 * 60_000;

export interface TokenInfo {
  id: string;
  user: string;
  note: string;
  scopes: Scope[];
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdBy: string | null;
  expired: boolean;
}

export interface NewToken {
  note?: string;
  /** Seconds until it expires; null or undefined: the operator's maximum (none when there is none). */
  expiresInSeconds?: number | null;
  /** Undefined: every scope the owner may hold (JupyterHub's default "inherit"). */
  scopes?: string[];
}

/** The body of POST /api/users/<user>/tokens. */
export const newTokenInput = z.strictObject({
  note: z.string().max(NOTE_MAX).optional(),
  expiresInSeconds: z.number().int().positive().nullable().optional(),
  scopes: z.array(z.string().max(64)).max(20).optional(),
});

export function hashToken(raw: string): string {
  return createHash("sha256").update(raw, "utf8").digest("hex");
}

type Row = { id: string; note: string; scopes: string[]; prefix: string; createdAt: Date; expiresAt: Date | null; lastUsedAt: Date | null; createdBy: string | null; user: { name: string } };

function info(r: Row): TokenInfo {
  return {
    id: r.id,
    user: r.user.name,
    note: r.note,
    scopes: r.scopes.filter(isScope),
    prefix: r.prefix,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    createdBy: r.createdBy,
    expired: r.expiresAt !== null && r.expiresAt.getTime() <= Date.now(),
  };
}

const SELECT = { id: true, note: true, scopes: true, prefix: true, createdAt: true, expiresAt: true, lastUsedAt: true, createdBy: true, user: { select: { name: true } } } as const;

/** Which scopes a new token gets, refusing any its owner (or the token asking) does not hold. */
function grantedScopes(actor: Actor, owner: { isAdmin: boolean }, asked: string[] | undefined): Scope[] {
  const allowed = new Set(scopesFor(owner.isAdmin));
  // A token may only mint tokens weaker than itself.
  const ceiling = actor.scopes ?? new Set(allowed);
  if (asked === undefined) return [...allowed].filter((s) => ceiling.has(s));
  const unknown = asked.filter((s) => !isScope(s));
  if (unknown.length) {
    throw new AppError("invalid_input", `Unknown scope${unknown.length > 1 ? "s" : ""} ${unknown.map((s) => JSON.stringify(s)).join(", ")}. Choose from: ${scopesFor(true).join(", ")}.`);
  }
  const scopes = [...new Set(asked as Scope[])];
  const beyondOwner = scopes.filter((s) => !allowed.has(s));
  if (beyondOwner.length) {
    throw new AppError("forbidden", `A token cannot hold ${beyondOwner.join(", ")}: only administrators have ${beyondOwner.length > 1 ? "those rights" : "that right"}. Choose from: ${[...allowed].join(", ")}.`);
  }
  const beyondToken = scopes.filter((s) => !expandScopes(ceiling).has(s));
  if (beyondToken.length) {
    throw new AppError("forbidden", `The token you are using does not hold ${beyondToken.join(", ")}, so it cannot create a token that does. Create it on the Tokens page instead.`);
  }
  return scopes;
}

/**
 * When a token asked to last `seconds` expires: at most the operator's maximum (`max`, 0 = none)
 * and never after `ceiling` (the expiry of the token creating it, so a short-lived token cannot
 * mint a longer-lived one). Undefined or null `seconds`: as long as allowed.
 */
export function tokenExpiry(seconds: number | null | undefined, max: number, ceiling: Date | null, now = Date.now()): Date | null {
  if (seconds === null || seconds === undefined) {
    const byMax = max > 0 ? new Date(now + max * 1000) : null;
    if (!ceiling) return byMax;
    return byMax && byMax.getTime() < ceiling.getTime() ? byMax : ceiling;
  }
  if (!Number.isInteger(seconds) || seconds <= 0) throw new AppError("invalid_input", "A token's expiry must be a whole number of seconds greater than 0.");
  if (max > 0 && seconds > max) {
    throw new AppError("invalid_input", `Tokens may last at most ${formatDuration(max)} here (BERTH_TOKEN_MAX_AGE_SECONDS); ask for ${max} seconds or fewer.`);
  }
  const at = new Date(now + seconds * 1000);
  if (ceiling && at.getTime() > ceiling.getTime()) {
    throw new AppError("invalid_input", `The token you are using expires at ${ceiling.toISOString()}, so it cannot create one that lasts longer. Ask for an earlier expiry, or create the token on the Tokens page.`);
  }
  return at;
}

/** The expiry of the token `actor` is using, if any (a token's child may not outlive it). */
async function creatingTokenExpiry(actor: Actor): Promise<Date | null> {
  if (!actor.token) return null;
  const row = await db().apiToken.findUnique({ where: { id: actor.token.id }, select: { expiresAt: true } });
  // Revoked between verification and now: nothing may be created with it.
  if (!row) throw new AppError("unauthenticated", "The token you are using was revoked just now. Create a new one on the Tokens page.");
  return row.expiresAt;
}

export function formatDuration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? "" : "s"}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? "" : "s"}`;
  return `${seconds} seconds`;
}

/** Creates a token for `ownerName`. The token itself is returned here and never again. */
export async function createToken(actor: Actor, ownerName: string, input: NewToken): Promise<{ token: string; info: TokenInfo }> {
  const owner = await resolveOwner(actor, ownerName, "admin:users");
  const note = (input.note ?? "").trim();
  if (note.length > NOTE_MAX) throw new AppError("invalid_input", `A token's note may be at most ${NOTE_MAX} characters; shorten it.`);
  const scopes = grantedScopes(actor, owner, input.scopes);
  const expiresAt = tokenExpiry(input.expiresInSeconds, config().tokens.maxAgeSeconds, await creatingTokenExpiry(actor));
  const token = PREFIX + randomBytes(32).toString("base64url");
  const row = await db().apiToken.create({
    data: {
      id: randomUUID(),
      userId: owner.id,
      prefix: token.slice(0, SHOWN),
      hash: hashToken(token),
      note,
      scopes,
      expiresAt,
      createdBy: actor.name === owner.name ? null : actor.name,
    },
    select: SELECT,
  });
  const created = info(row);
  await recordEvent(actor, { action: "token_create", targetUser: owner.name, details: { tokenId: created.id, prefix: created.prefix, scopes, expiresAt: created.expiresAt } });
  return { token, info: created };
}

export async function listTokens(actor: Actor, ownerName: string): Promise<TokenInfo[]> {
  const owner = await resolveOwner(actor, ownerName, "admin:users");
  const rows = await db().apiToken.findMany({ where: { userId: owner.id }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], select: SELECT });
  return rows.map(info);
}

/** Every token of every person (administrators), newest first, one page at a time. */
export async function listAllTokens(actor: Actor, opts: { offset?: number; limit?: number; user?: string } = {}): Promise<{ items: TokenInfo[]; total: number }> {
  if (!actor.isAdmin) throw new AppError("forbidden", "Only administrators can see everyone's tokens.");
  if (actor.scopes && !actor.scopes.has("admin:users")) throw new AppError("forbidden", 'Seeing everyone\'s tokens needs the "admin:users" scope. Create a token with it on the Tokens page.');
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const offset = Math.max(opts.offset ?? 0, 0);
  const where = opts.user ? { user: { name: { contains: opts.user, mode: "insensitive" as const } } } : {};
  const [rows, total] = await Promise.all([
    db().apiToken.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: offset, take: limit, select: SELECT }),
    db().apiToken.count({ where }),
  ]);
  return { items: rows.map(info), total };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Revokes (deletes) one of `ownerName`'s tokens; it stops working at once on every replica. */
export async function revokeToken(actor: Actor, ownerName: string, tokenId: string): Promise<void> {
  const owner = await resolveOwner(actor, ownerName, "admin:users");
  const gone = UUID.test(tokenId) ? await db().apiToken.deleteMany({ where: { id: tokenId, userId: owner.id } }) : { count: 0 };
  if (gone.count === 0) throw new AppError("not_found", `${owner.name} has no token with id "${tokenId}". It may have been revoked already; list the tokens to see which remain.`);
  await recordEvent(actor, { action: "token_revoke", targetUser: owner.name, details: { tokenId } });
}

export interface VerifiedToken {
  user: { id: string; name: string; displayName: string | null; isAdmin: boolean };
  token: { id: string; prefix: string; note: string };
  /** What the token may do now: its scopes, expanded, within what its owner may hold today. */
  scopes: Set<Scope>;
  /** Its use has not been written to the audit trail for AUDIT_USE_EVERY_MS (recordTokenUse). */
  auditDue: boolean;
}

/**
 * The token's owner and rights, or null when it is unknown, expired, or its owner is disabled.
 * Revocation deletes the row, so it takes effect on the next request on every replica.
 */
export async function verifyToken(raw: string): Promise<VerifiedToken | null> {
  if (!raw.startsWith(PREFIX) || raw.length > 200) return null;
  const row = await db().apiToken.findUnique({
    where: { hash: hashToken(raw) },
    select: { id: true, prefix: true, note: true, scopes: true, expiresAt: true, lastUsedAt: true, useRecordedAt: true, user: { select: { id: true, name: true, displayName: true, isAdmin: true, disabledAt: true } } },
  });
  const now = Date.now();
  if (!row || row.user.disabledAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
    void db()
      .apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } })
      .catch((err: unknown) => log.warn("could not record a token's last use", { error: String(err) }));
  }
  // An administrator who lost the right keeps the token, but not its admin:* scopes.
  const holdable = new Set(scopesFor(row.user.isAdmin));
  const scopes = new Set([...expandScopes(row.scopes.filter(isScope))].filter((s) => holdable.has(s)));
  const { disabledAt: _disabled, ...user } = row.user;
  const auditDue = !row.useRecordedAt || now - row.useRecordedAt.getTime() >= AUDIT_USE_EVERY_MS;
  return { user, token: { id: row.id, prefix: row.prefix, note: row.note }, scopes, auditDue };
}

/**
 * Writes a `token_use` event (its id and prefix through the actor, never the secret; what was
 * asked) unless one was written for this token in the last AUDIT_USE_EVERY_MS. The claim is one
 * conditional UPDATE, so concurrent requests on several replicas write it once.
 */
export async function recordTokenUse(actor: Actor, req: { method: string; url: string }): Promise<boolean> {
  if (!actor.token) return false;
  const now = new Date();
  const claimed = await db().apiToken.updateMany({
    where: { id: actor.token.id, OR: [{ useRecordedAt: null }, { useRecordedAt: { lte: new Date(now.getTime() - AUDIT_USE_EVERY_MS) } }] },
    data: { useRecordedAt: now },
  });
  if (claimed.count === 0) return false;
  let path = "";
  try {
    // The path only: a query string may carry anything.
    path = new URL(req.url).pathname;
  } catch {
    // An unparsable URL is left out.
  }
  await recordEvent(actor, { action: "token_use", targetUser: actor.name, details: { method: req.method, path } });
  return true;
}
