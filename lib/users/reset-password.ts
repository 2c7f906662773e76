import { checkPasswordStrength, hashPassword, randomPassword } from "../auth/password";
import { revokeUserSessions } from "../auth/user-sessions";
import { db } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../audit/record-event";
import type { Actor } from "../auth/actor";
import { findUser, isJira } from "./find-user";
import { requireAdmin } from "./require-admin";

/**
 * Gives a local account a new password — the one given, or a generated one returned here once —
 * and ends all of that person's sessions, so whoever knew the old one is signed out everywhere.
 */
export async function resetPassword(actor: Actor, name: string, given?: string): Promise<{ name: string; password?: string; sessionsEnded: number }> {
  requireAdmin(actor);
  const user = await findUser(name);
  if (isJira(user)) {
    throw new AppError("unsupported", `"${user.name}" signs in with Jira, so Berth has no password of theirs to reset. Their password is changed in Jira.`);
  }
  const generated = given === undefined || given === "";
  const password = generated ? randomPassword() : given;
  const weak = checkPasswordStrength(password);
  if (weak) throw new AppError("invalid_input", `Choose a stronger password. ${weak}`);
  await db().user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } });
  const sessionsEnded = await revokeUserSessions(user.id, `password reset by ${actor.name}`);
  await recordEvent(actor, { action: "user_password_reset", targetUser: user.name, details: { sessions: sessionsEnded, generated } });
  return { name: user.name, ...(generated ? { password } : {}), sessionsEnded };
}
