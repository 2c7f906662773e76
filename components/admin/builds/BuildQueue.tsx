"use client";

import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { buttonStyles } from "@/components/ui/button-styles";
import { fetchJson } from "@/components/ui/fetch-json";
import { RepoName } from "@/components/ui/RepoName";
import type { QueueView } from "@/lib/launch/builds/list-builds";
import { cell, OpsTable, SectionTitle, utc } from "../ops/OpsTable";
import { CancelBuildButton } from "./CancelBuildButton";
import { LiveBuildLog } from "./LiveBuildLog";
import { OutcomeBadge } from "./OutcomeBadge";

const POLL_MS = 3000;

/** The queue and the builds running, refreshed every few seconds, with cancel and a live log. */
export function BuildQueue({ initial }: { initial: QueueView }) {
  const [queue, setQueue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const reload = useCallback(async () => {
    // A failed poll leaves the queue as shown; the next one tries again.
    await fetchJson<QueueView>("/api/admin/builds/queue").then(setQueue, () => undefined);
  }, []);
  useEffect(() => {
    const t = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(t);
  }, [reload]);
  const toggle = (id: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const done = () => {
    setError(null);
    void reload();
  };

  return (
    <div className="space-y-8">
      {error ? <Alert tone="error" title="The build could not be cancelled">{error}</Alert> : null}
      <section aria-labelledby="running-title">
        <SectionTitle id="running-title">Running ({queue.running.length})</SectionTitle>
        {queue.running.length === 0 ? (
          <p className="rounded-2xl border border-dashed border-slate-300 bg-white/60 px-4 py-5 text-sm text-slate-500">No build is running.</p>
        ) : (
          <ul className="space-y-3">
            {queue.running.map((b) => (
              <li key={b.id} className="rounded-2xl border border-slate-200/80 bg-white p-4 shadow-card" data-build={b.id}>
                <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
                  <div className="min-w-0">
                    <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                      <span className="min-w-0 break-words"><RepoName text={b.repo} /></span> <OutcomeBadge outcome={b.cancelRequested ? "cancelled" : "building"} />
                      {b.rebuild ? <span className="text-xs text-slate-500">rebuild</span> : null}
                    </p>
                    <p className="mt-0.5 text-sm text-slate-500">
                      commit <code className="font-mono text-[0.8rem]">{b.commit.slice(0, 12)}</code> · started {utc(b.startedAt)} · launched by {b.requestedBy ?? "—"}
                    </p>
                    <p className="mt-0.5 break-all font-mono text-xs text-slate-400">{b.imageName}</p>
                  </div>
                  <div className="flex shrink-0 flex-wrap gap-2">
                    <button type="button" className={buttonStyles.secondary} aria-expanded={open.has(b.id)} aria-controls={`live-${b.id}`} onClick={() => toggle(b.id)}>
                      {open.has(b.id) ? "Hide log" : "Show live log"}
                    </button>
                    {b.cancelRequested ? null : <CancelBuildButton id={b.id} repo={b.repo} commit={b.commit} running onDone={done} onError={setError} />}
                  </div>
                </div>
                {open.has(b.id) ? (
                  <div id={`live-${b.id}`} className="mt-3">
                    <LiveBuildLog id={b.id} />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="queue-title">
        <SectionTitle id="queue-title">
          Queue ({queue.queuedTotal}){queue.queuedTotal > queue.queued.length ? <span className="ml-2 text-sm font-normal text-slate-500">first {queue.queued.length} shown</span> : null}
        </SectionTitle>
        {queue.queued.length === 0 ? (
          <p className="rounded-2xl border border-dashed border-slate-300 bg-white/60 px-4 py-5 text-sm text-slate-500">Nothing is waiting: every build got a slot.</p>
        ) : (
        <OpsTable id="queue-table" caption="Builds waiting for a slot, next first" columns={["Position", "Repository", "Commit", "Waiting since", "Launched by", "Actions"]}>
          {queue.queued.map((b) => (
            <tr key={b.id} data-build={b.id}>
              <td className={`${cell} font-semibold tabular-nums`}>{b.position}</td>
              <td className={`${cell} break-words`}><RepoName text={b.repo} /></td>
              <td className={cell}>
                <code className="font-mono text-[0.8rem]">{b.commit.slice(0, 12)}</code>
              </td>
              <td className={`${cell} whitespace-nowrap`}>{utc(b.createdAt)}</td>
              <td className={cell}>{b.requestedBy ?? "—"}</td>
              <td className={cell}>{b.cancelRequested ? "Cancelling…" : <CancelBuildButton id={b.id} repo={b.repo} commit={b.commit} running={false} onDone={done} onError={setError} />}</td>
            </tr>
          ))}
        </OpsTable>
        )}
      </section>
    </div>
  );
}
