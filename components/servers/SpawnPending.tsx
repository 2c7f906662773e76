"use client";

import { useCallback, useEffect, useState } from "react";
import type { ServersPage } from "@/lib/servers/list-servers";
import { Alert } from "../ui/Alert";
import { buttonStyles } from "../ui/button-styles";
import { failureOf, fetchJson } from "../ui/fetch-json";
import { Spinner } from "../ui/Spinner";
import { ServerIcon } from "./ServerIcon";
import { StateBadge } from "./StateBadge";

export function SpawnPending({ user, name, label, initialState, next }: { user: string; name: string; label: string; initialState: string; next: string }) {
  const [state, setState] = useState(initialState);
  const [progress, setProgress] = useState<string | null>(null);
  const [reason, setReason] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const api = `/api/users/${encodeURIComponent(user)}`;

  const poll = useCallback(async () => {
    // A failed poll changes nothing; the next one tries again.
    const page = await fetchJson<ServersPage>(`${api}/servers`).catch(() => null);
    const s = page?.servers.find((x) => x.name === name);
    if (!s) return;
    setState(s.state);
    setProgress(s.progress);
    setReason(s.reason);
    if (s.state === "running") window.location.assign(next);
  }, [api, name, next]);

  useEffect(() => {
    if (state !== "starting" && state !== "stopping" && state !== "deleting") return;
    const t = setInterval(() => void poll(), 1000);
    return () => clearInterval(t);
  }, [state, poll]);

  async function start() {
    setError(null);
    const path = name === "" ? `${api}/server/start` : `${api}/servers/${encodeURIComponent(name)}/start`;
    const problem = await failureOf(fetchJson(path, { method: "POST" }));
    if (problem) {
      setError(problem);
      return;
    }
    setState("starting");
    setProgress("Requested");
  }

  const waiting = state === "starting" || state === "stopping" || state === "deleting";
  return (
    <div className="mx-auto w-full max-w-lg pt-2 sm:pt-8">
      <div className="overflow-hidden rounded-2xl border border-slate-200/80 bg-white shadow-card">
        <div className="p-6 sm:p-8">
          <div className="flex items-center gap-3.5">
            <ServerIcon state={state} className="h-12 w-12" />
            <div className="min-w-0">
              <div className="flex flex-wrap items-center gap-2">
                <h1 className="truncate text-xl font-semibold tracking-tight text-slate-900">{label}</h1>
                <StateBadge state={state} />
              </div>
              <p className="mt-0.5 truncate font-mono text-xs text-slate-500">{next}</p>
            </div>
          </div>
          <p className="mt-5 text-sm leading-relaxed text-slate-600">
            {waiting
              ? "Hang on: you will be taken to the server as soon as it is ready. This usually takes a few seconds."
              : state === "failed"
                ? "This server did not start. Check the reason below, then try again."
                : "This server is not running. Start it to continue where you left off; its files are kept."}
          </p>
          <div aria-live="polite" className="mt-4 space-y-3">
            {waiting ? (
              <p className="flex items-center gap-2.5 rounded-lg bg-sky-50 px-3.5 py-2.5 text-sm text-sky-800">
                <Spinner className="h-4 w-4 text-sky-600" />
                {progress ?? "Working"}…
              </p>
            ) : null}
            {state === "failed" && reason ? <Alert tone="error">{reason}</Alert> : null}
            {error ? <Alert tone="error">{error}</Alert> : null}
          </div>
        </div>
        <div className="flex flex-col-reverse gap-2 border-t border-slate-100 bg-slate-50 px-6 py-4 sm:flex-row sm:justify-end sm:px-8">
          <a href="/servers" className={buttonStyles.secondary}>
            My servers
          </a>
          <button type="button" className={buttonStyles.primary} onClick={() => void start()} disabled={waiting} autoFocus>
            {waiting ? <Spinner /> : null}
            {waiting ? (state === "stopping" ? "Stopping…" : state === "deleting" ? "Deleting…" : "Starting…") : state === "failed" ? "Try again" : "Start server"}
          </button>
        </div>
      </div>
    </div>
  );
}
