import { z } from "zod";

// The console's Servers list query: filters, sort and page, as URL query parameters (the page and
// GET /api/admin/servers read the same ones). Pure: shared with the page's client component.

export const SERVER_STATES = ["stopped", "starting", "running", "stopping", "deleting", "failed"] as const;
export const SERVER_SORTS = ["owner", "name", "state", "lastActivity", "started"] as const;
export const PAGE_SIZE = 50;

export type ServerSort = (typeof SERVER_SORTS)[number];

// An empty field in a submitted form means "no filter", not "filter by nothing".
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v);

export const serversQuerySchema = z.object({
  state: z.preprocess(blank, z.enum(SERVER_STATES).optional()),
  /** part of the owner's name (a prefix is a part too); names are lower-case, so any case matches */
  owner: z.preprocess(blank, z.string().max(64).optional()),
  /** exactly this owner (the CLI's --user) */
  user: z.preprocess(blank, z.string().max(64).optional()),
  profile: z.preprocess(blank, z.string().max(40).optional()),
  /** running, with no activity (or none since it started) for more than this many minutes */
  idle: z.preprocess(blank, z.coerce.number().int().min(1, "at least 1 minute").max(525_600, "at most a year").optional()),
  sort: z.preprocess(blank, z.enum(SERVER_SORTS).default("owner")),
  dir: z.preprocess(blank, z.enum(["asc", "desc"]).optional()),
  page: z.preprocess(blank, z.coerce.number().int().min(1).max(1_000_000).default(1)),
});

export type ServersQuery = Omit<z.infer<typeof serversQuerySchema>, "dir"> & { dir: "asc" | "desc" };

/** Most recent first for times, A→Z otherwise, unless the request says. */
export function defaultDir(sort: ServerSort): "asc" | "desc" {
  return sort === "lastActivity" || sort === "started" ? "desc" : "asc";
}

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

/** Parses query parameters; throws a ZodError (→ 422 naming the field) for values no filter takes. */
export function parseServersQuery(params: Params): ServersQuery {
  const get = (k: string) => {
    if (params instanceof URLSearchParams) return params.get(k) ?? undefined;
    const v = params[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const raw = Object.fromEntries(Object.keys(serversQuerySchema.shape).map((k) => [k, get(k)]));
  const q = serversQuerySchema.parse(raw);
  return { ...q, dir: q.dir ?? defaultDir(q.sort) };
}

/** The query string for `q` with `change` applied; defaults are left out so links stay short. */
export function serversQueryString(q: Partial<ServersQuery>, change: Partial<ServersQuery> = {}): string {
  const next = { ...q, ...change };
  const sp = new URLSearchParams();
  if (next.state) sp.set("state", next.state);
  if (next.owner) sp.set("owner", next.owner);
  if (next.user) sp.set("user", next.user);
  if (next.profile) sp.set("profile", next.profile);
  if (next.idle) sp.set("idle", String(next.idle));
  const sort = next.sort ?? "owner";
  if (sort !== "owner") sp.set("sort", sort);
  if (next.dir && next.dir !== defaultDir(sort)) sp.set("dir", next.dir);
  if (next.page && next.page > 1) sp.set("page", String(next.page));
  const s = sp.toString();
  return s ? `?${s}` : "";
}

