import { db } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import { runtime } from "../runtime";
import type { ServerSpec } from "../runtime/types";
import { findServer, newToken } from "./find-server";
import { pendingStarts } from "./pending-starts";
import { recordEvent } from "../audit/record-event";
import { setServerState } from "./server-state";
import { resolveOwner } from "./resolve-owner";
import type { Actor } from "../auth/actor";
import { serverBaseUrl, serverLabel } from "./types";
import { checkMayStart, serverProfile } from "../policy/profile-access";
import { recordJson, runtimeProfile } from "../policy/resolve-profile";

/**
 * Moves the server to `starting` and launches it in the background; callers follow progress by
 * reading the server (the dashboard polls). Starting a server that is starting or running is a
 * no-op, so double clicks and two tabs are harmless.
 */
export async function startServer(actor: Actor, ownerName: string, name: string) {
  const owner = await resolveOwner(actor, ownerName);
  const found = await findServer(owner.id, owner.name, name);
  if (found.state === "starting" || found.state === "running") return found;
  if (found.state === "deleting") {
    throw new AppError("invalid_state", `${serverLabel(name)} is being deleted.`);
  }
  if (found.state === "stopping") {
    throw new AppError("invalid_state", `${serverLabel(name)} is still stopping. Wait a few seconds, then start it again.`);
  }
  // The resources recorded at creation, whatever the profiles file says now (a server made before
  // profiles were recorded gets the file's, recorded by this start).
  const sp = serverProfile(found);
  checkMayStart(actor, owner, found, sp);
  const record = recordJson(sp.recorded);
  const token = newToken();
  // Conditional update: of two concurrent starts (two tabs, two replicas) exactly one wins.
  const won = await setServerState({ id: found.id, owner: owner.name, name }, { to: "starting", token, ...(sp.unrecorded ? { profileSpec: record } : {}) }, ["stopped", "failed"]);
  if (!won) return db().server.findUniqueOrThrow({ where: { id: found.id } });
  await recordEvent(actor, { action: "start", targetUser: owner.name, serverName: name, details: { profile: sp.recorded.slug, resources: { cpu: sp.recorded.cpu, memory: sp.recorded.memory, storage: sp.recorded.storage, image: sp.recorded.image ?? null }, ...(sp.retired ? { retired: true } : {}) } });

  launchServer(actor, { ...found, profileSpec: record }, owner.name, token);
  return db().server.findUniqueOrThrow({ where: { id: found.id } });
}

export interface ServerToLaunch {
  id: string;
  name: string;
  profile: string;
  /** The profile recorded at creation (absent or null: not recorded, the file's is used). */
  profileSpec?: unknown;
  image?: string | null;
  launchCommit?: string | null;
}

/**
 * Runs a start in the background: waits for the runtime, then records `running` or `failed`.
 * Also used by the reconciler to resume a start that a Berth process left unfinished.
 */
export function launchServer(actor: Actor, server: ServerToLaunch, ownerName: string, token: string): void {
  const name = server.name;
  const profile = runtimeProfile(serverProfile({ profile: server.profile, profileSpec: server.profileSpec }).recorded);
  const controller = new AbortController();
  // A server launched from a repository runs that commit's image (or local environment).
  const environment = server.image && server.launchCommit ? { image: server.image, commit: server.launchCommit } : undefined;
  const key = { id: server.id, owner: ownerName, name };
  const spec: ServerSpec = { serverId: server.id, user: ownerName, name, baseUrl: serverBaseUrl(ownerName, name), token, profile, environment };
  const done = (async () => {
    try {
      const started = await runtime().start(
        spec,
        (message) => {
          void db().server.updateMany({ where: { id: server.id, state: "starting" }, data: { progress: message } }).catch(() => undefined);
        },
        controller.signal,
      );
      const ok = await setServerState(key, { to: "running", upstream: started.upstream, runtimeRef: started.ref, at: new Date() }, ["starting"]);
      if (!ok) {
        // Stopped or deleted while starting: leave nothing running behind.
        await runtime().stop(server.id);
        return;
      }
      await recordEvent(actor, { action: "started", targetUser: ownerName, serverName: name });
    } catch (err) {
      const reason = (err as Error).message;
      log.warn("server start failed", { user: ownerName, server: name, reason });
      await runtime().stop(server.id).catch(() => undefined);
      const marked = await setServerState(key, { to: "failed", reason }, ["starting"]);
      if (marked) await recordEvent(actor, { action: "failed", targetUser: ownerName, serverName: name, reason });
    } finally {
      pendingStarts().delete(server.id);
    }
  })();
  pendingStarts().set(server.id, { controller, done });
}
