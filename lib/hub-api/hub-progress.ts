import { db } from "../db/client";
import { dataEvent, eventStream } from "../http/event-stream";
import { AppError } from "../errors";
import { untilStartSettles } from "../servers/pending-starts";
import { resolveOwner } from "../servers/resolve-owner";
import type { Actor } from "../auth/actor";
import { requireUserAccess, urlBase } from "./access";
import { serverModel, type ServerState } from "./models";
import { serverTitle } from "./hub-servers";

// GET …/server/progress and …/servers/{server}/progress: JupyterHub's spawn progress event
// stream. Each event is one `data: {json}` line; the stream ends with a `ready` or `failed` event.
// Progress is read from the server's row (the runtime writes its messages there), so any replica
// can serve the stream of a start another replica runs.

export interface ProgressEvent {
  progress: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
  html_message?: string;
}

export const POLL_MS = 500;
/** JupyterHub's keepalive_interval: an empty line this often keeps proxies from closing a quiet stream. */
export const KEEPALIVE_MS = 8_000;

type Row = { id: string; name: string; state: ServerState; progress: string | null; stateReason: string | null; profile: string; startedAt: Date | null; lastActivityAt: Date | null };

function readyEvent(owner: string, row: Row): ProgressEvent {
  const url = serverModel(owner, row, urlBase()).url;
  const escaped = url.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  return { progress: 100, ready: true, message: `Server ready at ${url}`, html_message: `Server ready at <a href="${escaped}">${escaped}</a>`, url };
}

const failedEvent = (message: string): ProgressEvent => ({ progress: 100, failed: true, message });

/**
 * Checks the request (404 no such user or server, 400 not starting) before any byte is sent, then
 * returns the events as a stream.
 */
export async function progressStream(actor: Actor, ownerName: string, name: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  requireUserAccess(actor, ownerName);
  const owner = await resolveOwner(actor, ownerName);
  const select = { id: true, name: true, state: true, progress: true, stateReason: true, profile: true, startedAt: true, lastActivityAt: true } as const;
  const first = await db().server.findUnique({ where: { ownerId_name: { ownerId: owner.id, name } }, select });
  if (!first) throw new AppError("not_found", `${owner.name} has no server named '${name}'`);
  if (first.state === "stopped" || first.state === "stopping" || first.state === "deleting") {
    throw new AppError("invalid_state", `${serverTitle(owner.name, name)} is not starting. Start it with POST, then follow its progress.`);
  }
  const run = async (emit: (e: ProgressEvent) => void, stopped: AbortSignal) => {
    if (first.state === "running") return emit(readyEvent(owner.name, first));
    if (first.state === "failed") return emit(failedEvent(`Spawn failed: ${first.stateReason ?? "no reason was given"}`));
    emit({ progress: 0, message: "Server requested" });
    let last: string | null = null;
    let step = 0;
    while (!stopped.aborted) {
      const row = await db().server.findUnique({ where: { id: first.id }, select });
      if (!row || row.state === "stopped" || row.state === "stopping" || row.state === "deleting") return emit(failedEvent("Spawn cancelled"));
      if (row.state === "running") return emit(readyEvent(owner.name, row));
      if (row.state === "failed") return emit(failedEvent(`Spawn failed: ${row.stateReason ?? "no reason was given"}`));
      if (row.progress && row.progress !== last) {
        last = row.progress;
        step += 1;
        // The runtime reports steps, not percentages: each new step moves the bar, never past 90.
        emit({ progress: Math.min(90, step * 10), message: row.progress });
      }
      await untilStartSettles(first.id, POLL_MS, stopped);
    }
  };
  return eventStream(
    (write, stopped) =>
      run((e) => write(dataEvent(e)), stopped).catch(() => write(dataEvent(failedEvent("Berth could not read the server's progress. Reload to try again.")))),
    { keepalive: "\n\n", keepaliveMs: KEEPALIVE_MS, requestSignal: signal },
  );
}

