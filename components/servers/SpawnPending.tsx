"use client";

import { useCallback, useEffect, useState } from "react";
import type { ServersPage } from "@/lib/servers/list-servers";
import { Alert } from "../ui/Alert";
import { buttonStyles } from "../ui/button-styles";
import { StateBadge } from "./StateBadge";

export function SpawnPending({ user, name, label, initialState, next }: { user: string; name: string; label: string; initialState: string; next: string }) {
  const [state, setState] = useState(initialState);
  const [progress, setProgress] = useState<string | null>(null);
  const [reason, setReason] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const api = `/api/users/${encodeURIComponent(user)}`;

  const poll = useCallback(async () => {
    const res = await fetch(`${api}/servers`, { cache: "no-store" });
    if (!res.ok) return;
    const s = ((await res.json()) as ServersPage).servers.find((x) => x.name === name);
    if (!s) return;
    setState(s.state);
    setProgress(s.progress);
    setReason(s.reason);
    if (s.state === "running") window.location.assign(next);
  }, [api, name, next]);

  useEffect(() => {
    if (state !== "starting" && state !== "stopping") return;
    const t = setInterval(() => void poll(), 1000);
    return () => clearInterval(t);
  }, [state, poll]);

  async function start() {
    setError(null);
    const path = name === "" ? `${api}/server/start` : `${api}/servers/${encodeURIComponent(name)}/start`;
    const res = await fetch(path, { method: "POST" });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      setError(body.message ?? "The server could not be started.");
      return;
    }
    setState("starting");
    setProgress("Requested");
  }

  const waiting = state === "starting" || state === "stopping";
  return (
    <div className="mx-auto mt-8 max-w-lg rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex items-center gap-2">
        <h1 className="text-xl font-semibold">{label}</h1>
        <StateBadge state={state} />
      </div>
      <p className="mt-2 text-sm text-slate-600">
        {waiting ? "Please wait; you will be taken to the server when it is ready." : "This server is not running. Start it to continue where you left off; its files are kept."}
      </p>
      <div aria-live="polite" className="mt-4 space-y-3">
        {waiting ? (
          <p className="flex items-center gap-2 text-sm text-sky-800">
            <span aria-hidden="true" className="h-3 w-3 animate-spin rounded-full border-2 border-sky-300 border-t-sky-800" />
            {progress ?? "Working"}…
          </p>
        ) : null}
        {state === "failed" && reason ? <Alert tone="error">{reason}</Alert> : null}
        {error ? <Alert tone="error">{error}</Alert> : null}
      </div>
      <div className="mt-6 flex gap-2">
        <button type="button" className={buttonStyles.primary} onClick={() => void start()} disabled={waiting} autoFocus>
          Start server
        </button>
        <a href="/servers" className={buttonStyles.secondary}>
          My servers
        </a>
      </div>
    </div>
  );
}
