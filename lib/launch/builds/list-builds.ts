import { db, type Prisma } from "../../db/client";
import { z } from "zod";
import { AppError } from "../../errors";

// What the console's Builds tab shows (app/admin/builds): the queue, the builds running, the
// history and per-repository launch counts. Every list is a bounded SQL query (keyset or
// offset with a limit), never all rows.

export const OUTCOMES = ["built", "failed", "cancelled", "queued", "building"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface BuildView {
  id: string;
  provider: string;
  repo: string;
  commit: string;
  imageName: string;
  runtime: string;
  outcome: Outcome;
  message: string | null;
  requestedBy: string | null;
  rebuild: boolean;
  cancelRequested: boolean;
  cancelledBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Seconds from start (or queueing) to the end; null while it runs. */
  durationSeconds: number | null;
}

const select = {
  id: true, provider: true, repo: true, commit: true, imageName: true, runtime: true, state: true, message: true, requestedBy: true,
  rebuild: true, cancelRequestedAt: true, cancelledBy: true, createdAt: true, startedAt: true, finishedAt: true,
} satisfies Prisma.BuildSelect;
type Row = Prisma.BuildGetPayload<{ select: typeof select }>;

function view(r: Row): BuildView {
  const outcome: Outcome = r.state === "failed" && r.cancelRequestedAt ? "cancelled" : r.state;
  const from = r.startedAt ?? r.createdAt;
  return {
    id: r.id, provider: r.provider, repo: r.repo, commit: r.commit, imageName: r.imageName, runtime: r.runtime, outcome, message: r.message,
    requestedBy: r.requestedBy, rebuild: r.rebuild, cancelRequested: r.cancelRequestedAt !== null, cancelledBy: r.cancelledBy,
    createdAt: r.createdAt.toISOString(), startedAt: r.startedAt?.toISOString() ?? null, finishedAt: r.finishedAt?.toISOString() ?? null,
    durationSeconds: r.finishedAt ? Math.max(0, Math.round((r.finishedAt.getTime() - from.getTime()) / 1000)) : null,
  };
}

/** Longest queue shown; a queue this long is an incident, and its length is still counted. */
export const QUEUE_SHOWN = 200;

export interface QueueView {
  /** Queued builds in the order they are admitted, with their position (1 = next). */
  queued: (BuildView & { position: number })[];
  queuedTotal: number;
  running: BuildView[];
}

export async function listBuildQueue(): Promise<QueueView> {
  const [queued, queuedTotal, running] = await Promise.all([
    db().build.findMany({ where: { state: "queued" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: QUEUE_SHOWN, select }),
    db().build.count({ where: { state: "queued" } }),
    db().build.findMany({ where: { state: "building" }, orderBy: [{ startedAt: "asc" }, { id: "asc" }], take: QUEUE_SHOWN, select }),
  ]);
  return { queued: queued.map((r, i) => ({ ...view(r), position: i + 1 })), queuedTotal, running: running.map(view) };
}

export interface HistoryQuery {
  outcome?: Outcome;
  /** Exact repository as recorded (owner/repo, or the URL for git). */
  repo?: string;
  /** Keyset cursor: rows older than this one (from a previous page's `next`). */
  before?: string;
  limit: number;
}

export interface HistoryPage {
  builds: BuildView[];
  /** Cursor of the next (older) page, or null at the end. */
  next: string | null;
}

const encodeCursor = (r: { createdAt: Date; id: string }) => `${r.createdAt.toISOString()}_${r.id}`;
function decodeCursor(c: string): { createdAt: Date; id: string } {
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)_([0-9a-f-]{36})$/.exec(c);
  if (!m) throw new AppError("invalid_input", "The page cursor is not valid. Start again from the first page.");
  return { createdAt: new Date(m[1]), id: m[2] };
}

/** Builds newest first, keyset-paginated on (created_at, id). */
export async function listBuildHistory(q: HistoryQuery): Promise<HistoryPage> {
  const where: Prisma.BuildWhereInput = {};
  if (q.repo) where.repo = q.repo;
  if (q.outcome === "cancelled") Object.assign(where, { state: "failed", cancelRequestedAt: { not: null } });
  else if (q.outcome === "failed") Object.assign(where, { state: "failed", cancelRequestedAt: null });
  else if (q.outcome) where.state = q.outcome;
  if (q.before) {
    const c = decodeCursor(q.before);
    // `created_at <= cursor` too: the OR alone gives the (created_at, id) index no bound to start from.
    where.AND = [{ createdAt: { lte: c.createdAt } }, { OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] }];
  }
  const rows = await db().build.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: q.limit + 1, select });
  const page = rows.slice(0, q.limit);
  return { builds: page.map(view), next: rows.length > q.limit ? encodeCursor(page[page.length - 1]) : null };
}

export async function findBuild(id: string): Promise<BuildView & { log: string }> {
  const r = await db().build.findUnique({ where: { id }, select: { ...select, log: true } });
  if (!r) throw new AppError("not_found", "There is no such build. It may have left the queue; reload the Builds tab.");
  return { ...view(r), log: r.log };
}

export interface RepoLaunches {
  provider: string;
  repo: string;
  launches: number;
  cacheHits: number;
  lastLaunchAt: string;
}

/**
 * Launches per repository from the `launch` events (one per launch that reached its server, or
 * built for build_only), with how many found their image built already.
 */
export async function repoLaunchCounts(offset: number, limit: number): Promise<{ repos: RepoLaunches[]; total: number; launches: number; cacheHits: number }> {
  // One pass over the launch events: the page and (as window sums over all groups) the totals.
  const rows = await db().$queryRaw<{ provider: string | null; repo: string | null; launches: number; cache_hits: number; last_at: Date; repos: number; all_launches: number; all_hits: number }[]>`
    WITH per AS (
      SELECT details->>'provider' AS provider, details->>'repo' AS repo, count(*)::int AS launches,
             count(*) FILTER (WHERE details->>'cached' = 'true')::int AS cache_hits, max(at) AS last_at
      FROM events WHERE action = 'launch' GROUP BY 1, 2)
    SELECT *, (count(*) OVER ())::int AS repos, (sum(launches) OVER ())::int AS all_launches, (sum(cache_hits) OVER ())::int AS all_hits
    FROM per ORDER BY launches DESC, repo ASC, provider ASC
    OFFSET ${offset} LIMIT ${limit}`;
  let totals = rows[0] ? { repos: rows[0].repos, launches: rows[0].all_launches, cacheHits: rows[0].all_hits } : undefined;
  if (!totals) {
    // A page past the end: the totals alone.
    const [t] = await db().$queryRaw<{ repos: number; launches: number; cache_hits: number }[]>`
      SELECT count(DISTINCT (details->>'provider', details->>'repo'))::int AS repos, count(*)::int AS launches,
             count(*) FILTER (WHERE details->>'cached' = 'true')::int AS cache_hits
      FROM events WHERE action = 'launch'`;
    totals = { repos: t.repos, launches: t.launches, cacheHits: t.cache_hits };
  }
  return {
    repos: rows.map((r) => ({ provider: r.provider ?? "?", repo: r.repo ?? "(unknown)", launches: r.launches, cacheHits: r.cache_hits, lastLaunchAt: r.last_at.toISOString() })),
    total: totals.repos,
    launches: totals.launches,
    cacheHits: totals.cacheHits,
  };
}

/** A build's id as a path segment. */
export const buildId = z.string().uuid("a build id");
