import { db } from "../db/client";
import { log } from "../log";
import { runtime } from "../runtime";
import { findServer } from "./find-server";
import { pendingStarts } from "./pending-starts";
import { recordEvent } from "../audit/record-event";
import { resolveOwner } from "./resolve-owner";
import type { Actor } from "../auth/actor";
import { setServerState } from "./server-state";

/**
 * Stops the server and keeps its storage. Stopping a stopped server is a no-op. With
 * `wait: false` it returns once the server is `stopping` and finishes in the background, so the
 * dashboard can show progress; the culler and tests wait.
 */
export async function stopServer(actor: Actor, ownerName: string, name: string, reason?: string, opts: { wait: boolean } = { wait: true }) {
  const owner = await resolveOwner(actor, ownerName);
  const found = await findServer(owner.id, owner.name, name);
  if (found.state === "stopped" || found.state === "failed" || found.state === "stopping" || found.state === "deleting") return found;
  const key = { id: found.id, owner: owner.name, name };
  const won = await setServerState(key, { to: "stopping" }, ["starting", "running"]);
  if (!won) return db().server.findUniqueOrThrow({ where: { id: found.id } });
  await recordEvent(actor, { action: reason === "idle" ? "cull" : "stop", targetUser: owner.name, serverName: name, reason });

  const finish = async () => {
    try {
      await haltServer(found.id);
      await setServerState(key, { to: "stopped", reason: reason === "idle" ? "Stopped after being idle; its files are kept." : null }, ["stopping"]);
      await recordEvent(actor, { action: "stopped", targetUser: owner.name, serverName: name });
    } catch (err) {
      const why = `Could not stop it cleanly: ${(err as Error).message}. Try stopping it again.`;
      log.error("server stop failed", { user: owner.name, server: name, error: String(err) });
      await setServerState(key, { to: "failed", reason: why }, ["stopping"]);
      await recordEvent(actor, { action: "failed", targetUser: owner.name, serverName: name, reason: why });
    }
  };
  if (opts.wait) await finish();
  else void finish();
  return db().server.findUniqueOrThrow({ where: { id: found.id } });
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
