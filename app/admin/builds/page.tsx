import type { Metadata } from "next";
import Link from "next/link";
import { BuildQueue } from "@/components/admin/builds/BuildQueue";
import { LiveBuildLog } from "@/components/admin/builds/LiveBuildLog";
import { OutcomeBadge } from "@/components/admin/builds/OutcomeBadge";
import { RebuildButton } from "@/components/admin/builds/RebuildButton";
import { cell, duration, linkStyle, OpsTable, SectionTitle, utc } from "@/components/admin/ops/OpsTable";
import { Pager, withQuery } from "@/components/admin/ops/Pager";
import { Alert } from "@/components/ui/Alert";
import { buttonStyles } from "@/components/ui/button-styles";
import { RepoName } from "@/components/ui/RepoName";
import { inputStyles } from "@/components/ui/Field";
import { adminPageActor } from "@/lib/auth/admin-page";
import { buildId, findBuild, listBuildHistory, listBuildQueue, OUTCOMES, repoLaunchCounts, type Outcome } from "@/lib/launch/builds/list-builds";

export const metadata: Metadata = { title: "Builds" };
export const dynamic = "force-dynamic";

const PAGE = 25;
const REPOS_PAGE = 20;

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

export default async function AdminBuildsPage({ searchParams }: { searchParams: Search }) {
  await adminPageActor("/admin/builds");
  const sp = await searchParams;
  const outcome = (OUTCOMES as readonly string[]).includes(one(sp.outcome) ?? "") ? (one(sp.outcome) as Outcome) : undefined;
  const repo = one(sp.repo);
  const before = one(sp.before);
  const rp = Math.max(0, Number.parseInt(one(sp.rp) ?? "0", 10) || 0);
  const logId = one(sp.log);
  const shownLog = logId && buildId.safeParse(logId).success ? await findBuild(logId).catch(() => undefined) : undefined;

  const [queue, history, counts] = await Promise.all([
    listBuildQueue(),
    listBuildHistory({ outcome, repo, before, limit: PAGE }).catch(() => undefined),
    repoLaunchCounts(rp, REPOS_PAGE),
  ]);
  const here = { outcome, repo };
  const hitRate = counts.launches ? Math.round((counts.cacheHits / counts.launches) * 100) : 0;

  return (
    <div className="space-y-10">
      <h1 className="sr-only">Builds</h1>
      <BuildQueue initial={queue} />

      {shownLog ? (
        <section aria-labelledby="log-title" className="space-y-3">
          <SectionTitle id="log-title" aside={<Link href={withQuery("/admin/builds", { ...here, before, rp: rp || undefined })} className={buttonStyles.secondary}>Close log</Link>}>
            Log of <RepoName text={shownLog.repo} /> at {shownLog.commit.slice(0, 12)}
          </SectionTitle>
          <LiveBuildLog id={shownLog.id} />
        </section>
      ) : null}

      <section aria-labelledby="history-title">
        <SectionTitle id="history-title">History</SectionTitle>
        <form method="get" action="/admin/builds" className="mb-3 flex flex-col gap-3 rounded-2xl border border-slate-200/80 bg-white p-4 shadow-card sm:flex-row sm:items-end">
          <div className="space-y-1.5 sm:w-44 sm:pb-6">
            <label htmlFor="f-outcome" className="block text-sm font-medium text-slate-800">Outcome</label>
            <select id="f-outcome" name="outcome" defaultValue={outcome ?? ""} className={inputStyles}>
              <option value="">Any</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>{o[0].toUpperCase() + o.slice(1)}</option>
              ))}
            </select>
          </div>
          <div className="min-w-0 flex-1 space-y-1.5">
            <label htmlFor="f-repo" className="block text-sm font-medium text-slate-800">Repository</label>
            <input id="f-repo" name="repo" defaultValue={repo ?? ""} placeholder="owner/repo, or the Git URL" className={inputStyles} aria-describedby="f-repo-hint" />
            <p id="f-repo-hint" className="text-xs text-slate-500">Exactly as shown in the table.</p>
          </div>
          <div className="flex gap-2 sm:pb-6">
            <button type="submit" className={buttonStyles.primary}>Filter</button>
            {outcome || repo ? <Link href="/admin/builds" className={buttonStyles.secondary}>Clear</Link> : null}
          </div>
        </form>
        {!history ? (
          <Alert tone="error" title="This page of the history cannot be shown">The page link is not valid any more. <Link href="/admin/builds" className={linkStyle}>Start from the newest builds</Link>.</Alert>
        ) : (
          <>
            <OpsTable
              id="history-table"
              minWidth="68rem"
              caption="Builds, newest first"
              columns={["Repository", "Commit", "Image", "Queued", "Duration", "Outcome", "Launched by", "Actions"]}
              empty={history.builds.length === 0 ? (outcome || repo ? "No build matches these filters." : "No build yet: launching a repository builds it.") : undefined}
            >
              {history.builds.map((b) => (
                <tr key={b.id} data-build={b.id}>
                  <td className={`${cell} max-w-64 break-words`}><RepoName text={b.repo} /></td>
                  <td className={cell}><code className="font-mono text-[0.8rem]">{b.commit.slice(0, 12)}</code></td>
                  <td className={`${cell} max-w-72 break-all font-mono text-xs text-slate-500`}>{b.imageName}</td>
                  <td className={`${cell} whitespace-nowrap`}>{utc(b.createdAt)}</td>
                  <td className={`${cell} whitespace-nowrap tabular-nums`}>{duration(b.durationSeconds)}</td>
                  <td className={cell}>
                    <OutcomeBadge outcome={b.outcome} />
                    {b.rebuild ? <span className="ml-1.5 text-xs text-slate-500">rebuild</span> : null}
                    {b.message ? <p className="mt-1 max-w-72 text-xs text-slate-500">{b.message.split("\n")[0]}</p> : null}
                  </td>
                  <td className={cell}>{b.requestedBy ?? "—"}</td>
                  <td className={cell}>
                    <div className="flex flex-wrap items-start gap-2">
                      <Link href={withQuery("/admin/builds", { ...here, before, rp: rp || undefined, log: b.id })} className={buttonStyles.secondary} aria-label={`Log of ${b.repo} at ${b.commit.slice(0, 7)}`}>Log</Link>
                      {b.outcome !== "queued" && b.outcome !== "building" ? <RebuildButton id={b.id} repo={b.repo} commit={b.commit} runtime={b.runtime} /> : null}
                    </div>
                  </td>
                </tr>
              ))}
            </OpsTable>
            <Pager label="History pages" first={before ? withQuery("/admin/builds", here) : null} next={history.next ? withQuery("/admin/builds", { ...here, before: history.next }) : null} />
          </>
        )}
      </section>

      <section aria-labelledby="repos-title">
        <SectionTitle id="repos-title" aside={<p className="text-sm text-slate-600">{counts.launches} {counts.launches === 1 ? "launch" : "launches"} · {counts.cacheHits} {counts.cacheHits === 1 ? "cache hit" : "cache hits"} ({hitRate}%)</p>}>
          Launches per repository
        </SectionTitle>
        <OpsTable id="repos-table" caption="Launches and cache hits per repository, most launched first" columns={["Repository", "Launches", "Cache hits", "Last launch"]} empty={counts.repos.length === 0 ? "Nobody has launched a repository yet." : undefined}>
          {counts.repos.map((r) => (
            <tr key={`${r.provider}:${r.repo}`}>
              <td className={`${cell} break-words`}>
                <span className="mr-1.5 rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[0.7rem] text-slate-600">{r.provider}</span>
                <RepoName text={r.repo} />
              </td>
              <td className={`${cell} tabular-nums`}>{r.launches}</td>
              <td className={`${cell} tabular-nums`}>{r.cacheHits} <span className="text-slate-400">({r.launches ? Math.round((r.cacheHits / r.launches) * 100) : 0}%)</span></td>
              <td className={`${cell} whitespace-nowrap`}>{utc(r.lastLaunchAt)}</td>
            </tr>
          ))}
        </OpsTable>
        <Pager
          label="Repository pages"
          first={rp > 0 ? withQuery("/admin/builds", { ...here, before, rp: Math.max(0, rp - REPOS_PAGE) || undefined }) : null}
          next={rp + REPOS_PAGE < counts.total ? withQuery("/admin/builds", { ...here, before, rp: rp + REPOS_PAGE }) : null}
          firstLabel="More launched"
          nextLabel="Less launched"
        />
        <p className="mt-2 text-xs text-slate-500">A launch counts once it reached its server (or finished building, for build-only launches). A cache hit found the commit built already.</p>
      </section>
    </div>
  );
}
