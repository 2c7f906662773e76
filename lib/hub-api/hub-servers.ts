import { db } from "../db/client";
import { AppError } from "../errors";
import { createServer } from "../servers/create-server";
import { deleteServer } from "../servers/delete-server";
import { ensureDefaultServer } from "../servers/find-server";
import { pendingStarts } from "../servers/pending-starts";
import { resolveOwner } from "../servers/resolve-owner";
import { startServer } from "../servers/start-server";
import { stopServer } from "../servers/stop-server";
import type { Actor } from "../auth/actor";
import { requireUserAccess } from "./access";
import { chooseProfile } from "../policy/profile-access";
import { defaultProfile, findProfile } from "../policy/profiles";
import type { ChosenOptions } from "../policy/resolve-profile";

// POST and DELETE /hub/api/users/{name}/server and …/servers/{server}: JupyterHub's answers
// (201 started, 202 pending, 204 stopped, 400 already running or over the limit, 404 no such
// server) over Berth's one implementation of each operation in lib/servers.

/** JupyterHub's slow_spawn_timeout and slow_stop_timeout defaults: answer 201/204 if done by then, else 202. */
export const SLOW_SPAWN_MS = 10_000;
export const SLOW_STOP_MS = 10_000;

/** "alice" or "alice's server work", for messages. */
export const serverTitle = (user: string, name: string) => (name ? `${user}'s server "${name}"` : `${user}'s default server`);

/** The POST body: JupyterHub's user_options. Berth reads `profile` and the profile's options (profileChoices); other options have no meaning here and are ignored. */
export function profileOption(body: unknown): string | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body !== "object" || Array.isArray(body)) throw new AppError("bad_request", "The body must be a JSON object of server options, such as {\"profile\": \"small\"}.");
  const profile = (body as Record<string, unknown>).profile;
  if (profile === undefined || profile === null || profile === "") return undefined;
  if (typeof profile !== "string") throw new AppError("bad_request", "user_options.profile must be a string: the slug of one of the profiles.");
  return profile;
}

/**
 * The chosen options of `slug`'s profile in user_options: KubeSpawner's way (each option by its name
 * at the top level, e.g. {"profile": "gpu", "image": "py311"}) or Berth's ({"options": {"image": "py311"}}).
 */
export function profileChoices(body: unknown, slug: string | undefined): ChosenOptions | undefined {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const names = Object.keys((slug ? findProfile(slug) : defaultProfile())?.options ?? {});
  const chosen: ChosenOptions = {};
  for (const n of names) if (Object.hasOwn(b, n) && typeof b[n] === "string") chosen[n] = b[n] as string;
  if (b.options !== undefined && b.options !== null) {
    if (typeof b.options !== "object" || Array.isArray(b.options)) throw new AppError("bad_request", 'user_options.options must be an object of option name to choice, such as {"image": "py311"}.');
    for (const [k, v] of Object.entries(b.options as Record<string, unknown>)) {
      if (typeof v !== "string") throw new AppError("bad_request", `user_options.options.${k} must be the name of a choice (a string).`);
      chosen[k] = v;
    }
  }
  return Object.keys(chosen).length ? chosen : undefined;
}

export async function startHubServer(actor: Actor, ownerName: string, name: string, body: unknown): Promise<201 | 202> {
  requireUserAccess(actor, ownerName);
  const profile = profileOption(body);
  const options = profileChoices(body, profile);
  const owner = await resolveOwner(actor, ownerName);
  let server = await db().server.findUnique({ where: { ownerId_name: { ownerId: owner.id, name } } });
  if (!server && name === "") {
    // The profile's rules are createServer's: it exists, the owner may use it (403), its choices resolve.
    server = await ensureDefaultServer(owner.id, chooseProfile(actor, owner, profile, options));
  } else if (!server) {
    // The quota, the name rules and the profile are createServer's (one implementation).
    server = await createServer(actor, owner.name, { name, profile, options });
  } else if (profile && profile !== server.profile) {
    throw new AppError("bad_request", `${serverTitle(owner.name, name)} uses the profile "${server.profile}"; a server keeps the profile it was created with. Start it without a profile, or delete it and create it again with "${profile}".`);
  }
  if (server.state === "starting") return 202;
  if (server.state === "running") throw new AppError("invalid_state", `${serverTitle(owner.name, name)} is already running. Stop it first, or open it at its url.`);
  if (server.state === "stopping" || server.state === "deleting") throw new AppError("invalid_state", `${serverTitle(owner.name, name)} is pending stop. Wait until it has stopped, then start it.`);

  await startServer(actor, owner.name, name);
  const pending = pendingStarts().get(server.id);
  if (pending) await Promise.race([pending.done, sleep(SLOW_SPAWN_MS)]);
  const now = await db().server.findUnique({ where: { id: server.id }, select: { state: true, stateReason: true } });
  if (now?.state === "failed") throw new AppError("start_failed", `${serverTitle(owner.name, name)} failed to start: ${now.stateReason ?? "no reason was given"}.`);
  return now?.state === "running" ? 201 : 202;
}

export async function stopHubServer(actor: Actor, ownerName: string, name: string, body: unknown): Promise<202 | 204> {
  requireUserAccess(actor, ownerName);
  const remove = removeOption(body);
  const owner = await resolveOwner(actor, ownerName);
  const server = await db().server.findUnique({ where: { ownerId_name: { ownerId: owner.id, name } } });
  if (name && !server) throw new AppError("not_found", `${owner.name} has no server named '${name}'`);
  if (!name && remove) throw new AppError("invalid_state", "Cannot delete the default server. Stop it instead; its files are kept.");
  if (!server) return 204;
  if (remove) {
    // Stops it if it runs, then deletes it and its storage.
    await deleteServer(actor, owner.name, name);
    return 204;
  }
  if (server.state === "stopping" || server.state === "deleting") return 202;
  if (server.state !== "starting" && server.state !== "running") return 204;
  await stopServer(actor, owner.name, name, undefined, { wait: false });
  const deadline = Date.now() + SLOW_STOP_MS;
  while (Date.now() < deadline) {
    const now = await db().server.findUnique({ where: { id: server.id }, select: { state: true } });
    if (!now || now.state === "stopped" || now.state === "failed") return 204;
    await sleep(200);
  }
  return 202;
}

function removeOption(body: unknown): boolean {
  if (body === null || body === undefined) return false;
  if (typeof body !== "object" || Array.isArray(body)) throw new AppError("bad_request", 'The body must be a JSON object, such as {"remove": true}.');
  return Boolean((body as Record<string, unknown>).remove);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
