import { AppError } from "../errors";
import { resolveOwner } from "../servers/resolve-owner";
import type { Actor } from "../auth/actor";
import { createToken, listTokens, revokeToken } from "../tokens/tokens";
import { requireUserAccess } from "./access";
import { tokenModel } from "./models";

// GET/POST /hub/api/users/{name}/tokens and GET/DELETE …/tokens/{id}, in JupyterHub's shapes,
// over lib/tokens (one token store for the Tokens page, Berth's API and this one).

export async function listHubTokens(actor: Actor, owner: string) {
  requireUserAccess(actor, owner);
  // JupyterHub drops expired tokens from the list (it deletes them as it lists).
  const tokens = (await listTokens(actor, owner)).filter((t) => !t.expired);
  return { api_tokens: tokens.map(tokenModel) };
}

export async function getHubToken(actor: Actor, owner: string, id: string) {
  requireUserAccess(actor, owner);
  const found = (await listTokens(actor, owner)).find((t) => t.id === id && !t.expired);
  if (!found) throw new AppError("not_found", `No such token ${id} for user ${owner}`);
  return tokenModel(found);
}

/** JupyterHub's request body: {note?, expires_in?, scopes?, roles?}; the checks and messages are its own. */
export function parseTokenRequest(body: unknown, requester: string, owner: { name: string; isAdmin: boolean }): { note: string; expiresInSeconds: number | null; scopes?: string[] } {
  const b = body ?? {};
  if (typeof b !== "object" || Array.isArray(b)) throw new AppError("bad_request", "Body must be a JSON dict or empty");
  const r = b as Record<string, unknown>;
  for (const key of ["roles", "scopes"]) {
    const v = r[key];
    if (v !== undefined && v !== null && (!Array.isArray(v) || !v.every((x) => typeof x === "string"))) {
      throw new AppError("bad_request", `token ${key} must be null or a list of strings, not ${JSON.stringify(v)}`);
    }
  }
  if (Array.isArray(r.roles) && r.roles.length) {
    throw new AppError("bad_request", "Berth has no roles (JupyterHub deprecated them for tokens in 3.0). Ask for scopes instead, for example {\"scopes\": [\"read:servers\"]}.");
  }
  const expiresIn = r.expires_in;
  if (expiresIn !== undefined && expiresIn !== null && !Number.isInteger(expiresIn)) {
    throw new AppError("bad_request", `token expires_in must be null or integer, not ${JSON.stringify(expiresIn)}`);
  }
  const note = typeof r.note === "string" && r.note ? r.note : `Requested via api${requester !== owner.name ? ` by user ${requester}` : ""}`;
  return {
    note,
    // JupyterHub: omitted, null or 0 is "no expiry", which Berth's operator maximum then caps.
    expiresInSeconds: typeof expiresIn === "number" && expiresIn > 0 ? expiresIn : null,
    scopes: Array.isArray(r.scopes) ? (r.scopes as string[]).map((s) => ownScope(s, owner)) : undefined,
  };
}

/**
 * JupyterHub's filtered form of a scope limited to the token's owner ("read:servers!user=alice"
 * for alice, or "read:servers!user") is what a Berth scope already means for a person who is not
 * an administrator, so it is read as the plain scope. For an administrator the plain scope would
 * mean everyone's, a widening, so it is refused; other filters (another user, a group, a server)
 * have no Berth equivalent and createToken refuses them as unknown scopes.
 */
export function ownScope(scope: string, owner: { name: string; isAdmin: boolean }): string {
  const m = /^([a-z:]+)!user(?:=(.*))?$/.exec(scope);
  if (!m || (m[2] !== undefined && m[2] !== owner.name)) return scope;
  if (owner.isAdmin) {
    throw new AppError("bad_request", `"${scope}": Berth cannot limit an administrator's token to their own user. Ask for the plain scope ("${m[1]}"), which covers every user, or use a non-administrator's token.`);
  }
  return m[1];
}

export async function createHubToken(actor: Actor, owner: string, body: unknown) {
  // Whose tokens these are is settled first, so that a refusal below is about the request itself.
  const found = await resolveOwner(actor, owner);
  const input = parseTokenRequest(body, actor.name, found);
  try {
    const { token, info } = await createToken(actor, owner, input);
    return { ...tokenModel(info), token };
  } catch (err) {
    // Asking for scopes the owner does not hold is a bad request in JupyterHub (400), not a 403.
    if (err instanceof AppError && err.code === "forbidden") throw new AppError("bad_request", err.message);
    throw err;
  }
}

export async function revokeHubToken(actor: Actor, owner: string, id: string): Promise<void> {
  requireUserAccess(actor, owner);
  await revokeToken(actor, owner, id);
}
