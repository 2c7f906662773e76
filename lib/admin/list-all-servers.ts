import { Prisma } from "../generated/prisma/client";
import { config } from "../config";
import { db } from "../db/client";
import { AppError } from "../errors";
import { storageLevel } from "../format/storage";
import { profiles } from "../policy/profiles";
import { serverProfile } from "../policy/profile-access";
import { recordedLabel } from "../policy/resolve-profile";
import { retiredProfileNames } from "../policy/profile-usage";
import { parseBytes } from "../policy/quantity";
import { runtime } from "../runtime";
import { idleStopAt } from "../servers/idle-stop";
import { launchedFrom } from "../servers/list-servers";
import type { Actor } from "../auth/actor";
import { serverBaseUrl, serverLabel } from "../servers/types";
import { PAGE_SIZE, type ServersQuery } from "./servers-query";

export type AdminServerRow = Awaited<ReturnType<typeof listAllServers>>["servers"][number];
export type AdminServersPage = Awaited<ReturnType<typeof listAllServers>>;

const ASC = Prisma.raw("ASC");
const DESC = Prisma.raw("DESC");

/** What a LIKE pattern needs so that `%`, `_` and `\\` typed into the owner filter match themselves. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The filters as SQL over `servers s JOIN users o`: PostgreSQL filters, never this process. */
export function serversWhere(q: ServersQuery, now = new Date()): Prisma.Sql {
  const and: Prisma.Sql[] = [];
  if (q.state) and.push(Prisma.sql`s.state = ${q.state}::"ServerState"`);
  if (q.profile) and.push(Prisma.sql`s.profile = ${q.profile}`);
  if (q.user !== undefined) and.push(Prisma.sql`o.name = ${q.user}`);
  // Names are lower-case: any case typed matches.
  if (q.owner) and.push(Prisma.sql`o.name LIKE ${`%${escapeLike(q.owner.toLowerCase())}%`}`);
  if (q.idle) {
    // As the idle culler judges it: running, no activity since the cutoff (or none since it started).
    const cutoff = new Date(now.getTime() - q.idle * 60_000);
    and.push(Prisma.sql`s.state = 'running' AND COALESCE(s.last_activity_at, s.started_at) < ${cutoff}`);
  }
  return and.length ? Prisma.sql`WHERE ${Prisma.join(and, " AND ")}` : Prisma.empty;
}

/**
 * The sort as SQL, ending in the id so pages never overlap or skip a row. A time never set counts
 * as the oldest (first going up, last going down), which lets one index serve both directions
 * (migration 20261201002000_admin_servers). The inner join (not Prisma's LEFT JOIN for a relation
 * sort) lets PostgreSQL walk users by name and each person's servers by name instead of sorting
 * all of them.
 */
export function serversOrderBy(q: ServersQuery): Prisma.Sql {
  const d = q.dir === "asc" ? ASC : DESC;
  const time = (col: Prisma.Sql) => (q.dir === "asc" ? Prisma.sql`${col} ASC NULLS FIRST, s.id ASC` : Prisma.sql`${col} DESC NULLS LAST, s.id DESC`);
  switch (q.sort) {
    case "name":
      return Prisma.sql`ORDER BY s.name ${d}, o.name ASC, s.id ASC`;
    case "state":
      return Prisma.sql`ORDER BY s.state ${d}, o.name ASC, s.name ASC, s.id ASC`;
    case "lastActivity":
      return Prisma.sql`ORDER BY ${time(Prisma.sql`s.last_activity_at`)}`;
    case "started":
      return Prisma.sql`ORDER BY ${time(Prisma.sql`s.started_at`)}`;
    default:
      return Prisma.sql`ORDER BY o.name ${d}, s.name ${d}, s.id ${d}`;
  }
}

/**
 * Every person's servers for the console: one page of 50, filtered and sorted by PostgreSQL. The
 * runtime is asked for storage use only for the rows on the page, from its cache (measured in the
 * background).
 */
export async function listAllServers(actor: Actor, q: ServersQuery, opts: { storage?: boolean; now?: Date } = {}) {
  if (!actor.isAdmin) throw new AppError("forbidden", "Only administrators can see everyone's servers.");
  const c = config();
  const now = opts.now ?? new Date();
  const where = serversWhere(q, now);
  // Every server has its owner (a foreign key), so users is joined only where a filter or the sort
  // reads the owner's name; a plain count or a time-sorted page then never touches it.
  const filterByOwner = Boolean(q.owner) || q.user !== undefined;
  const sortByOwner = q.sort === "owner" || q.sort === "name" || q.sort === "state";
  const from = (join: boolean) => (join ? Prisma.sql`servers s JOIN users o ON o.id = s.owner_id` : Prisma.sql`servers s`);
  const [counted, ids] = await Promise.all([
    db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM ${from(filterByOwner)} ${where}`,
    db().$queryRaw<{ id: string }[]>`SELECT s.id FROM ${from(filterByOwner || sortByOwner)} ${where} ${serversOrderBy(q)} LIMIT ${PAGE_SIZE} OFFSET ${(q.page - 1) * PAGE_SIZE}`,
  ]);
  const total = Number(counted[0]?.n ?? 0);
  const found = await db().server.findMany({
    where: { id: { in: ids.map((r) => r.id) } },
    select: {
      id: true, name: true, profile: true, profileSpec: true, image: true, state: true, stateReason: true, progress: true,
      launchProvider: true, launchSpec: true, launchCommit: true, lastActivityAt: true, startedAt: true,
      owner: { select: { name: true } },
    },
  });
  // In the page's order; a row deleted between the two reads is left out.
  const byId = new Map(found.map((r) => [r.id, r]));
  const rows = ids.flatMap((r) => byId.get(r.id) ?? []);
  // The profiles in use now (an edited profiles file is picked up without a restart).
  const live = profiles();
  const rt = opts.storage === false ? undefined : runtime();
  const servers = rows.map((s) => {
    // What the server was created with (recorded), whatever the profiles file says now.
    const { recorded: profile, retired } = serverProfile(s);
    const url = serverBaseUrl(s.owner.name, s.name);
    // From memory, measured in the background (never a folder walk in the request).
    const usage = rt?.storageUsage(s.id);
    // A filesystem of its own says its own size; a folder is measured against the profile.
    const storageLimit = usage?.capacity ?? parseBytes(profile.storage);
    return {
      owner: s.owner.name,
      name: s.name,
      label: serverLabel(s.name),
      state: s.state,
      reason: s.stateReason,
      progress: s.progress,
      // A profile removed from the configuration since still names what the server was made with.
      profile: { slug: s.profile, displayName: retired ? `${recordedLabel(profile)} (retired)` : recordedLabel(profile), cpu: profile.cpu, memory: profile.memory, storage: profile.storage, retired },
      image: s.image,
      launchedFrom: launchedFrom(s),
      startedAt: s.startedAt?.toISOString() ?? null,
      lastActivityAt: s.lastActivityAt?.toISOString() ?? null,
      idleStopAt: idleStopAt(s)?.toISOString() ?? null,
      storageUsed: usage?.bytes ?? null,
      storageMeasuring: Boolean(usage && usage.bytes === null && usage.measuring),
      storageLimit,
      storageLevel: storageLevel(usage?.bytes ?? null, storageLimit),
      url,
      // Through the administrator's warning before someone else's server (app/open-server).
      openUrl: `/open-server?next=${encodeURIComponent(url)}`,
    };
  });
  return {
    servers,
    total,
    page: q.page,
    pageSize: PAGE_SIZE,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    query: q,
    // The filter offers the retired profiles servers still have, after the live ones.
    profiles: [...live.map((p) => ({ slug: p.slug, displayName: p.displayName })), ...(await retiredProfileNames())],
    idleTimeoutSeconds: c.policy.idleTimeoutSeconds,
    /** when the page was read: the clock relative times start from (the same on server and browser) */
    generatedAt: now.getTime(),
  };
}
