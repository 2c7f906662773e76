import { db } from "../db/client";
import { invalidateRoute } from "../proxy/route-cache";
import { runtime } from "../runtime";
import { findServer } from "./find-server";
import { pendingStarts } from "./pending-starts";
import { recordEvent } from "./record-event";
import { resolveOwner } from "./resolve-owner";
import type { Actor } from "./types";

/** Stops the server and keeps its storage. Stopping a stopped server is a no-op. */
export async function stopServer(actor: Actor, ownerName: string, name: string, reason?: string) {
  const owner = await resolveOwner(actor, ownerName);
  const found = await findServer(owner.id, owner.name, name);
  if (found.state === "stopped" || found.state === "failed" || found.state === "stopping") return found;
  const won = await db().server.updateMany({
    where: { id: found.id, state: { in: ["starting", "running"] } },
    data: { state: "stopping", progress: "Stopping" },
  });
  if (won.count === 0) return db().server.findUniqueOrThrow({ where: { id: found.id } });
  invalidateRoute(owner.name, name);
  await recordEvent(actor, { action: reason === "idle" ? "cull" : "stop", targetUser: owner.name, serverName: name, reason });
  await haltServer(found.id);
  const stopped = await db().server.update({
    where: { id: found.id },
    data: { state: "stopped", progress: null, upstream: null, runtimeRef: null, stateReason: reason === "idle" ? "Stopped after being idle" : null },
  });
  invalidateRoute(owner.name, name);
  await recordEvent(actor, { action: "stopped", targetUser: owner.name, serverName: name });
  return stopped;
}

/** Cancels a start in flight, then stops whatever the runtime has for the server. */
export async function haltServer(serverId: string): Promise<void> {
  const pending = pendingStarts().get(serverId);
  if (pending) {
    pending.controller.abort();
    await pending.done;
  }
  await runtime().stop(serverId);
}
