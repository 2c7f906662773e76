import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { freePort } from "../test/helpers";
import { createDatabase, dropDatabase } from "../test/helpers/pg";
import { ROOT, startJupyterHub } from "../test/compat/servers";
import { needJupyterHub } from "./lib/anchors";
import { percentile } from "./lib/load";
import { ratioGoal, report, valueGoal } from "./lib/report";

// Berth's own start-up on a built checkout (`next build` done): from spawning the production start
// command to the first 200 from /health, with an external PostgreSQL (a scratch database: the
// first start applies every migration, later ones find none) and with the embedded database
// (PGlite under BERTH_DATA_DIR, no DATABASE_URL: the first start creates it, later ones reuse it).
// Each start's own step timings (Berth logs them with "Berth is listening") are printed, so the
// figure says where the time goes. Anchor, same run: Debian's JupyterHub 3.0 from spawn to
// answering /hub/api (with its configurable-http-proxy; sqlite).

const RUNS = Number(process.env.BERTH_BENCH_STARTUP_RUNS ?? 2);
const POLL_MS = 20;

interface Start {
  ms: number;
  steps?: Record<string, number>;
}

/** The commands a production start runs (see package.json "start" and scripts/up.mjs). */
const COMMANDS: Record<string, string[]> = {
  "npm start (node scripts/start.mjs)": [process.execPath, "scripts/start.mjs"],
  // How Berth used to start (and `npm run dev` still does, without --dev here): tsx transpiling
  // server.ts and lib/ at every start.
  "tsx server.ts": ["npx", "tsx", "server.ts"],
};

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy());
  });
}

async function startOnce(command: string[], env: Record<string, string | undefined>): Promise<Start> {
  const port = await freePort();
  let out = "";
  const t0 = performance.now();
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), BERTH_HOST: "127.0.0.1", BERTH_PUBLIC_URL: `http://127.0.0.1:${port}`, BERTH_LOG_LEVEL: "info", ...env },
  });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  let exited = false;
  child.on("exit", () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`Berth exited during start-up:\n${out.slice(-2000)}`);
      if (performance.now() - t0 > 180_000) throw new Error(`Berth did not answer /health within 180 s:\n${out.slice(-2000)}`);
      if ((await get(`http://127.0.0.1:${port}/health`)) === 200) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const ms = performance.now() - t0;
    const line = out.split("\n").find((l) => l.includes('"Berth is listening"'));
    const steps = line ? (JSON.parse(line) as { startupMs?: Record<string, number> }).startupMs : undefined;
    return { ms, steps };
  } finally {
    const gone = new Promise<void>((r) => (exited ? r() : child.once("exit", () => r())));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, 30_000);
    await gone;
    clearTimeout(timer);
    // Let the group's last processes (Berth under npx and tsx) finish closing the database.
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(-child.pid!, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const fmtSteps = (s?: Record<string, number>) => (s ? Object.entries(s).map(([k, v]) => `${k} ${v}`).join(", ") : "no step timings logged");
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);

async function series(label: string, command: string[], env: Record<string, string | undefined>): Promise<{ first: Start; later: Start[] }> {
  const first = await startOnce(command, env);
  process.stdout.write(`${label}, first start: ${(first.ms / 1000).toFixed(2)} s (ms: ${fmtSteps(first.steps)})\n`);
  const later: Start[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await startOnce(command, env);
    later.push(s);
    process.stdout.write(`${label}, later start ${i + 1}: ${(s.ms / 1000).toFixed(2)} s (ms: ${fmtSteps(s.steps)})\n`);
  }
  return { first, later };
}

async function main() {
  needJupyterHub();
  const hubMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const hub = await startJupyterHub({ namedServerLimit: 0, users: "any" });
    hubMs.push(performance.now() - t);
    await hub.stop();
    process.stdout.write(`JupyterHub 3.0 start ${i + 1}: ${(hubMs[i] / 1000).toFixed(2)} s\n`);
  }
  const anchor = { name: "JupyterHub 3.0 to /hub/api", value: median(hubMs) / 1000 };

  for (const [name, command] of Object.entries(COMMANDS)) {
    const scratch = await createDatabase("berth_bench_startup");
    const dir = mkdtempSync(path.join(tmpdir(), "berth-startup-"));
    chmodSync(dir, 0o711);
    try {
      const base = { BERTH_CGROUP_ROOT: path.join(dir, "no-cgroups") };
      const ext = await series(`${name}, external PostgreSQL`, command, { ...base, DATABASE_URL: scratch.url, BERTH_DATA_DIR: path.join(dir, "ext") });
      const emb = await series(`${name}, embedded database`, command, { ...base, DATABASE_URL: undefined, BERTH_DATA_DIR: path.join(dir, "emb") });
      const cases: [string, Start[]][] = [
        ["external PostgreSQL", ext.later],
        ["external PostgreSQL, first start (migrations)", [ext.first]],
        ["embedded database", emb.later],
        ["embedded database, first start (creates it)", [emb.first]],
      ];
      for (const [what, starts] of cases) {
        const s = median(starts.map((x) => x.ms)) / 1000;
        const f = { berth: s, anchor };
        const three = valueGoal(s, "<=", 3, "")!;
        report({
          bench: "start-up",
          figure: `${name} to /health, ${what}`,
          unit: "s",
          better: "lower",
          ...f,
          goal: { text: "≤ 3 s to serve /health", met: three.met },
          note: `${starts.length > 1 ? `median of ${starts.length}; ` : ""}steps (ms, from Berth's log): ${fmtSteps(starts[Math.floor(starts.length / 2)]?.steps)}${ratioGoal(f, "<=", 1, "")?.met ? "" : "; slower than JupyterHub"}`,
        });
      }
    } finally {
      await dropDatabase(scratch.name).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
