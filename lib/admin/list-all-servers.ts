import type { Prisma } from "../db/client";
import { config } from "../config";
import { db } from "../db/client";
import { AppError } from "../errors";
import { parseBytes } from "../policy/quantity";
import { runtime } from "../runtime";
import { launchedFrom } from "../servers/list-servers";
import { serverBaseUrl, serverLabel, type Actor } from "../servers/types";
import { PAGE_SIZE, type ServersQuery } from "./servers-query";

export type AdminServerRow = Awaited<ReturnType<typeof listAllServers>>["servers"][number];
export type AdminServersPage = Awaited<ReturnType<typeof listAllServers>>;

/** The filters as a Prisma where clause: PostgreSQL filters, never this process. */
export function serversWhere(q: ServersQuery, now = new Date()): Prisma.ServerWhereInput {
  const and: Prisma.ServerWhereInput[] = [];
  if (q.state) and.push({ state: q.state });
  if (q.profile) and.push({ profile: q.profile });
  if (q.user !== undefined) and.push({ owner: { name: q.user } });
  if (q.owner) and.push({ owner: { name: { contains: q.owner.toLowerCase() } } });
  if (q.idle) {
    // As the idle culler judges it: running, no activity since the cutoff (or none since it started).
    const cutoff = new Date(now.getTime() - q.idle * 60_000);
    and.push({ state: "running", OR: [{ lastActivityAt: { lt: cutoff } }, { lastActivityAt: null, startedAt: { lt: cutoff } }] });
  }
  return and.length ? { AND: and } : {};
}

/** The sort as a Prisma orderBy, ending in the id so pages never overlap or skip a row. */
export function serversOrderBy(q: ServersQuery): Prisma.ServerOrderByWithRelationInput[] {
  const d = q.dir;
  const byOwner = { owner: { name: d } } as const;
  switch (q.sort) {
    case "name":
      return [{ name: d }, { owner: { name: "asc" } }, { id: "asc" }];
    case "state":
      return [{ state: d }, { owner: { name: "asc" } }, { name: "asc" }, { id: "asc" }];
    case "lastActivity":
      return [{ lastActivityAt: { sort: d, nulls: "last" } }, { id: "asc" }];
    case "started":
      return [{ startedAt: { sort: d, nulls: "last" } }, { id: "asc" }];
    default:
      return [byOwner, { name: d }, { id: "asc" }];
  }
}

/**
 * Every person's servers for the console: one page of 50, filtered and sorted by PostgreSQL. The
 * runtime is asked for storage use only for the rows on the page (a folder walk or the cluster).
 */
export async function listAllServers(actor: Actor, q: ServersQuery, opts: { storage?: boolean; now?: Date } = {}) {
  if (!actor.isAdmin) throw new AppError("forbidden", 403, "Only administrators can see everyone's servers.");
  const c = config();
  const now = opts.now ?? new Date();
  const where = serversWhere(q, now);
  const [total, rows] = await Promise.all([
    db().server.count({ where }),
    db().server.findMany({
      where,
      orderBy: serversOrderBy(q),
      skip: (q.page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      select: {
        id: true, name: true, profile: true, image: true, state: true, stateReason: true, progress: true,
        launchProvider: true, launchSpec: true, launchCommit: true, lastActivityAt: true, startedAt: true,
        owner: { select: { name: true } },
      },
    }),
  ]);
  const defaultProfile = c.profiles.find((p) => p.default)!;
  const idleMs = c.policy.idleTimeoutSeconds * 1000;
  const rt = opts.storage === false ? undefined : runtime();
  const servers = await Promise.all(
    rows.map(async (s) => {
      const known = c.profiles.find((p) => p.slug === s.profile);
      const profile = known ?? defaultProfile;
      const activity = s.lastActivityAt ?? s.startedAt;
      const url = serverBaseUrl(s.owner.name, s.name);
      return {
        owner: s.owner.name,
        name: s.name,
        label: serverLabel(s.name),
        state: s.state,
        reason: s.stateReason,
        progress: s.progress,
        // A profile removed from the configuration since still names what the server was made with.
        profile: { slug: s.profile, displayName: known?.displayName ?? `${s.profile} (no longer configured)`, cpu: profile.cpu, memory: profile.memory, storage: profile.storage },
        image: s.image,
        launchedFrom: launchedFrom(s),
        startedAt: s.startedAt?.toISOString() ?? null,
        lastActivityAt: s.lastActivityAt?.toISOString() ?? null,
        idleStopAt: s.state === "running" && idleMs > 0 && activity ? new Date(activity.getTime() + idleMs).toISOString() : null,
        storageUsed: rt ? ((await rt.storageUsed(s.id).catch(() => undefined)) ?? null) : null,
        storageLimit: parseBytes(profile.storage),
        url,
        // Through the administrator's warning before someone else's server (app/open-server).
        openUrl: `/open-server?next=${encodeURIComponent(url)}`,
      };
    }),
  );
  return {
    servers,
    total,
    page: q.page,
    pageSize: PAGE_SIZE,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    query: q,
    profiles: c.profiles.map((p) => ({ slug: p.slug, displayName: p.displayName })),
    idleTimeoutSeconds: c.policy.idleTimeoutSeconds,
    /** when the page was read: the clock relative times start from (the same on server and browser) */
    generatedAt: now.getTime(),
  };
}
