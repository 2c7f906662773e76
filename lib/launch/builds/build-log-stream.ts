import { db } from "../../db/client";
import { SSE_KEEPALIVE } from "../events";

// A build's log as server-sent events for the console, from any replica: the replica that runs
// the build writes the log so far to its row every second (lib/launch/builds/ensure-built.ts),
// and this reads it back. Events: `{"append": text}` (`"reset": true` when the text must replace
// what was shown), then `{"end": outcome, "message": …}` once the build has ended.

export const LOG_POLL_MS = 1000;
const KEEPALIVE_MS = 25_000;

export type LogStreamEvent = { append: string; reset?: boolean } | { end: string; message: string | null };

export function buildLogStream(id: string, requestSignal: AbortSignal, pollMs = LOG_POLL_MS): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let stopped = false;
  return new ReadableStream<Uint8Array>({
    async start(stream) {
      const send = (text: string) => {
        if (stopped) return;
        try {
          stream.enqueue(encoder.encode(text));
        } catch {
          stopped = true;
        }
      };
      const event = (e: LogStreamEvent) => send(`data: ${JSON.stringify(e)}\n\n`);
      const onAbort = () => (stopped = true);
      requestSignal.addEventListener("abort", onAbort, { once: true });
      let shown = "";
      let lastSent = Date.now();
      try {
        while (!stopped) {
          const row = await db().build.findUnique({ where: { id }, select: { log: true, state: true, message: true, cancelRequestedAt: true } });
          if (!row) {
            event({ end: "gone", message: "This build is no longer recorded." });
            break;
          }
          if (row.log !== shown) {
            if (row.log.startsWith(shown)) event({ append: row.log.slice(shown.length) });
            else event({ append: row.log, reset: true });
            shown = row.log;
            lastSent = Date.now();
          }
          if (row.state === "built" || row.state === "failed") {
            event({ end: row.state === "failed" && row.cancelRequestedAt ? "cancelled" : row.state, message: row.message });
            break;
          }
          if (Date.now() - lastSent > KEEPALIVE_MS) {
            send(SSE_KEEPALIVE);
            lastSent = Date.now();
          }
          await new Promise((r) => setTimeout(r, pollMs));
        }
      } finally {
        requestSignal.removeEventListener("abort", onAbort);
        if (!stopped) {
          stopped = true;
          stream.close();
        }
      }
    },
    cancel() {
      stopped = true;
    },
  });
}
