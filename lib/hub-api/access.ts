import { config } from "../config";
import { AppError } from "../errors";
import { scopesFor, type Scope } from "../auth/scopes";
import type { Actor } from "../servers/types";
import { userOrigin } from "../user-hosts/host";
import type { UrlBase } from "./models";

// Which of JupyterHub's per-endpoint scopes a request holds. actorFor (lib/auth/request-actor.ts)
// checks one scope; JupyterHub's GET /users/{name} accepts any of several, and tokens need
// JupyterHub's `tokens`, which Berth's scope subset has no name for (below).

export const holds = (actor: Actor, scope: Scope) => !actor.scopes || actor.scopes.has(scope);

export function requireAny(actor: Actor, scopes: Scope[]): void {
  if (scopes.some((s) => holds(actor, s))) return;
  throw new AppError("forbidden", 403, `Action is not authorized with current scopes; requires any of [${scopes.join(", ")}]. Create a token with one of them on the Tokens page.`);
}

/**
 * Listing, creating and revoking tokens is JupyterHub's `tokens` scope, which its default token
 * ("inherit": everything its owner may do) holds and narrower tokens do not. Berth's scope subset
 * has no such name, so the same rule is written out: a signed-in session, or a token holding every
 * scope its owner may hold. A read-only token cannot mint or revoke tokens.
 */
export function requireTokenRights(actor: Actor): void {
  if (!actor.scopes) return;
  const missing = scopesFor(actor.isAdmin).filter((s) => !actor.scopes!.has(s));
  if (missing.length === 0) return;
  throw new AppError(
    "forbidden",
    403,
    `Action is not authorized with current scopes: managing tokens needs a token with all of its owner's scopes (missing ${missing.join(", ")}), or a signed-in session.`,
  );
}

/**
 * JupyterHub answers 404 "No access to resources or resources not found" when a request holds the
 * scope but not for this user (a person asking about someone else), so it learns nothing, not even
 * whether that user exists. Berth's services would say 403; the JupyterHub API says what JupyterHub says.
 */
export function requireUserAccess(actor: Actor, user: string): void {
  if (actor.isAdmin || actor.name === user) return;
  throw new AppError("not_found", 404, "No access to resources or resources not found");
}

export function urlBase(): UrlBase {
  const c = config();
  return { publicUrl: c.publicUrl, userOrigin: c.userServersHost ? (u) => userOrigin(u) : undefined };
}
