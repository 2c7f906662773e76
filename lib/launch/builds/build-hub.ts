import { shared } from "../../shared";

// One upstream per build per process: every viewer of a build in this process shares the one log
// stream (a build pod's log, a local build's output) and its outcome. A viewer who arrives late
// gets the lines so far first, then the live ones. The entry goes when the build ends; a later
// launch finds the image built and needs no build.

export type HubEvent = { phase: "waiting" | "building"; message: string };
export type Upstream = (push: (e: HubEvent) => void, viewers: () => number) => Promise<void>;

interface Entry {
  events: HubEvent[];
  bytes: number;
  cut: boolean;
  listeners: Set<(e: HubEvent) => void>;
  done: Promise<void>;
}

// Enough for any log a person reads in a browser; the rest is said to be cut.
const MAX_REPLAY_BYTES = 2 * 1024 * 1024;

const entries = () => shared("launch.buildHub", () => new Map<string, Entry>());

/** Builds in progress in this process (their image names). */
export function buildsFollowed(): string[] {
  return [...entries().keys()];
}

/**
 * Follows the build of `key`, starting `upstream` if this process is not following it yet.
 * `onEvent` sees the events so far, then each new one; resolves or rejects with the build.
 * Aborting `signal` only stops this viewer.
 */
export function followBuild(key: string, upstream: Upstream, onEvent: (e: HubEvent) => void, signal: AbortSignal): Promise<void> {
  const map = entries();
  let entry = map.get(key);
  if (!entry) {
    const created: Entry = { events: [], bytes: 0, cut: false, listeners: new Set(), done: Promise.resolve() };
    const push = (e: HubEvent) => {
      // Waiting messages are replaced, not kept: a late viewer needs only the current position.
      if (e.phase === "waiting") created.events = created.events.filter((x) => x.phase !== "waiting");
      if (!created.cut) {
        created.bytes += Buffer.byteLength(e.message);
        if (created.bytes > MAX_REPLAY_BYTES) {
          created.cut = true;
          created.events.push({ phase: "building", message: `… (earlier lines are not kept beyond ${MAX_REPLAY_BYTES / 1024 / 1024} MiB; the build carries on)` });
        } else created.events.push(e);
      }
      for (const l of created.listeners) l(e);
    };
    created.done = upstream(push, () => created.listeners.size).finally(() => {
      if (map.get(key) === created) map.delete(key);
    });
    // Nobody may be listening when it fails; the viewers that are get the rejection themselves.
    created.done.catch(() => undefined);
    map.set(key, created);
    entry = created;
  }
  const e = entry;
  for (const past of e.events) onEvent(past);
  e.listeners.add(onEvent);
  return new Promise<void>((resolve, reject) => {
    const leave = () => {
      e.listeners.delete(onEvent);
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      leave();
      reject(signal.reason ?? new Error("aborted"));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    e.done.then(
      () => {
        leave();
        resolve();
      },
      (err) => {
        leave();
        reject(err);
      },
    );
  });
}
