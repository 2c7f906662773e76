"use client";

import Link from "next/link";
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import type { BulkServersResult } from "@/lib/admin/bulk-servers";
import type { AdminServerRow, AdminServersPage } from "@/lib/admin/list-all-servers";
import { serversQueryString, type ServerSort, type ServersQuery } from "@/lib/admin/servers-query";
import { storagePercent } from "@/lib/format/storage";
import { Alert } from "../../ui/Alert";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { buttonStyles } from "../../ui/button-styles";
import { RepoName } from "../../ui/RepoName";
import { Spinner } from "../../ui/Spinner";
import { formatBytes, relativeTime, timeLeft } from "../../servers/format";
import { StateBadge } from "../../servers/StateBadge";
import { ServerFilters } from "./ServerFilters";
import { bulkAction, rowKey, serverAction } from "./servers-api";
import { PageNav } from "@/components/ui/PageNav";
import { fetchJson } from "@/components/ui/fetch-json";
import { ConsoleHeader } from "../ConsoleHeader";
import { ActionsHeader, ColumnHeader } from "../ColumnHeader";

type Pending = { kind: "delete-one"; server: AdminServerRow } | { kind: "bulk"; action: "stop" | "delete"; servers: AdminServerRow[] };
type Notice = { tone: "success" | "error" | "warn"; title: string; body?: ReactNode };

const who = (s: Pick<AdminServerRow, "owner" | "label">) => `${s.owner} / ${s.label}`;

function SortHeader({ query, sort, children }: { query: ServersQuery; sort: ServerSort; children: ReactNode }) {
  const active = query.sort === sort;
  // A second click on the active column turns the order round.
  const dir = active ? (query.dir === "asc" ? "desc" : "asc") : undefined;
  return (
    <th scope="col" aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : "none"} className="px-3 py-2.5 font-medium">
      <Link href={`/admin/servers${serversQueryString(query, { sort, dir, page: 1 })}`} className="inline-flex items-center gap-1 rounded hover:text-slate-900">
        {children}
        <span aria-hidden="true" className={active ? "text-brand-700" : "text-slate-400"}>
          {active && query.dir === "desc" ? "↓" : "↑"}
        </span>
      </Link>
    </th>
  );
}

function resultNotice(r: BulkServersResult): Notice {
  const verb = r.action === "stop" ? "stopping" : "deleted";
  const ok = r.results.filter((x) => x.ok);
  const bad = r.results.filter((x) => !x.ok);
  return {
    tone: bad.length === 0 ? "success" : ok.length === 0 ? "error" : "warn",
    title:
      bad.length === 0
        ? `${r.action === "stop" ? "Stopping" : "Deleted"} ${ok.length} server${ok.length === 1 ? "" : "s"}.`
        : `${ok.length} of ${r.results.length} ${verb}; ${bad.length} failed.`,
    body: (
      <ul className="mt-1 list-disc space-y-0.5 pl-5">
        {r.results.map((x) => (
          <li key={rowKey({ owner: x.user, name: x.name })}>
            <strong className="font-semibold">{x.user} / {x.label}</strong>: {x.ok ? (r.action === "stop" ? (x.state === "stopping" ? "stopping" : x.state) : "deleted with its storage") : x.message}
          </li>
        ))}
      </ul>
    ),
  };
}

export function ServersConsole({ initial }: { initial: AdminServersPage }) {
  const [page, setPage] = useState(initial);
  const [now, setNow] = useState(initial.generatedAt);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [busyRow, setBusyRow] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [working, setWorking] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const q = page.query;
  const qs = serversQueryString(q);

  const refresh = useCallback(async () => {
    // A failed refresh leaves the list as shown; the next one tries again.
    const next = await fetchJson<AdminServersPage>(`/api/admin/servers${qs}`).catch(() => null);
    if (!next) return;
    setPage(next);
    setNow(next.generatedAt);
  }, [qs]);

  // Follow servers that are changing state quickly; otherwise refresh now and then (activity, idle stop).
  const transitional = page.servers.some((s) => s.state === "starting" || s.state === "stopping" || s.state === "deleting");
  useEffect(() => {
    const t = setInterval(() => void refresh(), transitional ? 1500 : 30_000);
    return () => clearInterval(t);
  }, [transitional, refresh]);

  // A selection only ever holds rows of this page (a server gone after a refresh drops out).
  const rows = page.servers;
  const chosen = useMemo(() => rows.filter((s) => selected.has(rowKey(s))), [rows, selected]);
  const allOnPage = rows.length > 0 && chosen.length === rows.length;

  const toggle = (s: AdminServerRow) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (!next.delete(rowKey(s))) next.add(rowKey(s));
      return next;
    });

  async function one(s: AdminServerRow, action: "start" | "stop" | "delete") {
    setBusyRow(rowKey(s));
    setNotice(null);
    const err = await serverAction(s, action);
    setNotice(err ? { tone: "error", title: `Could not ${action} ${who(s)}.`, body: err } : action === "delete" ? { tone: "success", title: `Deleted ${who(s)} and its storage.` } : null);
    if (action === "delete" && !err) setSelected((prev) => new Set([...prev].filter((k) => k !== rowKey(s))));
    await refresh();
    setBusyRow(null);
  }

  async function confirm() {
    if (!pending) return;
    setWorking(true);
    if (pending.kind === "delete-one") {
      await one(pending.server, "delete");
    } else {
      setNotice(null);
      const r = await bulkAction(pending.action, pending.servers);
      if (typeof r === "string") setNotice({ tone: "error", title: `Nothing was ${pending.action === "stop" ? "stopped" : "deleted"}.`, body: r });
      else {
        setNotice(resultNotice(r));
        setSelected(new Set());
      }
      await refresh();
    }
    setWorking(false);
    setPending(null);
  }

  const filtered = Boolean(q.state || q.owner || q.user || q.profile || q.idle);

  return (
    <div className="space-y-5">
      <ConsoleHeader
        title="Servers"
        summary={
          <>
            {page.total.toLocaleString("en")} server{page.total === 1 ? "" : "s"}
            {filtered ? " match these filters" : " in all"}.
          </>
        }
        working={transitional ? "Following servers that are starting or stopping…" : null}
      />

      <ServerFilters query={q} profiles={page.profiles} filtered={filtered} />

      {notice ? (
        <Alert tone={notice.tone} title={notice.title}>
          {notice.body}
          <button type="button" className="mt-1 block text-xs font-medium underline" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </Alert>
      ) : null}

      <div className="flex min-h-10 flex-wrap items-center gap-2" aria-live="polite">
        <span className="text-sm text-slate-700">{chosen.length ? `${chosen.length} selected` : "Select servers to stop or delete several at once."}</span>
        {chosen.length ? (
          <>
            <button type="button" className={buttonStyles.secondary} onClick={() => setPending({ kind: "bulk", action: "stop", servers: chosen })}>
              Stop selected
            </button>
            <button type="button" className={buttonStyles.ghostDanger} onClick={() => setPending({ kind: "bulk", action: "delete", servers: chosen })}>
              Delete selected
            </button>
            <button type="button" className="text-sm font-medium text-slate-600 underline" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          </>
        ) : null}
      </div>

      {rows.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
          <p className="font-medium text-slate-900">{filtered ? "No server matches these filters." : q.page > 1 ? "This page is past the last server." : "Nobody has a server yet."}</p>
          {filtered || q.page > 1 ? (
            <p className="mt-1 text-sm text-slate-600">
              <Link href="/admin/servers" className="font-medium text-brand-700 underline">Show all servers</Link>
            </p>
          ) : null}
        </div>
      ) : (
        // relative: the visually hidden labels inside are absolutely placed and must scroll with the table.
        <div role="region" aria-labelledby="servers-caption" tabIndex={0} className="relative overflow-x-auto rounded-xl border border-slate-200/80 bg-white shadow-card focus-visible:outline-2 focus-visible:outline-brand-600">
          <table className="w-full min-w-[78rem] border-collapse text-left text-sm">
            <caption id="servers-caption" className="sr-only">
              Servers of every user, page {q.page} of {page.pages}
            </caption>
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="w-10 px-3 py-2.5">
                  <input
                    id="select-all"
                    type="checkbox"
                    checked={allOnPage}
                    onChange={() => setSelected(allOnPage ? new Set() : new Set(rows.map(rowKey)))}
                    className="h-4 w-4 rounded border-slate-300 accent-brand-700"
                  />
                  <label htmlFor="select-all" className="sr-only">Select all {rows.length} servers on this page</label>
                </th>
                <SortHeader query={q} sort="owner">Owner</SortHeader>
                <SortHeader query={q} sort="name">Server</SortHeader>
                <SortHeader query={q} sort="state">State</SortHeader>
                <ColumnHeader>Profile</ColumnHeader>
                <ColumnHeader>Image / repository</ColumnHeader>
                <SortHeader query={q} sort="started">Started</SortHeader>
                <SortHeader query={q} sort="lastActivity">Last activity</SortHeader>
                <ColumnHeader>Idle stop</ColumnHeader>
                <ColumnHeader>Storage</ColumnHeader>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((s, i) => {
                const key = rowKey(s);
                const busy = busyRow === key;
                const moving = s.state === "starting" || s.state === "stopping" || s.state === "deleting";
                const left = timeLeft(s.idleStopAt, now);
                const pct = storagePercent(s.storageUsed, s.storageLimit);
                return (
                  <tr key={key} data-row={`${s.owner}/${s.name || "default"}`} data-state={s.state} className={selected.has(key) ? "bg-brand-50/50" : undefined}>
                    <td className="px-3 py-2.5 align-top">
                      <input id={`sel-${i}`} type="checkbox" checked={selected.has(key)} onChange={() => toggle(s)} className="h-4 w-4 rounded border-slate-300 accent-brand-700" />
                      <label htmlFor={`sel-${i}`} className="sr-only">Select {s.owner}&rsquo;s server {s.label}</label>
                    </td>
                    <td className="px-3 py-2.5 align-top font-medium text-slate-900">{s.owner}</td>
                    <th scope="row" className="px-3 py-2.5 align-top font-medium text-slate-900">
                      {s.label}
                      <span className="block font-mono text-[0.7rem] font-normal text-slate-400">{s.url}</span>
                    </th>
                    <td className="max-w-64 px-3 py-2.5 align-top">
                      <StateBadge state={s.state} />
                      {moving ? (
                        <span className="mt-1 flex items-center gap-1.5 text-xs text-sky-800">
                          <Spinner className="h-3 w-3 text-sky-600" /> {s.progress ?? (s.state === "starting" ? "Starting" : "Stopping")}…
                        </span>
                      ) : null}
                      {s.reason && (s.state === "failed" || s.state === "stopped") ? (
                        <span className={`mt-1 line-clamp-3 block text-xs ${s.state === "failed" ? "text-red-700" : "text-slate-500"}`} title={s.reason}>
                          {s.reason}
                        </span>
                      ) : null}
                    </td>
                    <td className="px-3 py-2.5 align-top whitespace-nowrap">
                      {s.profile.displayName}
                      <span className="block text-xs text-slate-500">
                        {s.profile.cpu} CPU · {s.profile.memory} · {s.profile.storage}
                      </span>
                    </td>
                    <td className="max-w-56 px-3 py-2.5 align-top">
                      {s.launchedFrom ? (
                        <>
                          <span className="block break-words"><RepoName text={s.launchedFrom.repo} /></span>
                          <code className="font-mono text-xs text-slate-500" title={s.launchedFrom.commit}>{s.launchedFrom.commit.slice(0, 7)}</code>
                        </>
                      ) : s.image ? (
                        <span className="block truncate font-mono text-xs" title={s.image}>{s.image}</span>
                      ) : (
                        <span className="text-slate-500">Default environment</span>
                      )}
                    </td>
                    <td className="px-3 py-2.5 align-top whitespace-nowrap" title={s.startedAt ?? undefined}>{s.startedAt ? relativeTime(s.startedAt, now) : "—"}</td>
                    <td className="px-3 py-2.5 align-top whitespace-nowrap" title={s.lastActivityAt ?? undefined}>{relativeTime(s.lastActivityAt, now)}</td>
                    <td className="px-3 py-2.5 align-top whitespace-nowrap">{left === null ? "—" : left === "now" ? "due now" : `in ${left}`}</td>
                    <td className="px-3 py-2.5 align-top whitespace-nowrap">
                      {s.storageUsed === null ? (
                        <span className="text-slate-500">{s.storageMeasuring ? `Measuring… (${formatBytes(s.storageLimit)} volume)` : `${formatBytes(s.storageLimit)} volume`}</span>
                      ) : (
                        <>
                          {formatBytes(s.storageUsed)} <span className="text-slate-500">of {formatBytes(s.storageLimit)}</span>
                          <div role="progressbar" aria-label={`Storage used by ${who(s)}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="mt-1 h-1 w-24 overflow-hidden rounded-full bg-slate-200/70">
                            <div className={`h-full rounded-full ${s.storageLevel === "full" ? "bg-red-500" : s.storageLevel === "almost-full" ? "bg-amber-500" : "bg-brand-500"}`} style={{ width: `${Math.max(pct, s.storageUsed > 0 ? 2 : 0)}%` }} />
                          </div>
                          {s.storageLevel !== "ok" ? (
                            <span data-storage-warning={s.storageLevel} className={`mt-1 block text-xs font-medium ${s.storageLevel === "full" ? "text-red-700" : "text-amber-800"}`}>
                              {s.storageLevel === "full" ? "Full: saving fails" : `Almost full (${pct} %)`}
                            </span>
                          ) : null}
                        </>
                      )}
                    </td>
                    <td className="px-3 py-2.5 align-top">
                      <div className="flex justify-end gap-1.5">
                        {s.state === "running" ? (
                          <a href={s.openUrl} className={buttonStyles.primary} aria-label={`Open ${who(s)}`}>Open</a>
                        ) : null}
                        {s.state === "running" || s.state === "starting" ? (
                          <button type="button" className={buttonStyles.secondary} disabled={busy} onClick={() => void one(s, "stop")} aria-label={`Stop ${who(s)}`}>
                            {busy ? <Spinner /> : null} Stop
                          </button>
                        ) : (
                          <button type="button" className={buttonStyles.secondary} disabled={busy || s.state === "stopping" || s.state === "deleting"} onClick={() => void one(s, "start")} aria-label={`Start ${who(s)}`}>
                            {busy ? <Spinner /> : null} Start
                          </button>
                        )}
                        {s.name !== "" ? (
                          <button type="button" className={buttonStyles.ghostDanger} disabled={busy || moving} onClick={() => setPending({ kind: "delete-one", server: s })} aria-label={`Delete ${who(s)}`}>
                            Delete
                          </button>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <PageNav label="Pages of servers" page={q.page} pages={page.pages} total={page.total} shown={rows.length} pageSize={page.pageSize} href={(n) => `/admin/servers${serversQueryString(q, { page: n })}`} />

      <ConfirmDialog
        open={pending !== null}
        title={
          pending?.kind === "delete-one"
            ? `Delete ${who(pending.server)}?`
            : pending
              ? `${pending.action === "stop" ? "Stop" : "Delete"} ${pending.servers.length} server${pending.servers.length === 1 ? "" : "s"}?`
              : ""
        }
        confirmLabel={pending?.kind === "bulk" && pending.action === "stop" ? "Stop servers" : pending?.kind === "bulk" ? "Delete servers and their storage" : "Delete server and its storage"}
        busyLabel={pending?.kind === "bulk" && pending.action === "stop" ? "Stopping…" : "Deleting…"}
        busy={working}
        onCancel={() => setPending(null)}
        onConfirm={() => void confirm()}
      >
        {pending?.kind === "delete-one" ? (
          <p>
            {pending.server.owner}&rsquo;s server <strong className="font-semibold text-slate-900">{pending.server.label}</strong> will be stopped and{" "}
            <strong className="font-semibold text-slate-900">its storage will be deleted</strong>
            {pending.server.storageUsed !== null ? ` (${formatBytes(pending.server.storageUsed)})` : ""}: every file and notebook in it is lost. This cannot be undone.
          </p>
        ) : pending ? (
          <>
            <p>
              {pending.action === "stop" ? (
                pending.servers.length === 1 ? (
                  <>This server will be stopped. Its owner loses unsaved work in open notebooks; its files are kept.</>
                ) : (
                  <>These servers will be stopped. Their owners lose unsaved work in open notebooks; their files are kept.</>
                )
              ) : pending.servers.length === 1 ? (
                <>
                  This server will be stopped and <strong className="font-semibold text-slate-900">its storage will be deleted</strong>: every file and notebook in it is lost. This cannot be undone.
                </>
              ) : (
                <>
                  These servers will be stopped and <strong className="font-semibold text-slate-900">their storage will be deleted</strong>: every file and notebook in them is lost. This cannot be undone.
                </>
              )}
            </p>
            <ul className="mt-2 max-h-48 list-disc overflow-y-auto pl-5">
              {pending.servers.map((s) => (
                <li key={rowKey(s)}>
                  <strong className="font-semibold text-slate-900">{who(s)}</strong>
                  {pending.action === "delete" ? (s.name === "" ? " — a default server cannot be deleted; it will be skipped" : s.storageUsed !== null ? ` — ${formatBytes(s.storageUsed)} of files` : " — its volume") : ""}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
