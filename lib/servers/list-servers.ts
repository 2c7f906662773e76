import { config } from "../config";
import { db } from "../db/client";
import { storageLevel } from "../format/storage";
import { parseSpec } from "../launch/repo-spec";
import { parseBytes } from "../policy/quantity";
import { runtime } from "../runtime";
import { ensureDefaultServer } from "./find-server";
import { IDLE_WARNING_SECONDS, idleStopAt } from "./idle-stop";
import { resolveOwner } from "./resolve-owner";
import type { Actor } from "../auth/actor";
import { serverBaseUrl, serverLabel } from "./types";
import { allowedProfiles, defaultRecord, serverProfile } from "../policy/profile-access";
import { recordedLabel } from "../policy/resolve-profile";
import { idleTimeoutSeconds } from "../policy/profiles";

export type ServerView = Awaited<ReturnType<typeof listServers>>["servers"][number];
export type ServersPage = Awaited<ReturnType<typeof listServers>>;

export async function listServers(actor: Actor, ownerName: string) {
  const c = config();
  const owner = await resolveOwner(actor, ownerName);
  // Polled every second: the upsert (a write) only when the default server is missing.
  let rows = await db().server.findMany({ where: { ownerId: owner.id }, orderBy: [{ name: "asc" }] });
  if (!rows.some((s) => s.name === "")) {
    await ensureDefaultServer(owner.id, defaultRecord());
    rows = await db().server.findMany({ where: { ownerId: owner.id }, orderBy: [{ name: "asc" }] });
  }
  const rt = runtime();
  const servers = rows.map((s) => {
    // What the server was created with (recorded), not what the profiles file says now.
    const { recorded: profile, retired } = serverProfile(s);
    // From memory: the spawn page polls this every second, and a walk of a big workspace must
    // not be in that path (the runtime measures in the background).
    const usage = rt.storageUsage(s.id);
    // A filesystem of its own says its own size (a server made before its profile changed keeps
    // the size it was made with); a folder is measured against the profile.
    const storageLimit = usage.capacity ?? parseBytes(profile.storage);
    return {
      name: s.name,
      label: serverLabel(s.name),
      state: s.state,
      reason: s.stateReason,
      progress: s.progress,
      profile: { slug: profile.slug, displayName: recordedLabel(profile), cpu: profile.cpu, memory: profile.memory, storage: profile.storage, retired },
      lastActivityAt: s.lastActivityAt?.toISOString() ?? null,
      startedAt: s.startedAt?.toISOString() ?? null,
      idleStopAt: idleStopAt(s)?.toISOString() ?? null,
      storageUsed: usage.bytes,
      /** No figure yet, and one is being measured (rather than a runtime that cannot measure). */
      storageMeasuring: usage.bytes === null && usage.measuring,
      storageLimit,
      storageLevel: storageLevel(usage.bytes, storageLimit),
      url: serverBaseUrl(owner.name, s.name),
      launchedFrom: launchedFrom(s),
    };
  });
  const profiles = allowedProfiles(actor, owner);
  return {
    user: owner.name,
    servers,
    namedCount: servers.filter((s) => s.name !== "").length,
    policy: {
      maxNamedServers: c.policy.maxNamedServers,
      serverNameMaxLength: c.policy.serverNameMaxLength,
      idleTimeoutSeconds: c.policy.idleTimeoutSeconds,
      // Those that apply here: the person's servers' and the profiles they may choose (each may set its own).
      idleTimeouts: [...new Set([...rows.map((s) => idleTimeoutSeconds(s.profile)), ...profiles.map((p) => idleTimeoutSeconds(p.slug))])].sort((a, b) => a - b),
      idleWarningSeconds: IDLE_WARNING_SECONDS,
    },
    // Only the profiles this person may choose (all of them for an administrator).
    profiles: profiles.map((p) => ({
      slug: p.slug,
      displayName: p.displayName,
      description: p.description,
      default: p.default,
      options: Object.entries(p.options ?? {}).map(([key, o]) => ({
        key,
        displayName: o.displayName,
        default: o.default ?? Object.keys(o.choices)[0],
        choices: Object.entries(o.choices).map(([choice, ch]) => ({ key: choice, displayName: ch.displayName, description: ch.description })),
      })),
    })),
    // "Need another profile?" (BERTH_PROFILE_REQUEST_URL), filled in by the form.
    profileRequestUrl: c.profileRequestUrl ?? null,
    limits: rt.capabilities(),
  };
}

/** The repository a server was launched from, with the link that launches it again. */
export function launchedFrom(s: { launchProvider: string | null; launchSpec: string | null; launchCommit: string | null }) {
  if (!s.launchProvider || !s.launchSpec || !s.launchCommit) return null;
  try {
    const source = parseSpec(s.launchProvider, s.launchSpec);
    return { repo: source.repo, commit: s.launchCommit, launchPath: `/v2/${source.provider}/${source.spec}` };
  } catch {
    // The operator's provider settings changed since: the launch can no longer be named.
    return null;
  }
}
