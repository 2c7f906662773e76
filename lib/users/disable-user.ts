import { revokeUserSessions } from "../auth/user-sessions";
import { db } from "../db/client";
import { SERIALISED_TX } from "../db/transactions";
import type { Prisma } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import { invalidateRoute } from "../proxy/route-cache";
import { recordEvent } from "../audit/record-event";
import { stopServer } from "../servers/stop-server";
import type { Actor } from "../auth/actor";
import { serverLabel } from "../servers/types";
import { findUser } from "./find-user";
import { refuseSelf, requireAdmin } from "./require-admin";

export interface DisabledUser {
  name: string;
  /** false when they were disabled already */
  changed: boolean;
  sessionsEnded: number;
  /** servers asked to stop (their storage is kept) */
  serversStopped: string[];
  /** servers that could not be stopped, with why */
  failed: { server: string; reason: string }[];
}

/** Refuses disabling the last administrator who can still sign in. */
async function keepOneEnabledAdmin(tx: Prisma.TransactionClient, user: { id: string; name: string; isAdmin: boolean }) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('berth:administrators'))`;
  if (!user.isAdmin) return;
  const others = await tx.user.count({ where: { isAdmin: true, disabledAt: null, id: { not: user.id } } });
  if (others === 0) {
    throw new AppError("conflict", `"${user.name}" is the only administrator who can sign in, so they cannot be disabled. Make someone else an administrator first; nothing was changed.`);
  }
}

/**
 * Disables a user: they can no longer sign in (local or Jira), their sessions end, their API tokens
 * stop working (verifyToken refuses a disabled owner), and their running servers stop with their
 * storage kept. With `wait: false` the stops finish in the background (the console's request
 * returns at once); the CLI waits.
 */
export async function disableUser(actor: Actor, name: string, opts: { wait: boolean } = { wait: true }): Promise<DisabledUser> {
  requireAdmin(actor);
  const found = await findUser(name);
  refuseSelf(actor, found, "disable");
  const changed = await db().$transaction(async (tx) => {
    // The lock createServer and removeUser take: no server of theirs starts while we decide.
    await tx.$queryRaw`SELECT id FROM users WHERE id = ${found.id}::uuid FOR UPDATE`;
    const user = await tx.user.findUniqueOrThrow({ where: { id: found.id } });
    if (user.disabledAt) return false;
    await keepOneEnabledAdmin(tx, user);
    await tx.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    await recordEvent(actor, { action: "user_disable", targetUser: user.name }, tx);
    return true;
  }, SERIALISED_TX);
  // Even when already disabled: a retry finishes what a failed first attempt left running.
  const sessionsEnded = await revokeUserSessions(found.id, `disabled by ${actor.name}`);
  invalidateRoute(found.name);
  const active = await db().server.findMany({ where: { ownerId: found.id, state: { in: ["starting", "running"] } }, select: { name: true }, orderBy: { name: "asc" } });
  const failed: DisabledUser["failed"] = [];
  for (const s of active) {
    try {
      await stopServer(actor, found.name, s.name, "user disabled", { wait: opts.wait });
    } catch (err) {
      log.warn("could not stop a disabled user's server", { user: found.name, server: s.name, error: String(err) });
      failed.push({ server: serverLabel(s.name), reason: (err as Error).message });
    }
  }
  return { name: found.name, changed, sessionsEnded, serversStopped: active.map((s) => serverLabel(s.name)).filter((l) => !failed.some((f) => f.server === l)), failed };
}

/** Lets a disabled user sign in again. Their servers stay stopped until they start them. */
export async function enableUser(actor: Actor, name: string): Promise<{ name: string; changed: boolean }> {
  requireAdmin(actor);
  const user = await findUser(name);
  const r = await db().user.updateMany({ where: { id: user.id, disabledAt: { not: null } }, data: { disabledAt: null } });
  if (r.count) await recordEvent(actor, { action: "user_enable", targetUser: user.name });
  return { name: user.name, changed: r.count > 0 };
}
