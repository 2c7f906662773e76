"use client";

import { useCallback, useEffect, useState, type ReactNode } from "react";
import { namedServerLimitMessage } from "@/lib/policy/named-server-limit";
import type { ServersPage } from "@/lib/servers/list-servers";
import { Alert } from "../ui/Alert";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { failureOf, fetchJson } from "../ui/fetch-json";
import { AddServerForm } from "./AddServerForm";
import { ServerCard } from "./ServerCard";
import { ServerTable } from "./ServerTable";
import { useServersView } from "./use-servers-view";
import { ViewToggle } from "./ViewToggle";
import { formatBytes, idlePolicyText } from "./format";
import { storagePercent } from "@/lib/format/storage";
import { IconBadge } from "../ui/IconBadge";

function call(method: "POST" | "DELETE", url: string, body?: unknown): Promise<string | null> {
  return failureOf(fetchJson(url, { method, body }));
}

export function ServerDashboard({ initial }: { initial: ServersPage }) {
  const [page, setPage] = useState(initial);
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [toDelete, setToDelete] = useState<string | null>(null);
  const base = `/api/users/${encodeURIComponent(page.user)}`;

  const refresh = useCallback(async () => {
    // A failed refresh leaves the list as shown; the next one tries again.
    const next = await fetchJson<ServersPage>(`${base}/servers`).catch(() => null);
    if (next) setPage(next);
    setNow(Date.now());
  }, [base]);

  // Poll quickly while anything is changing state, soon while a storage figure is being measured
  // (in the background; it shows "Measuring…" until then), slowly otherwise (activity, storage).
  const transitional = page.servers.some((s) => s.state === "starting" || s.state === "stopping" || s.state === "deleting");
  const measuring = page.servers.some((s) => s.storageMeasuring);
  useEffect(() => {
    const t = setInterval(() => void refresh(), transitional ? 1000 : measuring ? 2000 : 15000);
    return () => clearInterval(t);
  }, [transitional, measuring, refresh]);

  async function act(name: string, action: "start" | "stop" | "keep-running" | "delete") {
    setBusy(name);
    setError(null);
    const path = name === "" ? `${base}/server` : `${base}/servers/${encodeURIComponent(name)}`;
    const err = action === "delete" ? await call("DELETE", path) : await call("POST", `${path}/${action}`);
    if (err) setError(err);
    await refresh();
    setBusy(null);
  }

  const named = page.servers.filter((s) => s.name !== "");
  const defaultServer = page.servers.find((s) => s.name === "");
  const max = page.policy.maxNamedServers;
  const atLimit = page.namedCount >= max;
  const running = page.servers.filter((s) => s.state === "running").length;
  const usedPct = max > 0 ? Math.min(100, Math.round((page.namedCount / max) * 100)) : 100;
  const filling = page.servers.filter((s) => s.storageLevel !== "ok");
  // More than a few servers: the table, with Add above it, unless this browser chose otherwise.
  // Counted as the page opened, so adding a server does not switch the view under the person.
  const [view, setView] = useServersView(initial.servers.length > 3 ? "table" : "cards");
  const ordered = defaultServer ? [defaultServer, ...named] : named;
  const toggle = <ViewToggle view={view} onChange={setView} />;
  const addForm = (
    <AddServerForm
      user={page.user}
      profiles={page.profiles}
      requestUrl={page.profileRequestUrl}
      maxLength={page.policy.serverNameMaxLength}
      atLimit={atLimit}
      existing={named.map((s) => s.name)}
      limitMessage={namedServerLimitMessage(named.map((s) => s.name), max)}
      onCreate={async (name, profile, options) => {
        const err = await call("POST", `${base}/servers`, { name, profile, options });
        await refresh();
        return err;
      }}
    />
  );

  return (
    <div className="space-y-8">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">My servers</h1>
          <p className="mt-1.5 text-sm text-slate-600">{idlePolicyText(page.policy.idleTimeouts)}</p>
        </div>
        <dl className="grid grid-cols-2 gap-3 text-sm sm:flex">
          <div className="rounded-xl border border-slate-200/80 bg-white px-4 py-2.5 shadow-card">
            <dt className="text-xs font-medium text-slate-500">Running</dt>
            <dd className="mt-0.5 font-semibold text-slate-900">{running}</dd>
          </div>
          <div className="min-w-36 rounded-xl border border-slate-200/80 bg-white px-4 py-2.5 shadow-card">
            <dt className="text-xs font-medium text-slate-500">Named servers</dt>
            <dd className="mt-0.5 font-semibold text-slate-900">
              {page.namedCount} of {max}
              <div
                role="progressbar"
                aria-label="Named servers used"
                aria-valuemin={0}
                aria-valuemax={max}
                aria-valuenow={page.namedCount}
                className="mt-1.5 h-1 w-full overflow-hidden rounded-full bg-slate-200/70"
              >
                <div className={`h-full rounded-full ${atLimit ? "bg-amber-500" : "bg-brand-500"}`} style={{ width: `${usedPct}%` }} />
              </div>
            </dd>
          </div>
        </dl>
      </div>

      {error ? (
        <div className="flex items-start gap-2">
          <div className="flex-1">
            <Alert tone="error">{error}</Alert>
          </div>
          <button type="button" onClick={() => setError(null)} className="rounded-md p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-700" aria-label="Dismiss the message">
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-4 w-4">
              <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
            </svg>
          </button>
        </div>
      ) : null}

      {filling.length ? (
        <Alert tone="warn" title={filling.some((s) => s.storageLevel === "full") ? "Storage full" : "Storage almost full"}>
          <ul>
            {filling.map((s) => (
              <li key={s.name} data-storage-alert={s.name || "default"}>
                <span className="font-medium">{s.label}</span>: {s.storageLevel === "full" ? "full" : `${storagePercent(s.storageUsed, s.storageLimit)} % used`} ({formatBytes(s.storageUsed ?? 0)} of {formatBytes(s.storageLimit)})
              </li>
            ))}
          </ul>
          <p className="mt-1">When a server&rsquo;s storage is full, saving files in it fails. It still starts: open it and delete files you no longer need.</p>
        </Alert>
      ) : null}

      {view === "table" ? (
        <>
          {/* As on JupyterHub's home page: adding comes first, the list below it. */}
          {addForm}
          <section aria-labelledby="servers-heading" className="space-y-3">
            <SectionHeading id="servers-heading" title="Your servers">
              {toggle}
            </SectionHeading>
            <ServerTable
              servers={ordered}
              now={now}
              busy={busy}
              warningSeconds={page.policy.idleWarningSeconds}
              onStart={(n) => void act(n, "start")}
              onStop={(n) => void act(n, "stop")}
              onKeepRunning={(n) => void act(n, "keep-running")}
              onDelete={setToDelete}
            />
          </section>
        </>
      ) : (
        <>
          <section aria-labelledby="default-heading" className="space-y-3">
            <SectionHeading id="default-heading" title="Default server">
              {toggle}
            </SectionHeading>
            <ul className="space-y-3">
              {defaultServer ? <ServerCard server={defaultServer} now={now} busy={busy === ""} onStart={() => void act("", "start")} onStop={() => void act("", "stop")} warningSeconds={page.policy.idleWarningSeconds} onKeepRunning={() => void act("", "keep-running")} /> : null}
            </ul>
          </section>

          <section aria-labelledby="named-heading" className="space-y-3">
            <SectionHeading id="named-heading" title="Named servers" />
            {named.length === 0 ? (
              <div className="flex flex-col items-center rounded-2xl border border-dashed border-slate-300 bg-white/60 px-6 py-10 text-center">
                <IconBadge>
                  <rect x="3" y="4" width="18" height="6" rx="2" />
                  <rect x="3" y="14" width="18" height="6" rx="2" />
                  <path d="M7 7h.01M7 17h.01" />
                </IconBadge>
                <p className="mt-3 font-medium text-slate-900">No named servers yet</p>
                <p className="mt-1 max-w-sm text-sm text-slate-600">Add one below to keep separate work apart, each with its own files. You can have up to {max}.</p>
              </div>
            ) : (
              <ul className="space-y-3">
                {named.map((s) => (
                  <ServerCard key={s.name} server={s} now={now} busy={busy === s.name} onStart={() => void act(s.name, "start")} onStop={() => void act(s.name, "stop")} warningSeconds={page.policy.idleWarningSeconds} onKeepRunning={() => void act(s.name, "keep-running")} onDelete={() => setToDelete(s.name)} />
                ))}
              </ul>
            )}
            <div className="pt-2">{addForm}</div>
          </section>
        </>
      )}

      {[!page.limits.limitsEnforced ? page.limits.limitsNote : undefined, page.limits.storageNote, page.limits.isolationNote].map((note) =>
        note ? (
          <p key={note} className="flex items-start gap-2 border-t border-slate-200 pt-4 text-xs text-slate-500">
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="mt-px h-3.5 w-3.5 shrink-0 text-slate-400">
              <path fillRule="evenodd" clipRule="evenodd" d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-7-4a1 1 0 1 1-2 0 1 1 0 0 1 2 0ZM9 9a.75.75 0 0 0 0 1.5h.25a.25.25 0 0 1 .25.25v2.5c0 .97.78 1.75 1.75 1.75H12a.75.75 0 0 0 0-1.5h-.75a.25.25 0 0 1-.25-.25v-2.5C11 9.78 10.22 9 9.25 9H9Z" />
            </svg>
            {note}
          </p>
        ) : null,
      )}

      <ConfirmDialog
        open={toDelete !== null}
        title={`Delete server “${toDelete ?? ""}”?`}
        confirmLabel="Delete server and its files"
        busyLabel="Deleting…"
        busy={toDelete !== null && busy === toDelete}
        onCancel={() => setToDelete(null)}
        onConfirm={() => {
          const name = toDelete!;
          void act(name, "delete").then(() => setToDelete(null));
        }}
      >
        <p>
          The server will be stopped and <strong className="font-semibold text-slate-900">its storage will be deleted</strong>: every file and notebook in it is lost. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** A section's heading on My servers, with what sits beside it (the view toggle). */
function SectionHeading({ id, title, children }: { id: string; title: string; children?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <h2 id={id} className="text-xs font-semibold uppercase tracking-wider text-slate-500">
        {title}
      </h2>
      {children}
    </div>
  );
}
