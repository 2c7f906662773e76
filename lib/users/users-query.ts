import { z } from "zod";

// The Users tab's query (?q=&sort=&dir=&page=): pure, so the console's browser code shares it.
// The SQL it becomes is in users-sql.ts.

export const USERS_PAGE_SIZE = 50;
export const USER_SORTS = ["name", "lastLogin", "running", "created"] as const;
export type UserSort = (typeof USER_SORTS)[number];

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

export const usersQuerySchema = z.object({
  q: z.preprocess(first, z.string().trim().max(200, "a search of at most 200 characters").optional()).transform((v) => v ?? ""),
  sort: z.preprocess(first, z.enum(USER_SORTS).optional()).transform((v) => v ?? "name"),
  dir: z.preprocess(first, z.enum(["asc", "desc"]).optional()),
  page: z.preprocess(first, z.coerce.number().int().min(1).max(100_000).optional()).transform((v) => v ?? 1),
}).transform((v) => ({ ...v, dir: v.dir ?? defaultDir(v.sort) }));

export type UsersQuery = z.output<typeof usersQuerySchema>;

/** Names read A→Z; the others are most useful newest / busiest first. */
export function defaultDir(sort: UserSort): "asc" | "desc" {
  return sort === "name" ? "asc" : "desc";
}

/** A request's search parameters (URLSearchParams or Next's searchParams object) → a query; bad values → defaults. */
export function parseUsersQuery(params: URLSearchParams | Record<string, string | string[] | undefined>): UsersQuery {
  const raw = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  const parsed = usersQuerySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // A hand-edited URL should still show the list; each bad part falls back on its own.
  const one = (key: keyof typeof raw) => usersQuerySchema.safeParse({ [key]: raw[key] });
  const q = one("q"), sort = one("sort"), page = one("page");
  const s = sort.success ? sort.data.sort : "name";
  const d = z.enum(["asc", "desc"]).safeParse(first(raw.dir));
  return { q: q.success ? q.data.q : "", sort: s, dir: d.success ? d.data : defaultDir(s), page: page.success ? page.data.page : 1 };
}

/** `%`, `_` and `\` match themselves: a search for "a_b" finds "a_b", not "axb". */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const pageOffset = (page: number) => (page - 1) * USERS_PAGE_SIZE;
