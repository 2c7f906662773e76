import { config } from "../config";
import { AppError } from "../errors";
import type { Scope } from "../auth/scopes";
import type { Actor } from "../auth/actor";
import { userOrigin } from "../user-hosts/host";
import type { UrlBase } from "./models";

// Which of JupyterHub's per-endpoint scopes a request holds. actorFor (lib/auth/request-actor.ts)
// checks one scope; JupyterHub's GET /users/{name} accepts any of several, and tokens need
// JupyterHub's `tokens`, which Berth's scope subset has no name for (below).

export const holds = (actor: Actor, scope: Scope) => !actor.scopes || actor.scopes.has(scope);

export function requireAny(actor: Actor, scopes: Scope[]): void {
  if (scopes.some((s) => holds(actor, s))) return;
  throw new AppError("forbidden", `Action is not authorized with current scopes; requires any of [${scopes.join(", ")}]. Create a token with one of them on the Tokens page.`);
}


/**
 * JupyterHub answers 404 "No access to resources or resources not found" when a request holds the
 * scope but not for this user (a person asking about someone else), so it learns nothing, not even
 * whether that user exists. Berth's services would say 403; the JupyterHub API says what JupyterHub says.
 */
export function requireUserAccess(actor: Actor, user: string): void {
  if (actor.isAdmin || actor.name === user) return;
  throw new AppError("not_found", "No access to resources or resources not found");
}

export function urlBase(): UrlBase {
  const c = config();
  return { publicUrl: c.publicUrl, userOrigin: c.userServersHost ? (u) => userOrigin(u) : undefined };
}
