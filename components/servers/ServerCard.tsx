"use client";

import { storageWarning } from "@/lib/format/storage";
import type { ServerView } from "@/lib/servers/list-servers";
import { Spinner } from "../ui/Spinner";
import { formatBytes, idleStopText, relativeTime, timeLeft } from "./format";
import { IdleWarning } from "./IdleWarning";
import { RetiredBadge } from "./RetiredBadge";
import { ServerActions } from "./ServerActions";
import { ServerIcon } from "./ServerIcon";
import { StateBadge } from "./StateBadge";
import { LaunchedFrom } from "./LaunchedFrom";
import { StorageBar } from "./StorageBar";

/** What a server's card and its table row (ServerTable.tsx) are given. */
export interface ServerItemProps {
  server: ServerView;
  now: number;
  busy: boolean;
  /** How long before an idle stop the person is warned. */
  warningSeconds: number;
  onStart: () => void;
  onStop: () => void;
  onKeepRunning: () => void;
  onDelete?: () => void;
}

export function ServerCard({ server, now, busy, warningSeconds, onStart, onStop, onKeepRunning, onDelete }: ServerItemProps) {
  const s = server;
  const headingId = `server-${s.name || "default"}`;
  const used = s.storageUsed ?? 0;
  const storageAlert = storageWarning(s);
  const idleStop = idleStopText(s.idleStopAt, now);
  const idleSoon = s.state === "running" && s.idleStopAt !== null && new Date(s.idleStopAt).getTime() - now <= warningSeconds * 1000;
  const transitional = s.state === "starting" || s.state === "stopping" || s.state === "deleting";
  return (
    <li
      aria-labelledby={headingId}
      className={`overflow-hidden rounded-2xl border bg-white shadow-card transition-shadow ${s.state === "failed" ? "border-red-200" : "border-slate-200/80"}`}
      data-server={s.name || "default"}
      data-state={s.state}
    >
      <div className="flex flex-col gap-4 p-4 sm:flex-row sm:items-center sm:justify-between sm:p-5">
        <div className="flex min-w-0 items-center gap-3.5">
          <ServerIcon state={s.state} />
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <h3 id={headingId} className="truncate text-base font-semibold text-slate-900">
                {s.label}
              </h3>
              <StateBadge state={s.state} />
            </div>
            <p className="mt-0.5 truncate text-sm text-slate-500">
              {s.profile.displayName}
              {s.profile.retired ? <RetiredBadge /> : null} · {s.profile.cpu} CPU · {s.profile.memory} memory
              <span className="hidden sm:inline">
                {" · "}
                <span className="font-mono text-[0.8rem] text-slate-400">{s.url}</span>
              </span>
            </p>
            {s.launchedFrom ? <LaunchedFrom from={s.launchedFrom} className="mt-0.5 block break-words text-sm text-slate-500" /> : null}
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-2 sm:shrink-0 sm:justify-end">
          <ServerActions server={s} busy={busy} onStart={onStart} onStop={onStop} onDelete={onDelete} />
        </div>
      </div>

      <div aria-live="polite">
        {idleSoon ? <IdleWarning label={s.label} left={timeLeft(s.idleStopAt, now) ?? "now"} busy={busy} onKeepRunning={onKeepRunning} /> : null}
        {transitional ? (
          <p className="mx-4 mb-4 flex items-center gap-2 rounded-lg bg-sky-50 px-3 py-2 text-sm text-sky-800 sm:mx-5">
            <Spinner className="h-4 w-4 text-sky-600" />
            {s.progress ?? (s.state === "starting" ? "Starting" : "Stopping")}…
          </p>
        ) : null}
        {s.state === "failed" && s.reason ? <p className="mx-4 mb-4 whitespace-pre-line rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-inset ring-red-100 sm:mx-5">{s.reason}</p> : null}
        {s.state === "stopped" && s.reason ? <p className="mx-4 mb-4 rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-600 sm:mx-5">{s.reason}</p> : null}
        {storageAlert ? (
          <p
            data-storage-warning={s.storageLevel}
            className={`mx-4 mb-4 flex items-start gap-2 rounded-lg px-3 py-2 text-sm ring-1 ring-inset sm:mx-5 ${s.storageLevel === "full" ? "bg-red-50 text-red-800 ring-red-100" : "bg-amber-50 text-amber-900 ring-amber-100"}`}
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={`mt-0.5 h-4 w-4 shrink-0 ${s.storageLevel === "full" ? "text-red-500" : "text-amber-500"}`}>
              <path fillRule="evenodd" clipRule="evenodd" d="M8.49 2.98c.66-1.15 2.36-1.15 3.02 0l6.28 10.92c.66 1.15-.17 2.6-1.5 2.6H3.7c-1.33 0-2.16-1.45-1.5-2.6L8.49 2.98ZM10 6a.75.75 0 0 1 .75.75v3.5a.75.75 0 0 1-1.5 0v-3.5A.75.75 0 0 1 10 6Zm0 9a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z" />
            </svg>
            <span>{storageAlert}</span>
          </p>
        ) : null}
      </div>

      <dl className="grid grid-cols-1 gap-3 border-t border-slate-100 bg-slate-50/60 px-4 py-3 text-sm sm:grid-cols-3 sm:gap-6 sm:px-5">
        <div className="flex items-baseline justify-between gap-2 sm:block">
          <dt className="text-xs font-medium text-slate-500">Last activity</dt>
          <dd className="text-slate-800 sm:mt-0.5">{relativeTime(s.lastActivityAt, now)}</dd>
        </div>
        <div className="flex items-baseline justify-between gap-2 sm:block">
          <dt className="text-xs font-medium text-slate-500">Idle stop</dt>
          <dd className="text-slate-800 sm:mt-0.5">{idleStop ?? "—"}</dd>
        </div>
        <div className="flex items-baseline justify-between gap-2 sm:block">
          <dt className="text-xs font-medium text-slate-500">Storage</dt>
          <dd className="min-w-32 text-right text-slate-800 sm:mt-0.5 sm:text-left">
            {s.storageUsed === null ? (
              // Not measured yet (measured in the background, shown on the next refresh), or a runtime
              // that cannot measure (Kubernetes volumes): say so rather than show 0.
              <span className="text-slate-500">{s.storageMeasuring ? `Measuring… (${formatBytes(s.storageLimit)} volume)` : `${formatBytes(s.storageLimit)} volume`}</span>
            ) : (
              <>
                {formatBytes(used)} <span className="text-slate-500">of {formatBytes(s.storageLimit)}</span>
                <StorageBar server={s} className="mt-1.5 h-1.5 w-full" />
              </>
            )}
          </dd>
        </div>
      </dl>
    </li>
  );
}
