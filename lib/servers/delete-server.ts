import { AppError } from "../errors";
import { runtime } from "../runtime";
import { findServer } from "./find-server";
import { recordEvent } from "../audit/record-event";
import { resolveOwner } from "./resolve-owner";
import { removeServerRow, setServerState } from "./server-state";
import { haltServer } from "./stop-server";
import type { Actor } from "../auth/actor";

/** Stops a named server and deletes it with its storage. */
export async function deleteServer(actor: Actor, ownerName: string, name: string) {
  if (name === "") {
    throw new AppError("unsupported", "The default server cannot be deleted. Stop it instead; its files are kept.");
  }
  const owner = await resolveOwner(actor, ownerName);
  const found = await findServer(owner.id, owner.name, name);
  const key = { id: found.id, owner: owner.name, name };
  await setServerState(key, { to: "deleting" });
  try {
    await haltServer(found.id);
    await runtime().remove(found.id);
  } catch (err) {
    const reason = `Could not delete its storage: ${(err as Error).message}. Try deleting it again; if it keeps failing, ask an administrator.`;
    await setServerState(key, { to: "failed", reason });
    await recordEvent(actor, { action: "failed", targetUser: owner.name, serverName: name, reason });
    throw new AppError("delete_failed", reason);
  }
  await removeServerRow(key, (tx) => recordEvent(actor, { action: "delete", targetUser: owner.name, serverName: name }, tx));
}
