import { log } from "../log";

// Server-sent events, the one way Berth writes them (the launch's BinderHub stream, JupyterHub's
// progress stream, a build's log in the console): `run` writes while the stream is open; a
// keepalive keeps proxies from closing a quiet stream; the viewer leaving (the request aborted or
// the body cancelled) aborts `run`'s signal; the stream closes when `run` ends.

export interface EventStreamOptions {
  /** What is written when nothing else was for `keepaliveMs` (a `:keepalive` comment, an empty line). */
  keepalive: string;
  keepaliveMs: number;
  /** The request's signal: the viewer leaving ends the stream. */
  requestSignal?: AbortSignal;
}

export type EventWriter = (text: string) => void;

export function eventStream(run: (write: EventWriter, signal: AbortSignal) => Promise<void>, opts: EventStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.requestSignal?.reason);
  opts.requestSignal?.addEventListener("abort", onAbort, { once: true });
  if (opts.requestSignal?.aborted) controller.abort(opts.requestSignal.reason);
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  let lastWrite = Date.now();
  const finish = () => {
    clearInterval(timer);
    opts.requestSignal?.removeEventListener("abort", onAbort);
  };
  return new ReadableStream<Uint8Array>({
    start(stream) {
      const write: EventWriter = (text) => {
        if (closed) return;
        try {
          stream.enqueue(encoder.encode(text));
          lastWrite = Date.now();
        } catch {
          closed = true;
        }
      };
      timer = setInterval(() => {
        if (Date.now() - lastWrite >= opts.keepaliveMs) write(opts.keepalive);
      }, Math.max(10, Math.floor(opts.keepaliveMs / 2)));
      void run(write, controller.signal)
        // A failure ends the stream; what the viewer should know, `run` has written itself.
        .catch((err: unknown) => log.warn("an event stream ended with an error", { error: String(err) }))
        .finally(() => {
          finish();
          if (!closed) {
            closed = true;
            stream.close();
          }
        });
    },
    cancel() {
      closed = true;
      finish();
      controller.abort();
    },
  });
}

/** One `data: {json}` event. */
export const dataEvent = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
