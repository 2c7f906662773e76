import { db } from "../db/client";
import { recordEvent } from "../servers/record-event";
import { verifyPassword } from "./password";

// A hash to compare against when the user does not exist, so a wrong name costs the same time
// as a wrong password and does not reveal which names exist.
const DUMMY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

export async function signInLocal(username: string, password: string) {
  const name = username.trim().toLowerCase();
  if (!name || !password) return null;
  const user = await db().user.findUnique({ where: { name } });
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY);
  if (!user || !user.passwordHash || !ok) return null;
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await recordEvent({ id: user.id, name: user.name, isAdmin: user.isAdmin }, { action: "signin", targetUser: user.name });
  return user;
}
