import { db } from "../db/client";
import { Prisma } from "../generated/prisma/client";
import { runtime } from "../runtime";
import type { Actor } from "../auth/actor";
import { requireAdmin } from "./require-admin";
import { pageOffset, USERS_PAGE_SIZE, type UsersQuery } from "./users-query";
import { orderBy, searchCondition } from "./users-sql";

export interface UserRow {
  name: string;
  displayName: string | null;
  email: string | null;
  isAdmin: boolean;
  /** "jira" when the account came from Jira (it has an external id), else "local" */
  source: "jira" | "local";
  lastLoginAt: string | null;
  disabledAt: string | null;
  createdAt: string;
  running: number;
  servers: number;
  /** bytes over all their servers; null when the runtime could not tell (or not asked) */
  storageUsed: number | null;
}

export interface UsersPage {
  query: UsersQuery;
  total: number;
  pageSize: number;
  pages: number;
  /** when the page was read: "3 minutes ago" is counted from here, the same on server and browser */
  at: string;
  users: UserRow[];
}

interface Row {
  id: string;
  name: string;
  display_name: string | null;
  email: string | null;
  is_admin: boolean;
  external_id: string | null;
  last_login_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
}

/**
 * One page of users for the console. The database filters, sorts and cuts the page; server counts
 * are grouped for the page's users only, except when sorting by them, where one grouped pass over
 * running servers (an index on state) ranks everyone. Storage is asked of the runtime for the
 * page's servers only, since it may walk folders or ask the cluster.
 */
export async function listUsers(actor: Actor, query: UsersQuery, opts: { storage?: boolean } = {}): Promise<UsersPage> {
  requireAdmin(actor);
  const where = searchCondition(query.q);
  const running = query.sort === "running";
  const [rows, totalRows] = await Promise.all([
    db().$queryRaw<Row[]>`
      SELECT u.id, u.name, u.display_name, u.email, u.is_admin, u.external_id, u.last_login_at, u.disabled_at, u.created_at
      FROM users u
      ${running ? Prisma.sql`LEFT JOIN (SELECT owner_id, count(*) AS running FROM servers WHERE state = 'running' GROUP BY owner_id) r ON r.owner_id = u.id` : Prisma.empty}
      WHERE ${where}
      ORDER BY ${running ? Prisma.sql`COALESCE(r.running, 0) ${Prisma.raw(query.dir === "asc" ? "ASC" : "DESC")}, u.name ASC` : orderBy(query.sort, query.dir)}
      LIMIT ${USERS_PAGE_SIZE} OFFSET ${pageOffset(query.page)}`,
    db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM users u WHERE ${where}`,
  ]);
  const total = Number(totalRows[0]?.n ?? 0);
  const ids = rows.map((r) => r.id);
  const counts = ids.length
    ? await db().$queryRaw<{ owner_id: string; running: number; total: number }[]>`
        SELECT owner_id, (count(*) FILTER (WHERE state = 'running'))::int AS running, count(*)::int AS total
        FROM servers WHERE owner_id = ANY(${ids}::uuid[]) GROUP BY owner_id`
    : [];
  const byOwner = new Map(counts.map((c) => [c.owner_id, c]));
  const storage = opts.storage && ids.length ? await storageByOwner(ids) : new Map<string, number | null>();
  return {
    query,
    total,
    pageSize: USERS_PAGE_SIZE,
    pages: Math.max(1, Math.ceil(total / USERS_PAGE_SIZE)),
    at: new Date().toISOString(),
    users: rows.map((r) => ({
      name: r.name,
      displayName: r.display_name,
      email: r.email,
      isAdmin: r.is_admin,
      source: r.external_id ? "jira" : "local",
      lastLoginAt: r.last_login_at?.toISOString() ?? null,
      disabledAt: r.disabled_at?.toISOString() ?? null,
      createdAt: r.created_at.toISOString(),
      running: byOwner.get(r.id)?.running ?? 0,
      servers: byOwner.get(r.id)?.total ?? 0,
      storageUsed: storage.get(r.id) ?? null,
    })),
  };
}

/** Sum of what the runtime reports per owner; null for an owner with a server it has no figure for. */
async function storageByOwner(ownerIds: string[]): Promise<Map<string, number | null>> {
  const servers = await db().server.findMany({ where: { ownerId: { in: ownerIds } }, select: { id: true, ownerId: true } });
  const rt = runtime();
  // From the runtime's cache (measured in the background); a figure not known yet counts as unknown.
  const sizes = servers.map((s) => ({ owner: s.ownerId, bytes: rt.storageUsage(s.id).bytes ?? undefined }));
  // An owner with any server not measured yet shows as unknown rather than a partial sum.
  const out = new Map<string, number | null>();
  for (const id of ownerIds) out.set(id, 0);
  for (const s of sizes) {
    const sum = out.get(s.owner);
    out.set(s.owner, sum === null || sum === undefined || s.bytes === undefined ? null : sum + s.bytes);
  }
  return out;
}
