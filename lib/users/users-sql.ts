import { Prisma } from "../generated/prisma/client";
import { likePattern, type UserSort } from "./users-query";

// The Users query as SQL. Sort columns come from a fixed map, never from the request; the search
// text only ever travels as a bound parameter.

export function searchCondition(q: string): Prisma.Sql {
  if (!q) return Prisma.sql`TRUE`;
  const p = likePattern(q);
  return Prisma.sql`(u.name ILIKE ${p} OR u.display_name ILIKE ${p} OR u.email ILIKE ${p})`;
}

const ORDER: Record<UserSort, string> = {
  name: "u.name",
  lastLogin: "u.last_login_at",
  running: "running",
  created: "u.created_at",
};

export function orderBy(sort: UserSort, dir: "asc" | "desc"): Prisma.Sql {
  const d = dir === "asc" ? "ASC" : "DESC";
  // Never signed in sorts after everyone who has, whichever way; the name breaks ties so pages do not overlap.
  const nulls = sort === "lastLogin" ? " NULLS LAST" : "";
  const tie = sort === "name" ? "" : ", u.name ASC";
  return Prisma.raw(`${ORDER[sort]} ${d}${nulls}${tie}`);
}
