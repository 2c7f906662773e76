"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { buildQuery, explainFailure, followLaunch, isPhase, rawProviderSpec, readyUrl, type BinderEvent, type Phase } from "./launch-stream";

export interface LaunchFailure {
  text: string;
  signIn?: boolean;
  serversUrl?: string;
}

export interface LaunchState {
  running: boolean;
  phase: Phase | null;
  seen: ReadonlySet<Phase>;
  lines: string[];
  /** The latest message that is not a build log line: queue position, launch progress. */
  status: string | null;
  /** What `built` said when nothing had to be built (the commit's build existed already). */
  cacheHit: string | null;
  failure: LaunchFailure | null;
  ready: { url: string; server: string | null } | null;
  startedAt: number | null;
}

const initial: LaunchState = { running: false, phase: null, seen: new Set(), lines: [], status: null, cacheHit: null, failure: null, ready: null, startedAt: null };

const clean = (m: string | undefined) => (m ?? "").replace(/\r?\n$/, "");

/** Follows the launch event stream for one choice of server; `start` (again) begins a new attempt. */
export function useLaunch() {
  const [state, setState] = useState<LaunchState>(initial);
  const stop = useRef<(() => void) | null>(null);
  // Log lines arrive one event each; render them in batches, once per frame.
  const pending = useRef<string[]>([]);
  const frame = useRef<number | null>(null);

  const flush = useCallback(() => {
    frame.current = null;
    const add = pending.current;
    pending.current = [];
    if (add.length) setState((s) => ({ ...s, lines: s.lines.concat(add) }));
  }, []);

  const log = useCallback(
    (line: string) => {
      pending.current.push(...line.split(/\r?\n/));
      frame.current ??= requestAnimationFrame(flush);
    },
    [flush],
  );

  const onEvent = useCallback(
    (ev: BinderEvent) => {
      const phase = ev.phase;
      const message = clean(ev.message);
      if (phase === "failed") {
        const why = explainFailure(message);
        flush();
        // Berth's own reason joins the log unless the log already says it (a build's failure
        // is its last log line); the client's connection reports are too technical for it.
        const first = message.split(/\r?\n/)[0].trim();
        if (first && why.text === message.trim()) setState((s) => (s.lines.some((l) => l.includes(first)) ? s : { ...s, lines: s.lines.concat(message.split(/\r?\n/)) }));
        setState((s) => ({ ...s, running: false, failure: { ...why, serversUrl: typeof ev.servers_url === "string" ? ev.servers_url : undefined } }));
        return;
      }
      if (phase === "ready") {
        if (message) log(message);
        flush();
        const url = readyUrl(ev);
        setState((s) => ({ ...s, running: false, phase: "ready", seen: new Set(s.seen).add("ready"), ready: url ? { url, server: ev.server ?? null } : null }));
        // replace: Back from Jupyter returns to the form, not to a page that launches again.
        if (url) window.location.replace(url);
        else setState((s) => ({ ...s, failure: { text: "The server is ready, but Berth did not say where it is. Open it from My servers.", serversUrl: "/servers" } }));
        return;
      }
      if (message) log(message);
      if (phase === "unknown") {
        setState((s) => ({ ...s, status: "The connection to Berth was interrupted; reconnecting…" }));
        return;
      }
      if (!isPhase(phase)) return;
      setState((s) => ({
        ...s,
        phase,
        seen: s.seen.has(phase) ? s.seen : new Set(s.seen).add(phase),
        status: phase === "building" ? s.status : message || s.status,
        cacheHit: phase === "built" && !s.seen.has("building") ? message || "This commit was built before: no build needed." : s.cacheHit,
      }));
    },
    [flush, log],
  );

  const start = useCallback(
    (server: string | null) => {
      stop.current?.();
      pending.current = [];
      setState({ ...initial, seen: new Set(), running: true, startedAt: Date.now() });
      stop.current = followLaunch(`${rawProviderSpec()}${buildQuery(server)}`, onEvent);
    },
    [onEvent],
  );

  useEffect(
    () => () => {
      stop.current?.();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  return { state, start };
}
