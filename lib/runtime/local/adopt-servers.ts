import { readFileSync } from "node:fs";
import { log } from "../../log";
import { upstreamAuthHeaders } from "../jupyter-auth/jupyter-auth";
import type { LeftServer, Recovered } from "../types";
import type { Proc } from "./jupyter-process";
import { parseRef, sameProcess, watchProcess, type ProcessRecord } from "./server-record";

// Servers survive a Berth restart (an upgrade, Ctrl-C on `npm run up`): their Jupyter runs in a
// session of its own and does not end with Berth. The next Berth process takes over those it can
// verify are still the server the database names: the recorded process (pid and start time), with
// the server's own runtime folder in its environment, answering on the recorded port to the
// server's token. Anything less and the server is ended; nothing that is not Berth's is touched.

export type Verdict = { ok: true; rec: ProcessRecord } | { ok: false; why: string };

const LOOPBACK = /^http:\/\/127\.0\.0\.1:\d+$/;

/** Whether `left` is still its recorded, answering Jupyter; `runtimeDir` is the server's runtime folder. */
export async function verifyLeftServer(left: LeftServer, runtimeDir: string): Promise<Verdict> {
  if (left.state !== "running") return { ok: false, why: `it was ${left.state === "starting" ? "still starting" : left.state}` };
  const rec = parseRef(left.ref);
  if (!rec || !left.upstream || !LOOPBACK.test(left.upstream)) return { ok: false, why: "Berth had no record of its process" };
  if (rec.startTime === undefined) return { ok: false, why: "it was started by an earlier version of Berth, which did not record enough to recognise it" };
  if (!sameProcess(rec)) return { ok: false, why: "its process had ended" };
  // The start time says it is the process Berth recorded; its environment says it is this
  // server's (a row copied or edited by hand must not hand Berth another server's process).
  let environ: string[];
  try {
    environ = readFileSync(`/proc/${rec.pid}/environ`, "utf8").split("\0");
  } catch {
    return { ok: false, why: "Berth may not inspect its process" };
  }
  if (!environ.includes(`JUPYTER_RUNTIME_DIR=${runtimeDir}`)) return { ok: false, why: "its process is not this server's" };
  try {
    const res = await fetch(`${left.upstream}${left.baseUrl}api/status`, { headers: upstreamAuthHeaders(left.token), signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    if (!res.ok) return { ok: false, why: `Jupyter answered ${res.status}` };
  } catch {
    return { ok: false, why: "Jupyter did not answer" };
  }
  return { ok: true, rec };
}

/** What the owner reads on a server that could not be taken over. */
export function notKeptReason(left: LeftServer, why: string): string {
  if (left.state === "starting") return "Berth restarted while this server was starting; its files are kept. Start it again.";
  return `Berth restarted and could not take this server over (${why}), so it was stopped; its files are kept. Start it again.`;
}

/** How the local runtime follows a server it keeps, and ends one it does not. */
export interface Recoverer {
  runtimeDir(serverId: string): string;
  adopt(serverId: string, rec: ProcessRecord): void;
  end(serverId: string): Promise<void>;
}

/** Verifies each server an earlier Berth process left, then keeps it (`adopt`) or ends it, all at once. */
export async function recoverLeft(left: LeftServer[], r: Recoverer): Promise<Recovered[]> {
  const verdicts = await Promise.all(left.map(async (s) => ({ s, v: await verifyLeftServer(s, r.runtimeDir(s.serverId)) })));
  return Promise.all(
    verdicts.map(async ({ s, v }): Promise<Recovered> => {
      if (v.ok) {
        r.adopt(s.serverId, v.rec);
        log.info("took over a server left running by an earlier Berth process", { serverId: s.serverId, pid: v.rec.pid });
        return { serverId: s.serverId, kept: true };
      }
      log.info("ending a server left by an earlier Berth process", { serverId: s.serverId, why: v.why });
      await r.end(s.serverId);
      return { serverId: s.serverId, kept: false, reason: notKeptReason(s, v.why) };
    }),
  );
}

/** How the runtime follows a Jupyter an earlier Berth process started: not its child, so polled for being alive. */
export function adoptedProc(rec: ProcessRecord, pollMs: number, releaseLimits: () => void): Proc {
  const watch = watchProcess(rec, pollMs);
  return {
    pid: rec.pid,
    rec,
    stopping: false,
    detached: false,
    exited: watch.ended,
    releaseLimits,
    stderrTail: [],
    detach: watch.cancel,
    exitInfo: () => "it was taken over after a Berth restart, so its exit status is unknown",
  };
}
