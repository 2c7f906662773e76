"use client";

import { BinderRepository, type BinderEvent } from "@jupyterhub/binderhub-client/client.js";
import { LaunchSpec } from "@jupyterhub/binderhub-client/spec.js";
import type { Phase as LaunchPhase } from "@/lib/launch/events";

export type { BinderEvent };

// The launch page talks to /build/<provider>/<spec> exactly as BinderHub's own page does, through
// BinderHub's client library. The spec is taken from the address bar as typed: Next decodes route
// parameters, and the gl and git specs depend on their %2F staying escaped.

/** The phases the progress bar shows, in order (every phase of lib/launch/events.ts but failed). */
export const PHASES = ["waiting", "fetching", "building", "built", "launching", "ready"] as const satisfies readonly Exclude<LaunchPhase, "failed">[];
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Record<Phase, string> = {
  waiting: "Waiting",
  fetching: "Fetching",
  building: "Building",
  built: "Built",
  launching: "Launching",
  ready: "Ready",
};

export const isPhase = (p: unknown): p is Phase => (PHASES as readonly string[]).includes(p as string);

/** provider/spec as written in the address bar, without the leading /v2/. */
export function rawProviderSpec(): string {
  return window.location.pathname.replace(/^\/v2\//, "");
}

/** The spec part of the address (after /v2/<provider>/), still escaped. */
export function rawSpec(): { provider: string; spec: string } {
  const rest = rawProviderSpec();
  const slash = rest.indexOf("/");
  return slash < 0 ? { provider: rest, spec: "" } : { provider: rest.slice(0, slash), spec: rest.slice(slash + 1) };
}

/**
 * The query for /build: the page's own (labpath, filepath, urlpath…), with `server` set to the
 * chosen server ("" is the default server) or removed (null: Berth picks one).
 */
export function buildQuery(server: string | null): string {
  const q = new URLSearchParams(window.location.search);
  if (server === null) q.delete("server");
  else q.set("server", server);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Where to go once ready: Berth's open_url, else the server's URL plus the launch path. */
export function readyUrl(ev: BinderEvent): string | null {
  if (ev.open_url) return ev.open_url;
  if (!ev.url) return null;
  const spec = LaunchSpec.fromSearchParams(new URLSearchParams(window.location.search));
  const u = spec.getJupyterServerRedirectUrl(new URL(ev.url, window.location.origin), ev.token ?? "");
  // Berth's session authenticates; an empty token parameter would only clutter the address.
  if (!ev.token) u.searchParams.delete("token");
  return u.toString();
}

// The client reports its own connection problems as `failed` events with technical wording.
export function explainFailure(message: string): { text: string; signIn?: boolean } {
  const m = message.trim();
  const status = /^Failed to connect to event stream: (\d{3})/.exec(m)?.[1];
  if (status === "401") return { text: "Your session has ended. Sign in again, then the launch continues.", signIn: true };
  if (status === "403") return { text: "Berth refused this launch (you may not launch into that server). Go back to the launch form and choose another server." };
  if (status) return { text: `Berth could not start this launch (HTTP ${status}). Try again in a moment.` };
  if (m.startsWith("Event stream closed unexpectedly")) {
    return { text: "The connection to Berth closed before the server was ready. Try again: a build that was running carries on, and the new attempt picks it up." };
  }
  if (m.startsWith("Error in event stream")) return { text: "The connection to Berth failed. Check your network connection, then try again." };
  return { text: m || "The launch failed. Try again." };
}

/**
 * Follows one launch. `onEvent` gets every event; the stream is closed after ready or failed
 * (the client would otherwise report the server's normal end of stream as a failure). Returns a
 * function that stops following (the build itself carries on).
 */
export function followLaunch(providerSpecWithQuery: string, onEvent: (ev: BinderEvent) => void): () => void {
  const repo = new BinderRepository(providerSpecWithQuery, new URL("/build/", window.location.origin));
  let stopped = false;
  void (async () => {
    try {
      for await (const ev of repo.fetch()) {
        if (stopped) break;
        onEvent(ev);
        if (ev.phase === "ready" || ev.phase === "failed") break;
      }
    } catch (err) {
      if (!stopped) onEvent({ phase: "failed", message: `Error in event stream: ${String(err)}` });
    } finally {
      stopped = true;
      repo.close();
    }
  })();
  return () => {
    stopped = true;
    repo.close();
  };
}
