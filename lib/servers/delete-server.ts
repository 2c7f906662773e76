import { db } from "../db/client";
import { AppError } from "../errors";
import { invalidateRoute } from "../proxy/route-cache";
import { runtime } from "../runtime";
import { findServer } from "./find-server";
import { recordEvent } from "../audit/record-event";
import { resolveOwner } from "./resolve-owner";
import { haltServer } from "./stop-server";
import type { Actor } from "../auth/actor";

/** Stops a named server and deletes it with its storage. */
export async function deleteServer(actor: Actor, ownerName: string, name: string) {
  if (name === "") {
    throw new AppError("unsupported", "The default server cannot be deleted. Stop it instead; its files are kept.");
  }
  const owner = await resolveOwner(actor, ownerName);
  const found = await findServer(owner.id, owner.name, name);
  await db().server.updateMany({ where: { id: found.id }, data: { state: "stopping", progress: "Deleting" } });
  invalidateRoute(owner.name, name);
  try {
    await haltServer(found.id);
    await runtime().remove(found.id);
  } catch (err) {
    const reason = `Could not delete its storage: ${(err as Error).message}. Try deleting it again; if it keeps failing, ask an administrator.`;
    await db().server.update({ where: { id: found.id }, data: { state: "failed", stateReason: reason, progress: null } });
    await recordEvent(actor, { action: "failed", targetUser: owner.name, serverName: name, reason });
    throw new AppError("delete_failed", reason);
  }
  await db().$transaction(async (tx) => {
    // Two replicas (or two tabs) may delete one server at once: whoever removes the row records
    // the event; the other finds it gone, which is what it wanted.
    const gone = await tx.server.deleteMany({ where: { id: found.id } });
    if (gone.count) await recordEvent(actor, { action: "delete", targetUser: owner.name, serverName: name }, tx);
  });
  invalidateRoute(owner.name, name);
}
