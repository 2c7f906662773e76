import { db } from "../db/client";
import { recordEvent } from "../audit/record-event";
import { verifyPassword } from "./password";
import { SigninRefused } from "./signin-refused";
import { reserveAttempt, settleAttempt } from "./signin-attempts";

// A hash to compare against when the user does not exist, so a wrong name costs the same time
// as a wrong password and does not reveal which names exist.
const DUMMY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

export async function signInLocal(username: string, password: string, address: string | null = null) {
  const name = username.trim().toLowerCase();
  if (!name || !password) return null;
  // Local accounts have no lockout to protect, but guessing is still rate-limited per address.
  const reservation = await reserveAttempt(name, address, { limitUser: false });
  if (!reservation.ok) throw new SigninRefused(reservation.code, reservation.retryAfterSeconds);
  const user = await db().user.findUnique({ where: { name } });
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY);
  await settleAttempt(reservation.id, ok && user?.passwordHash ? "success" : "failed");
  if (!user || !user.passwordHash || !ok) return null;
  // Said only after the right password: a guess learns nothing about the account.
  if (user.disabledAt) throw new SigninRefused("disabled");
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await recordEvent({ id: user.id, name: user.name, isAdmin: user.isAdmin }, { action: "signin", targetUser: user.name });
  return user;
}
