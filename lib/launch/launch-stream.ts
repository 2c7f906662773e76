import { eventStream } from "../http/event-stream";
import type { Actor } from "../auth/actor";
import { SSE_KEEPALIVE, sseEvent, type LaunchEvent } from "./events";
import { launchRepository, type LaunchOptions } from "./launch-repository";

// The launch as a server-sent event stream. The stream ends after `ready` or `failed`; a
// `:keepalive` comment keeps proxies from closing a quiet stream (a long pip install). The viewer
// leaving stops only this stream: a build it started carries on for whoever launches next.

export const KEEPALIVE_MS = 25_000;

export function launchStream(actor: Actor, provider: string, spec: string, opts: LaunchOptions, requestSignal: AbortSignal, keepaliveMs = KEEPALIVE_MS): ReadableStream<Uint8Array> {
  return eventStream((write, signal) => launchRepository(actor, provider, spec, opts, (e: LaunchEvent) => write(sseEvent(e)), signal), {
    keepalive: SSE_KEEPALIVE,
    keepaliveMs,
    requestSignal,
  });
}

/** Reads the launch's own query parameters (BinderHub's names). */
export function launchOptions(params: URLSearchParams): LaunchOptions {
  return {
    server: params.has("server") ? (params.get("server") ?? "") : undefined,
    open: { labpath: params.get("labpath") ?? undefined, filepath: params.get("filepath") ?? undefined, urlpath: params.get("urlpath") ?? undefined },
    buildOnly: params.get("build_only") === "true",
  };
}
