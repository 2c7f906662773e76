import { removeUser, type RemovedUser } from "./remove-user";
import { db } from "../db/client";
import { AppError } from "../errors";
import { stopServer } from "../servers/stop-server";
import type { Actor } from "../auth/actor";
import { serverLabel } from "../servers/types";
import { findUser } from "./find-user";
import { refuseSelf, requireAdmin } from "./require-admin";

const STOP_WAIT_MS = 30_000;

/**
 * Deletes a user with their sessions, tokens, servers and the servers' storage. Running servers are
 * stopped first (the console's confirmation says so and names each one) rather than refusing:
 * an administrator deleting an account has decided its work goes. A server that will not stop
 * leaves everything in place and says which.
 */
export async function deleteUser(actor: Actor, name: string): Promise<RemovedUser & { stopped: string[] }> {
  requireAdmin(actor);
  const user = await findUser(name);
  refuseSelf(actor, user, "delete");
  const active = await db().server.findMany({ where: { ownerId: user.id, state: { in: ["starting", "running", "stopping", "deleting"] } }, select: { name: true }, orderBy: { name: "asc" } });
  for (const s of active) await stopServer(actor, user.name, s.name, "user deleted", { wait: true });
  // A stop already under way (someone else's) finishes on its own; give it a little time.
  const deadline = Date.now() + STOP_WAIT_MS;
  let left = active.length;
  while (left && Date.now() < deadline) {
    left = await db().server.count({ where: { ownerId: user.id, state: { in: ["starting", "running", "stopping", "deleting"] } } });
    if (left) await new Promise((r) => setTimeout(r, 250));
  }
  if (left) {
    throw new AppError("invalid_state", `Some servers of "${user.name}" did not stop in time, so nothing was deleted. Wait a moment and try again.`);
  }
  const removed = await removeUser(user.name, actor);
  return { ...removed, stopped: active.map((s) => serverLabel(s.name)) };
}
