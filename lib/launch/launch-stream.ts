import type { Actor } from "../servers/types";
import { SSE_KEEPALIVE, sseEvent, type LaunchEvent } from "./events";
import { launchRepository, type LaunchOptions } from "./launch-repository";

// The launch as a server-sent event stream. The stream ends after `ready` or `failed`; a
// `:keepalive` comment keeps proxies from closing a quiet stream (a long pip install). The viewer
// leaving stops only this stream: a build it started carries on for whoever launches next.

export const KEEPALIVE_MS = 25_000;

export function launchStream(actor: Actor, provider: string, spec: string, opts: LaunchOptions, requestSignal: AbortSignal, keepaliveMs = KEEPALIVE_MS): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const controller = new AbortController();
  const onAbort = () => controller.abort(requestSignal.reason);
  requestSignal.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  return new ReadableStream<Uint8Array>({
    start(stream) {
      const write = (text: string) => {
        if (closed) return;
        try {
          stream.enqueue(encoder.encode(text));
        } catch {
          closed = true;
        }
      };
      timer = setInterval(() => write(SSE_KEEPALIVE), keepaliveMs);
      const emit = (e: LaunchEvent) => write(sseEvent(e));
      void launchRepository(actor, provider, spec, opts, emit, controller.signal).finally(() => {
        clearInterval(timer);
        requestSignal.removeEventListener("abort", onAbort);
        if (!closed) {
          closed = true;
          stream.close();
        }
      });
    },
    cancel() {
      closed = true;
      clearInterval(timer);
      controller.abort();
    },
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
