import { db } from "../db/client";
import { serverLabel } from "../servers/types";
import { profiles, profilesStatus, type ProfilesStatus } from "./profiles";
import type { Profile } from "../config";
import { readRecordedProfile, recordedLabel } from "./resolve-profile";

// The console's Profiles tab: the profiles in use and how many servers have each (one grouped
// query), and the retired ones — slugs servers still record that the file no longer has — with
// their servers, which start with the resources recorded when they were created.

export interface ProfileUsage {
  profile: Profile;
  servers: number;
  running: number;
}

export interface RetiredServer {
  owner: string;
  name: string;
  label: string;
  state: string;
  /** As recorded at creation; null for a server made before profiles were recorded (it gets the default profile's). */
  recorded: { displayName: string; cpu: string; memory: string; storage: string; image: string | null } | null;
}

export interface RetiredProfile {
  slug: string;
  /** The name servers recorded for it (the slug when none did). */
  displayName: string;
  servers: number;
  running: number;
  /** Its servers, at most RETIRED_SERVERS_SHOWN of them. */
  list: RetiredServer[];
}

export const RETIRED_SERVERS_SHOWN = 200;

export interface ProfilesOverview {
  profiles: ProfileUsage[];
  /** Retired profiles: slugs servers still record that the file no longer has. */
  removed: RetiredProfile[];
  status: ProfilesStatus;
}

let retiredCache: { at: number; live: string; list: { slug: string; displayName: string }[] } | undefined;

/**
 * The retired profiles servers still record, for the console's Servers filter: one scan of the
 * servers, kept for 30 s (the filter need not know of a profile retired a moment ago).
 */
export async function retiredProfileNames(now = Date.now()): Promise<{ slug: string; displayName: string }[]> {
  const live = profiles().map((p) => p.slug);
  const key = live.join("\n");
  if (retiredCache && retiredCache.live === key && now - retiredCache.at < 30_000) return retiredCache.list;
  const rows = await db().$queryRaw<{ profile: string; name: string | null }[]>`
    SELECT DISTINCT ON (profile) profile, profile_spec->>'displayName' AS name FROM servers
    WHERE NOT (profile = ANY(${live}::text[])) ORDER BY profile, (profile_spec IS NULL)`;
  const list = rows.map((r) => ({ slug: r.profile, displayName: `${r.name ?? r.profile} (retired)` }));
  retiredCache = { at: now, live: key, list };
  return list;
}

export async function listProfileUsage(): Promise<ProfilesOverview> {
  const status = profilesStatus();
  const list = profiles();
  const rows = await db().$queryRaw<{ profile: string; servers: number; running: number }[]>`
    SELECT profile, count(*)::int AS servers, count(*) FILTER (WHERE state = 'running')::int AS running FROM servers GROUP BY profile`;
  const by = new Map(rows.map((r) => [r.profile, r]));
  const known = new Set(list.map((p) => p.slug));
  const retiredSlugs = rows.filter((r) => !known.has(r.profile)).map((r) => r.profile);
  const retiredServers = retiredSlugs.length
    ? await db().server.findMany({
        where: { profile: { in: retiredSlugs } },
        select: { name: true, state: true, profile: true, profileSpec: true, owner: { select: { name: true } } },
        orderBy: [{ profile: "asc" }, { owner: { name: "asc" } }, { name: "asc" }],
        take: RETIRED_SERVERS_SHOWN * retiredSlugs.length,
      })
    : [];
  const removed = retiredSlugs
    .map((slug): RetiredProfile => {
      const mine = retiredServers.filter((s) => s.profile === slug).slice(0, RETIRED_SERVERS_SHOWN);
      const servers: RetiredServer[] = mine.map((s) => {
        const r = readRecordedProfile(s.profileSpec);
        return {
          owner: s.owner.name,
          name: s.name,
          label: serverLabel(s.name),
          state: s.state,
          recorded: r ? { displayName: recordedLabel(r), cpu: r.cpu, memory: r.memory, storage: r.storage, image: r.image ?? null } : null,
        };
      });
      const named = mine.map((s) => readRecordedProfile(s.profileSpec)?.displayName).find(Boolean);
      return { slug, displayName: named ?? slug, servers: by.get(slug)!.servers, running: by.get(slug)!.running, list: servers };
    })
    .sort((a, b) => a.slug.localeCompare(b.slug));
  return {
    profiles: list.map((p) => ({ profile: p, servers: by.get(p.slug)?.servers ?? 0, running: by.get(p.slug)?.running ?? 0 })),
    removed,
    status,
  };
}
