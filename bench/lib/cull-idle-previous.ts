import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import { log } from "../../lib/log";
import { upstreamAuthHeaders } from "../../lib/runtime/jupyter-auth/jupyter-auth";
import { stopServer } from "../../lib/servers/stop-server";
import { SYSTEM } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";

// The idle culler as it was before issue 11 (lib/jobs/cull-idle.ts at c2b5f42), unchanged but for
// its import paths and name: the anchor of bench/db-scale.bench.ts (one server after another).
//
// Stops servers idle longer than the policy allows (storage kept). Idle means no traffic through
// the proxy AND nothing Jupyter itself counts as activity (a kernel busy with a long run).
export async function cullIdlePrevious(now = new Date()): Promise<string[]> {
  const idleMs = config().policy.idleTimeoutSeconds * 1000;
  if (idleMs <= 0) return [];
  const cutoff = new Date(now.getTime() - idleMs);
  const candidates = await db().server.findMany({
    where: { state: "running", OR: [{ lastActivityAt: { lt: cutoff } }, { lastActivityAt: null, startedAt: { lt: cutoff } }] },
    include: { owner: true },
  });
  const culled: string[] = [];
  for (const s of candidates) {
    const jupyterActivity = s.upstream ? await upstreamActivity(s.upstream + serverBaseUrl(s.owner.name, s.name), s.token) : undefined;
    if (jupyterActivity && jupyterActivity > cutoff) {
      await db().server.update({ where: { id: s.id }, data: { lastActivityAt: jupyterActivity } });
      continue;
    }
    try {
      await stopServer(SYSTEM, s.owner.name, s.name, "idle");
      culled.push(`${s.owner.name}/${s.name}`);
      log.info("stopped an idle server", { user: s.owner.name, server: s.name });
    } catch (err) {
      log.warn("could not stop an idle server", { user: s.owner.name, server: s.name, error: String(err) });
    }
  }
  return culled;
}

async function upstreamActivity(serverUrl: string, token: string): Promise<Date | undefined> {
  try {
    const res = await fetch(`${serverUrl}api/status`, { headers: upstreamAuthHeaders(token), signal: AbortSignal.timeout(5000) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { last_activity?: string };
    return body.last_activity ? new Date(body.last_activity) : undefined;
  } catch {
    return undefined;
  }
}
