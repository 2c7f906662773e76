import { db } from "../db/client";
import { AppError } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { resolveOwner } from "../servers/resolve-owner";
import type { Actor } from "../auth/actor";
import { holds, requireUserAccess, urlBase } from "./access";
import { userModel, type ServerRow, type UserRow } from "./models";

// GET /hub/api/users and /hub/api/users/{name}. The filter, sort and page are SQL; only the page's
// users' servers are loaded after. Only administrators list users: JupyterHub's default `self`
// role (what a person's own token has) does not include list:users.

/** JupyterHub's api_page_default_limit and api_page_max_limit. */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;

const SORTS = ["id", "name", "last_activity"] as const;

export interface UserListQuery {
  state?: "active" | "inactive" | "ready";
  offset: number;
  limit: number;
  sort: (typeof SORTS)[number];
  descending: boolean;
  nameFilter?: string;
  includeStopped: boolean;
}

/** Reads the query string the way JupyterHub does; its messages for what it refuses. */
export function parseUserListQuery(params: URLSearchParams, paginated: boolean): UserListQuery {
  const state = params.get("state") || undefined;
  if (state && state !== "active" && state !== "inactive" && state !== "ready") {
    throw badRequest(`Unrecognized state filter: '${state}'. Use active, inactive or ready.`);
  }
  const rawSort = params.get("sort") || "id";
  const descending = rawSort.startsWith("-");
  const sort = descending ? rawSort.slice(1) : rawSort;
  if (!(SORTS as readonly string[]).includes(sort)) throw badRequest(`sort must be 'id', 'name', or 'last_activity', not '${rawSort}'`);
  const int = (v: string | null, fallback: number) => {
    if (v === null || v === "") return fallback;
    if (!/^-?\d+$/.test(v.trim())) throw badRequest("Invalid argument type, offset and limit must be integers");
    return Math.abs(Number(v));
  };
  // Without JupyterHub's pagination media type a client gets the largest page, as JupyterHub does,
  // so old scripts that never page miss as few users as possible.
  const limit = Math.min(Math.max(int(params.get("limit"), paginated ? PAGE_DEFAULT : PAGE_MAX), 1), PAGE_MAX);
  return {
    state: state as UserListQuery["state"],
    offset: int(params.get("offset"), 0),
    limit,
    sort: sort as UserListQuery["sort"],
    descending,
    nameFilter: params.get("name_filter") || undefined,
    includeStopped: includeStoppedServers(params),
  };
}

export const includeStoppedServers = (params: URLSearchParams) => params.has("include_stopped_servers") && !["0", "false"].includes((params.get("include_stopped_servers") ?? "").toLowerCase());

const badRequest = (message: string) => new AppError("bad_request", message);

const ACTIVE = Prisma.sql`s.state IN ('starting', 'running', 'stopping', 'deleting')`;

type Row = { id: string; name: string; is_admin: boolean; created_at: Date; last_activity: Date | null };

export async function listHubUsers(actor: Actor, q: UserListQuery) {
  // JupyterHub's `self` role has no list:users: only administrators list users.
  if (!actor.isAdmin) {
    throw new AppError("forbidden", "Action is not authorized with current scopes; requires any of [list:users]. Only administrators can list users; read your own with GET /hub/api/user.");
  }
  const where: Prisma.Sql[] = [];
  if (q.nameFilter) where.push(Prisma.sql`u.name ILIKE ${`%${q.nameFilter.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (q.state === "active") where.push(Prisma.sql`EXISTS (SELECT 1 FROM servers s WHERE s.owner_id = u.id AND ${ACTIVE})`);
  if (q.state === "inactive") where.push(Prisma.sql`NOT EXISTS (SELECT 1 FROM servers s WHERE s.owner_id = u.id AND ${ACTIVE})`);
  if (q.state === "ready") where.push(Prisma.sql`EXISTS (SELECT 1 FROM servers s WHERE s.owner_id = u.id AND s.state = 'running')`);
  const filter = where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty;
  const dir = q.descending ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  // The last activity (latest sign-in or server activity) is computed for the page's rows only,
  // unless it is what the list is sorted by: then once for everyone, in one grouped pass (users
  // never active come first when ascending and last when descending, as in JupyterHub).
  const page =
    q.sort === "last_activity"
      ? db().$queryRaw<Row[]>`
          WITH act AS (SELECT owner_id, max(last_activity_at) AS at FROM servers GROUP BY owner_id)
          SELECT u.id, u.name, u.is_admin, u.created_at, GREATEST(u.last_login_at, act.at) AS last_activity
          FROM users u LEFT JOIN act ON act.owner_id = u.id ${filter}
          ORDER BY last_activity ${dir} ${q.descending ? Prisma.sql`NULLS LAST` : Prisma.sql`NULLS FIRST`}, u.created_at ${dir}, u.id ${dir}
          OFFSET ${q.offset} LIMIT ${q.limit}`
      : db().$queryRaw<Row[]>`
          SELECT p.id, p.name, p.is_admin, p.created_at,
                 GREATEST(p.last_login_at, (SELECT max(s.last_activity_at) FROM servers s WHERE s.owner_id = p.id)) AS last_activity
          FROM (SELECT u.id, u.name, u.is_admin, u.created_at, u.last_login_at FROM users u ${filter}
                ORDER BY ${q.sort === "name" ? Prisma.sql`u.name ${dir}` : Prisma.sql`u.created_at ${dir}, u.id ${dir}`}
                OFFSET ${q.offset} LIMIT ${q.limit}) p
          ORDER BY ${q.sort === "name" ? Prisma.sql`p.name ${dir}` : Prisma.sql`p.created_at ${dir}, p.id ${dir}`}`;
  const [rows, counted] = await Promise.all([page, db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM users u ${filter}`]);
  const servers = await serversOf(rows.map((r) => r.id), q.includeStopped);
  const access = { readUsers: holds(actor, "read:users"), readServers: holds(actor, "read:servers") };
  const base = urlBase();
  const items = rows.map((r) => userModel(toUserRow(r), servers.get(r.id) ?? [], access, base, { includeStopped: q.includeStopped }));
  return { items, total: Number(counted[0]?.n ?? 0) };
}

/** One user's model; JupyterHub's `read:users` and `read:servers` decide which fields it has. */
export async function getHubUser(actor: Actor, name: string, opts: { includeStopped: boolean; identify?: boolean }) {
  requireUserAccess(actor, name);
  const owner = await resolveOwner(actor, name);
  // All of them: stopped servers' activity counts towards the user's last activity.
  const servers = await serversOf([owner.id], true);
  const access = { readUsers: holds(actor, "read:users"), readServers: holds(actor, "read:servers"), identify: opts.identify };
  return userModel(owner, servers.get(owner.id) ?? [], access, urlBase(), { includeStopped: opts.includeStopped });
}

async function serversOf(ownerIds: string[], includeStopped: boolean): Promise<Map<string, ServerRow[]>> {
  if (ownerIds.length === 0) return new Map();
  const rows = await db().server.findMany({
    // Stopped servers still count for the user's last activity, so they are read when asked for.
    where: { ownerId: { in: ownerIds }, ...(includeStopped ? {} : { state: { in: ["starting", "running", "stopping", "deleting"] } }) },
    select: { ownerId: true, name: true, state: true, profile: true, profileSpec: true, startedAt: true, lastActivityAt: true },
  });
  const out = new Map<string, ServerRow[]>();
  for (const r of rows) out.set(r.ownerId, [...(out.get(r.ownerId) ?? []), r]);
  return out;
}

function toUserRow(r: Row): UserRow {
  // The SQL's last activity covers stopped servers the page did not load.
  return { name: r.name, isAdmin: r.is_admin, createdAt: r.created_at, lastLoginAt: r.last_activity };
}
