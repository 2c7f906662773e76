"use client";

import { useCallback, useEffect, useState } from "react";
import type { ServersPage } from "@/lib/servers/list-servers";
import { Alert } from "../ui/Alert";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { AddServerForm } from "./AddServerForm";
import { ServerCard } from "./ServerCard";

async function call(method: string, url: string, body?: unknown): Promise<string | null> {
  const res = await fetch(url, { method, headers: body ? { "content-type": "application/json" } : undefined, body: body ? JSON.stringify(body) : undefined });
  if (res.ok) return null;
  const data = (await res.json().catch(() => ({}))) as { message?: string };
  return data.message ?? `The request failed (${res.status}). Try again.`;
}

export function ServerDashboard({ initial }: { initial: ServersPage }) {
  const [page, setPage] = useState(initial);
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [toDelete, setToDelete] = useState<string | null>(null);
  const base = `/api/users/${encodeURIComponent(page.user)}`;

  const refresh = useCallback(async () => {
    const res = await fetch(`${base}/servers`, { cache: "no-store" });
    if (res.ok) setPage((await res.json()) as ServersPage);
    setNow(Date.now());
  }, [base]);

  // Poll quickly while anything is changing state, slowly otherwise (activity, storage).
  const transitional = page.servers.some((s) => s.state === "starting" || s.state === "stopping");
  useEffect(() => {
    const t = setInterval(() => void refresh(), transitional ? 1000 : 15000);
    return () => clearInterval(t);
  }, [transitional, refresh]);

  async function act(name: string, action: "start" | "stop" | "delete") {
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
  const atLimit = page.namedCount >= page.policy.maxNamedServers;
  const idleHours = page.policy.idleTimeoutSeconds / 3600;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-2xl font-semibold">My servers</h1>
          <p className="mt-1 text-sm text-slate-600">
            {page.policy.idleTimeoutSeconds > 0 ? `Servers stop after ${idleHours >= 1 ? `${idleHours} hours` : `${page.policy.idleTimeoutSeconds / 60} minutes`} without activity; their files are kept.` : "Servers keep running until you stop them."}
          </p>
        </div>
        <p className="text-sm text-slate-600">
          Named servers: <span className="font-medium text-slate-900">{page.namedCount}</span> of {page.policy.maxNamedServers}
        </p>
      </div>

      {!page.limits.limitsEnforced && page.limits.limitsNote ? <Alert tone="info">{page.limits.limitsNote}</Alert> : null}
      {error ? <Alert tone="error">{error}</Alert> : null}

      <section aria-labelledby="default-heading" className="space-y-3">
        <h2 id="default-heading" className="text-sm font-semibold uppercase tracking-wide text-slate-500">
          Default server
        </h2>
        <ul className="space-y-3">
          {defaultServer ? <ServerCard server={defaultServer} now={now} busy={busy === ""} onStart={() => void act("", "start")} onStop={() => void act("", "stop")} /> : null}
        </ul>
      </section>

      <section aria-labelledby="named-heading" className="space-y-3">
        <h2 id="named-heading" className="text-sm font-semibold uppercase tracking-wide text-slate-500">
          Named servers
        </h2>
        {named.length === 0 ? (
          <div className="rounded-xl border border-dashed border-slate-300 bg-white px-4 py-8 text-center text-sm text-slate-600">
            <p className="font-medium text-slate-800">No named servers yet</p>
            <p className="mt-1">Add one below to keep separate work apart, each with its own files.</p>
          </div>
        ) : (
          <ul className="space-y-3">
            {named.map((s) => (
              <ServerCard key={s.name} server={s} now={now} busy={busy === s.name} onStart={() => void act(s.name, "start")} onStop={() => void act(s.name, "stop")} onDelete={() => setToDelete(s.name)} />
            ))}
          </ul>
        )}
        <AddServerForm
          profiles={page.profiles}
          maxLength={page.policy.serverNameMaxLength}
          atLimit={atLimit}
          existing={named.map((s) => s.name)}
          limitMessage={`You have ${page.namedCount} named servers, the most allowed. Delete one you no longer need, or reuse one of them.`}
          onCreate={async (name, profile) => {
            const err = await call("POST", `${base}/servers`, { name, profile });
            await refresh();
            return err;
          }}
        />
      </section>

      <ConfirmDialog
        open={toDelete !== null}
        title={`Delete server “${toDelete ?? ""}”?`}
        confirmLabel="Delete server and its files"
        busy={busy === toDelete}
        onCancel={() => setToDelete(null)}
        onConfirm={() => {
          const name = toDelete!;
          void act(name, "delete").then(() => setToDelete(null));
        }}
      >
        <p>
          The server will be stopped and <strong>its storage will be deleted</strong>: every file and notebook in it is lost. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}
