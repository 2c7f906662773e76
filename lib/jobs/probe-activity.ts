import { getUpstreamJson } from "../proxy/upstream-json";

// Asks a server's Jupyter when it was last active (GET <base>api/status: `last_activity` counts
// API requests, terminals and kernel messages without any browser traffic).
//
// A kernel busy with one long computation (`time.sleep(3 * 3600)`, a training loop that prints
// nothing) sends no message after going busy, so Jupyter's last_activity stays at the moment it
// started; `busyKernels` asks <base>api/kernels for an execution_state of "busy" so such a server
// is not taken for idle. `no_track_activity` keeps that question itself from counting as activity
// (Notebook ≥ 6.1 and Jupyter Server honour it; /api/status never counts).

export type Probe = { ok: true; lastActivity: Date | undefined; kernels: number } | { ok: false; error: string };

export async function probeActivity(statusUrl: string, token: string, timeoutMs: number): Promise<Probe> {
  const r = await getUpstreamJson(statusUrl, token, timeoutMs);
  if (!r.ok) return { ok: false, error: r.error };
  const status = (r.body ?? {}) as { last_activity?: unknown; kernels?: unknown };
  const at = status.last_activity;
  const date = typeof at === "string" ? new Date(at) : undefined;
  return { ok: true, lastActivity: date && !Number.isNaN(date.getTime()) ? date : undefined, kernels: typeof status.kernels === "number" ? status.kernels : 0 };
}

/** True when a kernel of the server is executing now; false when none is or the question fails. */
export async function busyKernels(kernelsUrl: string, token: string, timeoutMs: number): Promise<boolean> {
  const r = await getUpstreamJson(`${kernelsUrl}?no_track_activity=1`, token, timeoutMs);
  return r.ok && Array.isArray(r.body) && r.body.some((k) => (k as { execution_state?: unknown } | null)?.execution_state === "busy");
}
