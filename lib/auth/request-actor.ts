import { AppError } from "../errors";
import type { Actor } from "./actor";
import { recordTokenUse, verifyToken } from "../tokens/tokens";
import { expandScopes, isAdminScope, scopesFor, type Scope } from "./scopes";
import { currentUser } from "./session";

// The one way a route handler learns who is asking: an API token in the Authorization header
// (`token <t>` as JupyterHub's clients send it, or `Bearer <t>` as binderhub-client does), else the
// Berth session cookie. A token acts with its scopes, never beyond its owner's rights; a session
// with everything the person may do.

const AUTH_HEADER = /^(token|bearer)[ \t]+([^\s]+)[ \t]*$/i;

/** The token in an Authorization header; null when there is no header; throws when it is malformed. */
export function tokenFromHeader(header: string | null): string | null {
  if (header === null || header.trim() === "") return null;
  const m = AUTH_HEADER.exec(header.trim());
  if (!m) {
    throw new AppError("unauthenticated", 'The Authorization header was not understood. Send "Authorization: token <your token>" (or "Bearer <your token>"), or sign in.');
  }
  return m[2];
}

export async function actorFor(req: Request, scope: Scope | null): Promise<Actor> {
  const raw = tokenFromHeader(req.headers.get("authorization"));
  let actor: Actor;
  if (raw !== null) {
    const v = await verifyToken(raw);
    if (!v) {
      throw new AppError("unauthenticated", "This API token is not valid: it is unknown, expired or revoked, or its owner is disabled. Create a new one on the Tokens page.");
    }
    actor = { id: v.user.id, name: v.user.name, isAdmin: v.user.isAdmin, scopes: v.scopes, token: { id: v.token.id, prefix: v.token.prefix } };
    // Written down even when the scope check below refuses: a token being tried matters too.
    if (v.auditDue) await recordTokenUse(actor, req);
  } else {
    const u = await currentUser();
    if (!u) throw new AppError("unauthenticated", "Sign in to continue, or send an API token in the Authorization header.");
    actor = { id: u.id, name: u.name, isAdmin: u.isAdmin, scopes: expandScopes(scopesFor(u.isAdmin)) };
  }
  if (scope) requireScope(actor, scope);
  return actor;
}

/**
 * For what only a person at a browser may do: routes that end or mint browser credentials
 * (sign out everywhere, the administrator's "open anyway" cookie). An API token is refused
 * outright rather than ignored, so a script learns why instead of acting with a cookie it carries.
 */
export async function sessionActorFor(req: Request): Promise<Actor> {
  if (req.headers.get("authorization")?.trim()) {
    throw new AppError("forbidden", "API tokens cannot be used here: this needs you signed in to Berth in a browser. Send the request without an Authorization header from Berth's own pages.");
  }
  const u = await currentUser();
  if (!u) throw new AppError("unauthenticated", "Sign in to continue.");
  return { id: u.id, name: u.name, isAdmin: u.isAdmin, scopes: expandScopes(scopesFor(u.isAdmin)) };
}

/** Refuses unless `actor` may use `scope` (an actor without a scope list is the system: it may). */
export function requireScope(actor: Actor, scope: Scope): void {
  if (!actor.scopes || actor.scopes.has(scope)) return;
  if (isAdminScope(scope) && !actor.isAdmin) throw new AppError("forbidden", "Only administrators can do this.");
  throw new AppError("forbidden", `This token does not have the "${scope}" scope needed here. Create a token with it on the Tokens page.`);
}

/** actorFor, and the person must be an administrator. */
export async function adminFor(req: Request, scope: Scope): Promise<Actor> {
  const actor = await actorFor(req, scope);
  if (!actor.isAdmin) throw new AppError("forbidden", "Only administrators can do this.");
  return actor;
}
