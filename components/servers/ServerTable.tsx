"use client";

import type { ReactNode } from "react";
import type { ServerView } from "@/lib/servers/list-servers";
import { buttonStyles } from "../ui/button-styles";
import { Spinner } from "../ui/Spinner";
import { formatBytes, relativeTime, timeLeft } from "./format";
import { ServerActions } from "./ServerActions";
import { StateBadge } from "./StateBadge";
import { RetiredBadge } from "./RetiredBadge";
import { LaunchedFrom } from "./LaunchedFrom";
import type { ServerItemProps } from "./ServerCard";
import { StorageBar } from "./StorageBar";

// The compact view of My servers, one row per server as JupyterHub's home page lists them, for
// people with more than a few servers, whose cards would push everything else down the page.
// Below the lg breakpoint the rows become stacked blocks, each value beside its label, so a phone
// never scrolls sideways. The table roles are spelled out: a table displayed as blocks loses
// them in some browsers, and with them what each value is.

const COLUMNS = ["Server", "State", "Profile", "Last activity", "Idle stop", "Storage"];

export function ServerTable({ servers, now, busy, warningSeconds, onStart, onStop, onKeepRunning, onDelete }: {
  servers: ServerView[];
  now: number;
  /** How long before an idle stop a row warns (and offers Keep running). */
  warningSeconds: number;
  /** The server an action is under way for ("" is the default server), or null. */
  busy: string | null;
  onStart: (name: string) => void;
  onStop: (name: string) => void;
  onKeepRunning: (name: string) => void;
  onDelete: (name: string) => void;
}) {
  return (
    <div className="lg:overflow-hidden lg:rounded-2xl lg:border lg:border-slate-200/80 lg:bg-white lg:shadow-card">
      <table role="table" aria-label="Your servers" className="block w-full text-left text-sm lg:table">
        <thead role="rowgroup" className="sr-only lg:not-sr-only lg:table-header-group lg:border-b lg:border-slate-200 lg:bg-slate-50 lg:text-xs lg:uppercase lg:tracking-wide lg:text-slate-500">
          <tr role="row">
            {COLUMNS.map((c) => (
              <th key={c} role="columnheader" scope="col" className="px-3 py-2.5 font-medium first:pl-4">
                {c}
              </th>
            ))}
            <th role="columnheader" scope="col" className="py-2.5 pl-3 pr-4">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody role="rowgroup" className="block space-y-3 lg:table-row-group lg:space-y-0 lg:divide-y lg:divide-slate-100">
          {servers.map((s) => (
            <ServerRow
              key={s.name}
              server={s}
              now={now}
              busy={busy === s.name}
              warningSeconds={warningSeconds}
              onStart={() => onStart(s.name)}
              onStop={() => onStop(s.name)}
              onKeepRunning={() => onKeepRunning(s.name)}
              onDelete={s.name === "" ? undefined : () => onDelete(s.name)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const cell = "flex items-start justify-between gap-4 py-1.5 lg:table-cell lg:px-3 lg:py-3 lg:align-top";

/** The label a value carries when rows are stacked; the column header says it in the table. */
function Label({ children }: { children: ReactNode }) {
  return (
    <span aria-hidden="true" className="shrink-0 text-xs font-medium text-slate-500 lg:hidden">
      {children}
    </span>
  );
}

/** One server's row: the component to extend when the table shows more about a server. */
export function ServerRow({ server: s, now, busy, warningSeconds, onStart, onStop, onKeepRunning, onDelete }: ServerItemProps) {
  const transitional = s.state === "starting" || s.state === "stopping" || s.state === "deleting";
  const left = timeLeft(s.idleStopAt, now);
  // As the card's warning (IdleWarning): the last minutes before an idle stop, with the way to put it off.
  const idleSoon = s.state === "running" && s.idleStopAt !== null && new Date(s.idleStopAt).getTime() - now <= warningSeconds * 1000;
  return (
    <tr
      role="row"
      data-server={s.name || "default"}
      data-state={s.state}
      className={`block rounded-2xl border bg-white px-4 py-3 shadow-card lg:table-row lg:rounded-none lg:border-0 lg:bg-transparent lg:p-0 lg:shadow-none ${s.state === "failed" ? "border-red-200" : "border-slate-200/80"}`}
    >
      <th role="rowheader" scope="row" className="block pb-1.5 text-left font-normal lg:table-cell lg:py-3 lg:pl-4 lg:pr-3 lg:align-top">
        <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <span className="font-semibold text-slate-900">{s.label}</span>
          {s.name === "" ? <span className="rounded bg-slate-100 px-1.5 py-px text-[0.7rem] font-medium text-slate-600">Default</span> : null}
        </span>
        {s.launchedFrom ? <LaunchedFrom from={s.launchedFrom} className="mt-0.5 block break-words text-xs text-slate-500" /> : null}
      </th>
      <td role="cell" className={cell}>
        <Label>State</Label>
        <span className="flex min-w-0 flex-col items-end gap-1 lg:items-start" aria-live="polite">
          <StateBadge state={s.state} />
          {transitional ? (
            <span className="flex items-center gap-1.5 text-xs text-sky-800">
              <Spinner className="h-3 w-3 text-sky-600" /> {s.progress ?? (s.state === "starting" ? "Starting" : "Stopping")}…
            </span>
          ) : null}
          {s.reason && (s.state === "failed" || s.state === "stopped") ? (
            <span className={`line-clamp-3 max-w-56 text-right text-xs lg:text-left ${s.state === "failed" ? "text-red-700" : "text-slate-500"}`} title={s.reason}>
              {s.reason}
            </span>
          ) : null}
        </span>
      </td>
      <td role="cell" className={cell}>
        <Label>Profile</Label>
        <span className="text-slate-800" title={`${s.profile.cpu} CPU · ${s.profile.memory} memory`}>
          {s.profile.displayName}
          {s.profile.retired ? <RetiredBadge /> : null}
        </span>
      </td>
      <td role="cell" className={cell}>
        <Label>Last activity</Label>
        <span className="text-slate-800" title={s.lastActivityAt ?? undefined}>
          {relativeTime(s.lastActivityAt, now)}
        </span>
      </td>
      <td role="cell" className={cell}>
        <Label>Idle stop</Label>
        <span className="flex flex-col items-end gap-1 lg:items-start" role={idleSoon ? "status" : undefined}>
          <span className={idleSoon ? "font-medium text-amber-800" : "text-slate-800"}>{left === null ? "—" : left === "now" ? "due now" : `in ${left}`}</span>
          {idleSoon ? (
            <button type="button" className={`${buttonStyles.secondary} px-2.5 py-1 text-xs`} onClick={onKeepRunning} disabled={busy} aria-label={`Keep ${s.label} running`}>
              Keep running
            </button>
          ) : null}
        </span>
      </td>
      <td role="cell" className={cell}>
        <Label>Storage</Label>
        {s.storageUsed === null ? (
          <span className="text-right text-slate-500 lg:text-left">{s.storageMeasuring ? "Measuring…" : `${formatBytes(s.storageLimit)} volume`}</span>
        ) : (
          <span className="flex flex-col items-end lg:items-start">
            <span className="whitespace-nowrap text-slate-800">
              {formatBytes(s.storageUsed)} <span className="text-slate-500">of {formatBytes(s.storageLimit)}</span>
            </span>
            <StorageBar server={s} className="mt-1 h-1 w-24" />
          </span>
        )}
      </td>
      <td role="cell" className="block pt-3 lg:table-cell lg:py-3 lg:pl-3 lg:pr-4 lg:align-top">
        <span className="flex flex-wrap items-center gap-2 lg:flex-nowrap lg:justify-end">
          <ServerActions server={s} busy={busy} compact onStart={onStart} onStop={onStop} onDelete={onDelete} />
        </span>
      </td>
    </tr>
  );
}
