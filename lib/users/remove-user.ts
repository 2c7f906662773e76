import { db } from "../db/client";
import { SERIALISED_TX } from "../db/transactions";
import { AppError } from "../errors";
import { log } from "../log";
import { invalidateRoute } from "../proxy/route-cache";
import { runtime } from "../runtime";
import { recordEvent } from "../audit/record-event";
import { SYSTEM, type Actor } from "../auth/actor";
import { serverLabel } from "../servers/types";
import { keepOneAdmin } from "../auth/set-admin";
import { sessionChecker } from "../auth/user-sessions";

export interface RemovedUser {
  name: string;
  servers: string[];
  /** servers whose storage could not be removed here, with why */
  storageLeft: { server: string; reason: string }[];
}

/**
 * Removes a user with their sessions (their cookies stop working on every replica within the
 * session check's lifetime) and their servers' records and storage.
 *
 * A server that is running, starting or stopping is refused rather than stopped here: a local
 * server is a child process of the Berth that started it, which this caller (the CLI) may not be,
 * and a person's running work deserves a deliberate stop. Stop them first, then remove the user.
 */
export async function removeUser(userName: string, actor: Actor = SYSTEM): Promise<RemovedUser> {
  const removed = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { name: userName }, select: { id: true, name: true, isAdmin: true } });
    if (!user) throw new AppError("not_found", `There is no user named "${userName}".`);
    // The same lock createServer takes: no server of theirs appears or starts while we decide.
    await tx.$queryRaw`SELECT id FROM users WHERE id = ${user.id}::uuid FOR UPDATE`;
    await keepOneAdmin(tx, user, "removed");
    const servers = await tx.server.findMany({ where: { ownerId: user.id }, select: { id: true, name: true, state: true }, orderBy: { name: "asc" } });
    const active = servers.filter((s) => s.state !== "stopped" && s.state !== "failed");
    if (active.length) {
      const list = active.map((s) => `${serverLabel(s.name)} (${s.state})`).join(", ");
      throw new AppError("invalid_state", `"${user.name}" still has servers that are not stopped: ${list}. Stop them first (an administrator can, from their servers' page), then remove the user; nothing was changed.`);
    }
    // Sessions and server rows go with the user (foreign keys cascade); events keep the name.
    await tx.user.delete({ where: { id: user.id } });
    await recordEvent(actor, { action: "user_remove", targetUser: user.name, details: { servers: servers.map((s) => s.name) } }, tx);
    return { user, servers };
  }, SERIALISED_TX);

  sessionChecker().forget();
  invalidateRoute(removed.user.name);
  const storageLeft: RemovedUser["storageLeft"] = [];
  for (const s of removed.servers) {
    // Every server is stopped (checked above): this removes its storage (a workspace folder, a
    // volume claim) at once. What could not be removed is reported.
    try {
      await runtime().remove(s.id);
    } catch (err) {
      log.warn("could not remove a removed user's server storage", { user: removed.user.name, server: s.name, error: String(err) });
      storageLeft.push({ server: serverLabel(s.name), reason: (err as Error).message });
    }
  }
  return { name: removed.user.name, servers: removed.servers.map((s) => serverLabel(s.name)), storageLeft };
}
