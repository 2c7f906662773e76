"use client";

import type { ServerView } from "@/lib/servers/list-servers";
import { buttonStyles } from "../ui/button-styles";
import { formatBytes, relativeTime, timeLeft } from "./format";
import { StateBadge } from "./StateBadge";

export function ServerCard({ server, now, busy, onStart, onStop, onDelete }: {
  server: ServerView;
  now: number;
  busy: boolean;
  onStart: () => void;
  onStop: () => void;
  onDelete?: () => void;
}) {
  const s = server;
  const headingId = `server-${s.name || "default"}`;
  const used = s.storageUsed ?? 0;
  const pct = Math.min(100, Math.round((used / s.storageLimit) * 100));
  const left = timeLeft(s.idleStopAt, now);
  return (
    <li aria-labelledby={headingId} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5" data-server={s.name || "default"} data-state={s.state}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <h3 id={headingId} className="truncate text-base font-semibold">
              {s.label}
            </h3>
            <StateBadge state={s.state} />
          </div>
          <p className="mt-0.5 text-sm text-slate-500">
            {s.profile.displayName} · {s.profile.cpu} CPU · {s.profile.memory} memory
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          {s.state === "running" ? (
            <a href={s.url} className={buttonStyles.primary} aria-label={`Open ${s.label}`}>
              Open
            </a>
          ) : null}
          {s.state === "running" || s.state === "starting" ? (
            <button type="button" className={buttonStyles.secondary} onClick={onStop} disabled={busy} aria-label={`Stop ${s.label}`}>
              Stop
            </button>
          ) : (
            <button type="button" className={buttonStyles.secondary} onClick={onStart} disabled={busy || s.state === "stopping"} aria-label={`Start ${s.label}`}>
              Start
            </button>
          )}
          {onDelete ? (
            <button type="button" className={buttonStyles.ghostDanger} onClick={onDelete} disabled={busy} aria-label={`Delete ${s.label}`}>
              Delete
            </button>
          ) : null}
        </div>
      </div>

      <div aria-live="polite" className="mt-3 min-h-0 text-sm">
        {s.state === "starting" || s.state === "stopping" ? (
          <p className="flex items-center gap-2 text-sky-800">
            <span aria-hidden="true" className="h-3 w-3 animate-spin rounded-full border-2 border-sky-300 border-t-sky-800" />
            {s.progress ?? (s.state === "starting" ? "Starting" : "Stopping")}…
          </p>
        ) : null}
        {s.state === "failed" && s.reason ? <p className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-red-800">{s.reason}</p> : null}
        {s.state === "stopped" && s.reason ? <p className="text-slate-600">{s.reason}</p> : null}
      </div>

      <dl className="mt-3 grid grid-cols-1 gap-3 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-slate-500">Last activity</dt>
          <dd>{relativeTime(s.lastActivityAt, now)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Idle stop</dt>
          <dd>{left ? `in ${left} without activity` : "—"}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Storage</dt>
          <dd>
            {formatBytes(used)} of {formatBytes(s.storageLimit)}
            <div
              role="progressbar"
              aria-label={`Storage used by ${s.label}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={pct}
              className="mt-1 h-1.5 w-full overflow-hidden rounded-full bg-slate-100"
            >
              <div className={`h-full ${pct >= 90 ? "bg-red-600" : "bg-brand-600"}`} style={{ width: `${Math.max(pct, used > 0 ? 2 : 0)}%` }} />
            </div>
          </dd>
        </div>
      </dl>
    </li>
  );
}
