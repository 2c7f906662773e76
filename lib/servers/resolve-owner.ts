import { db } from "../db/client";
import { AppError } from "../errors";
import { isPossibleUserName } from "../http/path-segments";
import type { Actor } from "./types";

// Only the owner or an administrator may act on a person's servers. A non-administrator asking
// about someone else learns nothing, not even whether that person exists.
export async function resolveOwner(actor: Actor, ownerName: string) {
  if (actor.name !== ownerName && !actor.isAdmin) {
    throw new AppError("forbidden", 403, "You can only see and manage your own servers.");
  }
  // A name no one can have (a NUL byte would make PostgreSQL fail the query) needs no lookup.
  const owner = isPossibleUserName(ownerName) ? await db().user.findUnique({ where: { name: ownerName } }) : null;
  if (!owner) throw new AppError("not_found", 404, `There is no user named "${ownerName}".`);
  return owner;
}
