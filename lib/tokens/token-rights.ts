import { AppError } from "../errors";
import { scopesFor } from "../auth/scopes";
import type { Actor } from "../auth/actor";

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
    `Action is not authorized with current scopes: managing tokens needs a token with all of its owner's scopes (missing ${missing.join(", ")}), or a signed-in session.`,
  );
}
