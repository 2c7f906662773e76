import { db } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../audit/record-event";
import type { Actor } from "./actor";
import { revokeUserSessions } from "./user-sessions";

/**
 * Ends every session of `userName` — every browser and device, this one included — on every
 * replica within the session check's lifetime. A person may do it for themselves (a lost laptop,
 * a cookie they fear was copied); an administrator for anyone.
 */
export async function signOutEverywhere(actor: Actor, userName: string): Promise<{ user: string; sessionsEnded: number }> {
  if (actor.name !== userName && !actor.isAdmin) {
    throw new AppError("forbidden", "You can only sign yourself out everywhere. Ask an administrator to sign out someone else.");
  }
  const user = await db().user.findUnique({ where: { name: userName }, select: { id: true, name: true } });
  if (!user) throw new AppError("not_found", `There is no user named "${userName}".`);
  const sessionsEnded = await revokeUserSessions(user.id, actor.name === user.name ? "signed out everywhere" : `signed out everywhere by ${actor.name}`);
  await recordEvent(actor, { action: "signout_all", targetUser: user.name, details: { sessions: sessionsEnded } });
  return { user: user.name, sessionsEnded };
}
