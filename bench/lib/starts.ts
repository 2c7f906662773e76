import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { freePort } from "../../test/helpers";
import { installJupyterAuth, SECRET_ENV, upstreamAuthHeaders } from "../../lib/runtime/jupyter-auth/jupyter-auth";
import { jupyterArgs, resolveJupyterCommand, type JupyterCommand } from "../../lib/runtime/local/jupyter-command";
import { percentile } from "./load";
import { sseEvents } from "./sse";

// What the start benchmarks share: the bare Jupyter start (the command Berth's local runtime runs,
// started directly, as Berth would start it: own uid when root, the same environment and
// arguments), and a JupyterHub-REST-API client that starts a user's default server and waits until
// the hub says it is ready — used for both Berth and JupyterHub, so both are measured alike.

/** How often every waiter here asks "ready yet?" (the same for the bare start and both hubs). */
export const POLL_MS = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartRound {
  /** Per server, ms from its start request to ready, sorted. */
  each: number[];
  /** ms from the first request to the last server ready. */
  all: number;
  failures: number;
  firstError?: string;
}

export const summary = (r: StartRound) => `all ready in ${(r.all / 1000).toFixed(2)} s, per server p50 ${(percentile(r.each, 0.5) / 1000).toFixed(2)} s p95 ${(percentile(r.each, 0.95) / 1000).toFixed(2)} s${r.failures ? `, ${r.failures} failed (${r.firstError})` : ""}`;

async function round(n: number, one: (i: number) => Promise<void>): Promise<StartRound> {
  const each: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const t = performance.now();
      try {
        await one(i);
        each.push(performance.now() - t);
      } catch (err) {
        failures++;
        firstError ??= (err as Error).message;
      }
    }),
  );
  each.sort((a, b) => a - b);
  return { each, all: performance.now() - t0, failures, firstError };
}

/** `n` bare Jupyters at once, each until its /api/status answers; stopped (process group) after. */
export async function bareStarts(n: number, opts: { uidBase?: number; command?: JupyterCommand; envDir?: string } = {}): Promise<StartRound> {
  const dir = mkdtempSync(path.join(tmpdir(), "berth-bench-bare-"));
  chmodSync(dir, 0o711);
  const children: ChildProcess[] = [];
  const hostPath = process.env.PATH ?? "/usr/bin:/bin";
  const cmd = opts.command ?? resolveJupyterCommand(undefined, hostPath);
  const authPath = installJupyterAuth(dir);
  const asRoot = process.getuid?.() === 0;
  try {
    return await round(n, async (i) => {
      const home = path.join(dir, `w${i}`);
      const runtimeDir = path.join(dir, `r${i}`);
      const uid = asRoot ? (opts.uidBase ?? 1_950_000_000) + i : undefined;
      for (const d of [home, runtimeDir]) {
        mkdirSync(d, { mode: 0o700 });
        if (uid !== undefined) chownSync(d, uid, uid);
      }
      const port = await freePort();
      const baseUrl = `/user/bare${i}/`;
      const secret = `bare-secret-${i}-0123456789abcdef`;
      const argv = jupyterArgs(cmd, { port, baseUrl, root: home });
      const child = spawn(argv[0], argv.slice(1), {
        cwd: home,
        detached: true,
        stdio: "ignore",
        ...(uid !== undefined ? { uid, gid: uid } : {}),
        env: { PATH: opts.envDir ? `${opts.envDir}/bin:${hostPath}` : hostPath, ...(opts.envDir ? { VIRTUAL_ENV: opts.envDir } : {}), LANG: "C.UTF-8", HOME: home, [SECRET_ENV]: secret, PYTHONPATH: authPath, JUPYTER_RUNTIME_DIR: runtimeDir, PYTHONUNBUFFERED: "1" } as unknown as NodeJS.ProcessEnv,
      });
      children.push(child);
      let exited = false;
      child.on("exit", () => (exited = true));
      const url = `http://127.0.0.1:${port}${baseUrl}api/status`;
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (exited) throw new Error("bare Jupyter exited while starting");
        if (Date.now() > deadline) throw new Error("bare Jupyter did not answer in 120 s");
        try {
          if ((await fetch(url, { headers: upstreamAuthHeaders(secret) })).ok) return;
        } catch {
          // not listening yet
        }
        await sleep(POLL_MS);
      }
    });
  } finally {
    for (const c of children) {
      try {
        process.kill(-c.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A JupyterHub REST API (JupyterHub's own, or Berth's /hub/api) reached with one admin token. */
export function hubClient(url: string, token: string) {
  const call = (method: string, p: string) => fetch(`${url}/hub/api${p}`, { method, headers: { Authorization: `token ${token}` } });
  const serverOf = async (user: string) => {
    const res = await call("GET", `/users/${user}`);
    if (!res.ok) throw new Error(`GET /users/${user}: ${res.status}`);
    const body = (await res.json()) as { servers?: Record<string, { ready?: boolean; pending?: string | null }> };
    return body.servers?.[""];
  };
  return {
    /**
     * POST …/server; a 202 (still starting after the hub's slow_spawn_timeout) is followed on the
     * progress event stream until its `ready` event, as JupyterHub's spawn page follows a start.
     */
    async start(user: string): Promise<void> {
      const res = await call("POST", `/users/${user}/server`);
      if (res.status === 201) return;
      if (res.status !== 202) throw new Error(`POST /users/${user}/server: ${res.status} ${(await res.text()).slice(0, 200)}`);
      const progress = await fetch(`${url}/hub/api/users/${user}/server/progress`, { headers: { Authorization: `token ${token}`, Accept: "text/event-stream" }, signal: AbortSignal.timeout(120_000) });
      if (!progress.ok || !progress.body) throw new Error(`GET /users/${user}/server/progress: ${progress.status}`);
      for await (const e of sseEvents<{ ready?: boolean; failed?: boolean; message?: string }>(progress.body)) {
        if (e.ready) return;
        if (e.failed) throw new Error(`${user}'s server failed: ${e.message}`);
      }
      // The stream ended without `ready`: ask once more (a hub may close it at ready).
      if (!(await serverOf(user))?.ready) throw new Error(`${user}'s progress stream ended before ready`);
    },
    /** DELETE …/server, then polls until it is gone. */
    async stop(user: string): Promise<void> {
      const res = await call("DELETE", `/users/${user}/server`);
      if (![202, 204].includes(res.status)) throw new Error(`DELETE /users/${user}/server: ${res.status}`);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const s = await serverOf(user);
        if (!s || (!s.pending && !s.ready)) return;
        await sleep(100);
      }
    },
    startAll: (users: string[]) => round(users.length, (i) => hubClient(url, token).start(users[i])),
    stopAll: (users: string[]) => Promise.all(users.map((u) => hubClient(url, token).stop(u))),
  };
}
