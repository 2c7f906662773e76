import { db } from "../db/client";
import { profiles, profilesStatus, type ProfilesStatus } from "./profiles";
import type { Profile } from "../config";

// The console's Profiles tab: the profiles in use and how many servers have each (one grouped
// query), including slugs no longer configured, whose servers run with the default profile.

export interface ProfileUsage {
  profile: Profile;
  servers: number;
  running: number;
}

export interface ProfilesOverview {
  profiles: ProfileUsage[];
  /** Slugs servers still record that the file no longer has. */
  removed: { slug: string; servers: number; running: number }[];
  status: ProfilesStatus;
}

export async function listProfileUsage(): Promise<ProfilesOverview> {
  const status = profilesStatus();
  const list = profiles();
  const rows = await db().$queryRaw<{ profile: string; servers: number; running: number }[]>`
    SELECT profile, count(*)::int AS servers, count(*) FILTER (WHERE state = 'running')::int AS running FROM servers GROUP BY profile`;
  const by = new Map(rows.map((r) => [r.profile, r]));
  const known = new Set(list.map((p) => p.slug));
  return {
    profiles: list.map((p) => ({ profile: p, servers: by.get(p.slug)?.servers ?? 0, running: by.get(p.slug)?.running ?? 0 })),
    removed: rows.filter((r) => !known.has(r.profile)).map((r) => ({ slug: r.profile, servers: r.servers, running: r.running })).sort((a, b) => a.slug.localeCompare(b.slug)),
    status,
  };
}
