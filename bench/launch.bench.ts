// Launching a repository on the real Berth (production build, local runtime) the way the launch
// page's click does: GET /build/git/<url>/<ref> (the BinderHub event stream, here with an API token
// as binderhub-client's apiToken sends it) until the `ready` event. Repositories come from a real
// `git http-backend` on loopback (test/doubles/git-server.ts).
//   (a) cache hit, server already running: request → ready
//   (b) cache hit that starts the server: request → ready, against the bare start of the same
//       Jupyter command on the same built environment, alternated in the same run
//   (c) a build of a repository whose requirements.txt is comments only (a new commit each run),
//       against the bare `python -m venv` + `ipykernel install` it replaces, in the same run
//   npm run bench -- launch        (needs `npx next build` first)
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { db } from "../lib/db/client";
import { buildPython } from "../lib/runtime/local/build/build-local";
import { createToken } from "../lib/tokens/tokens";
import { startGitServer } from "../test/doubles/git-server";
import { startBerth, type Running } from "../test/compat/servers";
import { needJupyterHub } from "./lib/anchors";
import { withScratchBerth } from "./lib/harness";
import { percentile } from "./lib/load";
import { report, valueGoal, type Figure } from "./lib/report";
import { bareStarts, hubClient } from "./lib/starts";
import { sseEvents } from "./lib/sse";

const RUNS_A = 20;
const RUNS_B = Number(process.env.BERTH_BENCH_LAUNCH_START_RUNS ?? 5);
const RUNS_C = Number(process.env.BERTH_BENCH_LAUNCH_BUILD_RUNS ?? 5);
const say = (s: string) => process.stdout.write(`${s}\n`);
const load = () => `load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`;

interface Launch {
  ms: number;
  phases: string[];
}

/** One launch through the event stream; resolves at `ready`, throws at `failed`. */
export async function launch(berth: string, token: string, repoUrl: string, query = ""): Promise<Launch> {
  const t = performance.now();
  const res = await fetch(`${berth}/build/git/${encodeURIComponent(repoUrl)}/main?server=${query ? `&${query.slice(1)}` : ""}`, { headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" }, signal: AbortSignal.timeout(180_000) });
  if (!res.ok || !res.body) throw new Error(`/build: ${res.status} ${await res.text()}`);
  const phases: string[] = [];
  for await (const e of sseEvents<{ phase: string; message?: string }>(res.body)) {
    if (phases.at(-1) !== e.phase) phases.push(e.phase);
    if (e.phase === "failed") throw new Error(`launch failed: ${e.message}`);
    if (e.phase === "ready") return { ms: performance.now() - t, phases };
  }
  throw new Error(`the stream ended after ${phases.join(" → ")}`);
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

async function main() {
  needJupyterHub();
  const git = await startGitServer();
  const scratch = mkdtempSync(path.join(tmpdir(), "berth-bench-launch-"));
  await withScratchBerth("berth_bench_launch", async () => {
    const user = await db().user.create({ data: { name: "launcher" } });
    const admin = await db().user.create({ data: { name: "bench-admin", isAdmin: true } });
    const { token } = await createToken({ id: user.id, name: user.name, isAdmin: false }, user.name, { note: "launch bench" });
    const { token: adminToken } = await createToken({ id: admin.id, name: admin.name, isAdmin: true }, admin.name, { note: "launch bench" });
    await git.createRepo("bench/empty-reqs", { "requirements.txt": "# nothing to install\n\n", "README.md": "hello\n" });
    const repo = git.repoUrl("bench/empty-reqs");
    let berth: Running | undefined;
    try {
      berth = await startBerth({ databaseUrl: process.env.DATABASE_URL!, env: { BERTH_LAUNCH_ALLOWED_HOSTS: "127.0.0.1", BERTH_LOG_LEVEL: "error" } });
      const hub = hubClient(berth.url, adminToken);
      const dataDir = path.join(berth.dir, "data");

      // The first launch on a fresh Berth: builds (and prepares the base environment) and starts.
      say(`(${load()})`);
      const first = await launch(berth.url, token, repo);
      say(`first launch (build + base environment + start): ${(first.ms / 1000).toFixed(2)} s  ${first.phases.join(" → ")}`);

      // (a) cache hit, the server runs this commit already; alternated with the Git server's ref
      // advertisement alone (what resolving the ref costs each launch, here a CGI process per request).
      const a: number[] = [];
      const refs: number[] = [];
      for (let i = 0; i < RUNS_A; i++) {
        a.push((await launch(berth.url, token, repo)).ms);
        const t = performance.now();
        await (await fetch(`${repo}/info/refs?service=git-upload-pack`)).arrayBuffer();
        refs.push(performance.now() - t);
      }
      const [as, rs] = [sorted(a), sorted(refs)];
      say(`(a) running server: p50 ${percentile(as, 0.5).toFixed(0)} ms p95 ${percentile(as, 0.95).toFixed(0)} ms (${load()})`);

      // (b) cache hit that starts the server, alternated with the bare start of the same command.
      const commit = (await git.revParse("bench/empty-reqs", "main")).trim();
      const envDir = path.join(dataDir, "builds", commit, "env");
      const command = { argv: [path.join(envDir, "bin", "python"), "-m", "notebook"], app: "NotebookApp" as const };
      const b: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < RUNS_B; i++) {
        await hub.stop(user.name);
        b.push((await launch(berth.url, token, repo)).ms);
        bare.push((await bareStarts(1, { command, envDir })).all);
      }
      const [bs, bares] = [sorted(b), sorted(bare)];
      say(`(b) with a start: p50 ${percentile(bs, 0.5).toFixed(0)} ms, bare start p50 ${percentile(bares, 0.5).toFixed(0)} ms (${load()})`);

      // (c) builds of a comments-only requirements.txt: a new commit each time, build_only.
      const builds: number[] = [];
      const anchors: number[] = [];
      const python = buildPython({ localBuild: { python: undefined } as never, hostEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: undefined } });
      for (let i = 0; i < RUNS_C; i++) {
        await git.addCommit("bench/empty-reqs", { "README.md": `run ${i}\n` });
        builds.push((await launch(berth.url, token, repo, "?build_only=true")).ms);
        const env = path.join(scratch, `venv${i}`);
        const t = performance.now();
        execFileSync(python, ["-m", "venv", "--system-site-packages", "--without-pip", "--", env]);
        execFileSync(path.join(env, "bin", "python"), ["-m", "ipykernel", "install", "--prefix", env, "--name", "python3", "--display-name", "Python 3 (ipykernel)"], { stdio: "ignore", env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1", HOME: scratch } });
        anchors.push(performance.now() - t);
      }
      const [cs, ans] = [sorted(builds), sorted(anchors)];
      say(`(c) comments-only build: p50 ${percentile(cs, 0.5).toFixed(0)} ms, venv + kernelspec alone p50 ${percentile(ans, 0.5).toFixed(0)} ms (${load()})`);

      const when = load();
      const figure = (f: Omit<Figure, "bench" | "unit" | "better">) => report({ bench: "launch", unit: "ms", better: "lower", ...f });
      figure({
        figure: "cache hit, server running: request → ready, p95",
        berth: Math.round(percentile(as, 0.95)),
        anchor: { name: "the Git server's ref advertisement alone", value: Math.round(percentile(rs, 0.95)) },
        goal: valueGoal(percentile(as, 0.95), "<=", 300, "≤ 300 ms"),
        note: `${RUNS_A} launches through /build, each resolving the ref against git http-backend on loopback (p50 ${Math.round(percentile(rs, 0.5))} ms of it alone); launch p50 ${Math.round(percentile(as, 0.5))} ms; ${when}`,
      });
      const overhead = percentile(bs, 0.5) - percentile(bares, 0.5);
      figure({
        figure: "cache hit with a server start: request → ready, median",
        berth: Math.round(percentile(bs, 0.5)),
        anchor: { name: "bare start of the same Jupyter", value: Math.round(percentile(bares, 0.5)) },
        goal: valueGoal(overhead, "<=", 500, "overhead ≤ 500 ms"),
        note: `overhead ${Math.round(overhead)} ms (medians of ${RUNS_B} alternated runs; p95 ${Math.round(percentile(bs, 0.95))} vs ${Math.round(percentile(bares, 0.95))} ms); ${when}`,
      });
      figure({
        figure: "build of a comments-only requirements.txt: request → ready (build_only), median",
        berth: Math.round(percentile(cs, 0.5)),
        anchor: { name: "python -m venv + ipykernel install alone", value: Math.round(percentile(ans, 0.5)) },
        goal: valueGoal(percentile(cs, 0.5), "<=", 3000, "≤ 3 s"),
        note: `a new commit each of ${RUNS_C} runs: ref resolution, git fetch, copy of the base environment, no pip; the anchor is the two steps a build ran before this change (before: ~20 s with the pip run of nothing); first launch on a fresh Berth (base environment made, then a start) ${(first.ms / 1000).toFixed(1)} s; ${when}`,
      });
    } finally {
      await berth?.stop();
    }
  }).finally(async () => {
    await git.close();
    rmSync(scratch, { recursive: true, force: true });
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
