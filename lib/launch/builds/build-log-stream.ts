import { db } from "../../db/client";
import { dataEvent, eventStream } from "../../http/event-stream";
import { SSE_KEEPALIVE } from "../events";

// A build's log as server-sent events for the console, from any replica: the replica that runs
// the build writes the log so far to its row every second (lib/launch/builds/ensure-built.ts),
// and this reads it back. Events: `{"append": text}` (`"reset": true` when the text must replace
// what was shown), then `{"end": outcome, "message": …}` once the build has ended.

export const LOG_POLL_MS = 1000;
const KEEPALIVE_MS = 25_000;

export type LogStreamEvent = { append: string; reset?: boolean } | { end: string; message: string | null };

export function buildLogStream(id: string, requestSignal: AbortSignal, pollMs = LOG_POLL_MS): ReadableStream<Uint8Array> {
  return eventStream(
    async (write, stopped) => {
      const event = (e: LogStreamEvent) => write(dataEvent(e));
      let shown = "";
      while (!stopped.aborted) {
        const row = await db().build.findUnique({ where: { id }, select: { log: true, state: true, message: true, cancelRequestedAt: true } });
        if (!row) return event({ end: "gone", message: "This build is no longer recorded." });
        if (row.log !== shown) {
          if (row.log.startsWith(shown)) event({ append: row.log.slice(shown.length) });
          else event({ append: row.log, reset: true });
          shown = row.log;
        }
        if (row.state === "built" || row.state === "failed") {
          return event({ end: row.state === "failed" && row.cancelRequestedAt ? "cancelled" : row.state, message: row.message });
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    { keepalive: SSE_KEEPALIVE, keepaliveMs: KEEPALIVE_MS, requestSignal },
  );
}
