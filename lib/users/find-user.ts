import { db } from "../db/client";
import { AppError } from "../errors";
import { isPossibleUserName } from "../http/path-segments";

/** The user named `name`, or a 404 that says so. */
export async function findUser(name: string) {
  const user = isPossibleUserName(name) ? await db().user.findUnique({ where: { name } }) : null;
  if (!user) throw new AppError("not_found", `There is no user named "${name}".`);
  return user;
}

export const isJira = (u: { externalId: string | null }) => u.externalId !== null;
