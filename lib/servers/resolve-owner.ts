import type { Scope } from "../auth/scopes";
import { db } from "../db/client";
import { AppError } from "../errors";
import { isPossibleUserName } from "../http/path-segments";
import type { Actor } from "../auth/actor";

// Only the owner or an administrator may act on a person's servers. A non-administrator asking
// about someone else learns nothing, not even whether that person exists.
//
// An administrator's API token acts on other people's things only with the admin:* scope for
// them (`adminScope`): a token an administrator made with just `servers` for a script that
// restarts their own server must not be able to stop everyone's. (JupyterHub would need
// `servers!user=<name>` for that; this subset has no filters, so the admin:* scopes mark "anyone's".)
export async function resolveOwner(actor: Actor, ownerName: string, adminScope: Scope = "admin:servers") {
  if (actor.name !== ownerName && !actor.isAdmin) {
    throw new AppError("forbidden", "You can only see and manage your own servers.");
  }
  if (actor.name !== ownerName && actor.scopes && !actor.scopes.has(adminScope)) {
    throw new AppError("forbidden", `This token may act only on ${actor.name}'s own things; acting on another person's needs the "${adminScope}" scope. Create a token with it on the Tokens page.`);
  }
  // A name no one can have (a NUL byte would make PostgreSQL fail the query) needs no lookup.
  const owner = isPossibleUserName(ownerName) ? await db().user.findUnique({ where: { name: ownerName } }) : null;
  if (!owner) throw new AppError("not_found", `There is no user named "${ownerName}".`);
  return owner;
}
