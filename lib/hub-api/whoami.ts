import { scopesFor } from "../auth/scopes";
import type { Actor } from "../auth/actor";
import { getHubUser } from "./list-hub-users";
import { hubScopes } from "./models";

/**
 * GET /hub/api/user: the requester's own model (any valid credential may identify itself), with
 * the scopes the request holds and the token it used, as JupyterHub's RequestIdentity.
 */
export async function whoami(actor: Actor) {
  const model = await getHubUser(actor, actor.name, { includeStopped: false, identify: true });
  return {
    ...model,
    // JupyterHub's session_id belongs to OAuth tokens; Berth's tokens and sessions have none to share.
    session_id: null,
    token_id: actor.token?.id ?? null,
    scopes: hubScopes(actor.name, actor.isAdmin, actor.scopes ?? scopesFor(actor.isAdmin)),
  };
}
