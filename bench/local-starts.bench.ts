// Server starts on the local runtime: 20 default servers started at once through the JupyterHub
// REST API (POST /hub/api/users/<u>/server, then poll until ready), on the real Berth (production
// build, local runtime, run as root: each server under its own uid) and on Debian's JupyterHub 3.0
// (SimpleLocalProcessSpawner, jupyterhub-singleuser over the same Debian jupyter-notebook), and
// the bare start of the command Berth runs, 20 at once, until /api/status answers. Rounds alternate
// bare → Berth → JupyterHub so the machine's load colours all three alike.
//   npm run bench -- local-starts      (needs `npx next build` first; root for per-server uids)
import { loadavg } from "node:os";
import { db } from "../lib/db/client";
import { createToken } from "../lib/tokens/tokens";
import { HUB_ADMIN_TOKEN, startBerth, startJupyterHub, type Running } from "../test/compat/servers";
import { needJupyterHub } from "./lib/anchors";
import { withScratchBerth } from "./lib/harness";
import { percentile } from "./lib/load";
import { report, valueGoal } from "./lib/report";
import { bareStarts, hubClient, summary, type StartRound } from "./lib/starts";

const N = 20;
const ROUNDS = Number(process.env.BERTH_BENCH_START_ROUNDS ?? 2);
const USERS = Array.from({ length: N }, (_, i) => `starter${String(i).padStart(2, "0")}`);
const say = (s: string) => process.stdout.write(`${s}\n`);
const load = () => `load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`;

async function main() {
  needJupyterHub();
  await withScratchBerth("berth_bench_starts", async () => {
    const admin = await db().user.create({ data: { name: "bench-admin", isAdmin: true } });
    for (const name of USERS) await db().user.create({ data: { name } });
    const { token } = await createToken({ id: admin.id, name: admin.name, isAdmin: true }, admin.name, { note: "local-starts bench" });

    let berth: Running | undefined;
    let hub: Running | undefined;
    const bare: StartRound[] = [];
    const ours: StartRound[] = [];
    const theirs: StartRound[] = [];
    try {
      const t = Date.now();
      [berth, hub] = await Promise.all([startBerth({ databaseUrl: process.env.DATABASE_URL! }), startJupyterHub({ namedServerLimit: 0, users: USERS, extraConfig: "c.JupyterHub.log_level = 'WARN'" })]);
      say(`Berth and JupyterHub up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      const b = hubClient(berth.url, token);
      const j = hubClient(hub.url, HUB_ADMIN_TOKEN);
      for (let r = 1; r <= ROUNDS; r++) {
        say(`round ${r} (${load()})`);
        bare.push(await bareStarts(N));
        say(`  bare Jupyter  ${summary(bare.at(-1)!)}`);
        ours.push(await b.startAll(USERS));
        say(`  Berth         ${summary(ours.at(-1)!)}`);
        await b.stopAll(USERS);
        theirs.push(await j.startAll(USERS));
        say(`  JupyterHub    ${summary(theirs.at(-1)!)}`);
        await j.stopAll(USERS);
      }
    } finally {
      await Promise.all([berth?.stop(), hub?.stop()]);
    }

    const failures = [...ours, ...theirs, ...bare].reduce((n, r) => n + r.failures, 0);
    // Best round of each (the least disturbed by the other benchmarks sharing the machine).
    const best = (rs: StartRound[]) => rs.reduce((a, r) => (r.all < a.all ? r : a));
    const [bb, bo, bt] = [best(bare), best(ours), best(theirs)];
    const p95 = (r: StartRound) => percentile(r.each, 0.95);
    const overhead = p95(bo) - p95(bb);
    const hubOverhead = p95(bt) - p95(bb);
    const note = `${N} at once, best of ${ROUNDS} rounds; ${load()}; ${failures} failed starts`;
    report({
      bench: "local starts",
      figure: `${N} concurrent starts: time to all ready`,
      unit: "s",
      better: "lower",
      berth: bo.all / 1000,
      anchor: { name: "JupyterHub 3.0, SimpleLocalProcessSpawner", value: bt.all / 1000 },
      note: `${note}; bare Jupyter: ${(bb.all / 1000).toFixed(2)} s`,
    });
    report({
      bench: "local starts",
      figure: "overhead over the bare Jupyter start, p95 per server",
      unit: "ms",
      better: "lower",
      berth: Math.round(overhead),
      anchor: { name: "JupyterHub's overhead", value: Math.round(hubOverhead) },
      goal: valueGoal(overhead, "<=", 200, "≤ 200 ms"),
      note: `p95 of request→ready per server minus p95 of the bare start, same run (bare p95 ${Math.round(p95(bb))} ms, Berth ${Math.round(p95(bo))} ms, JupyterHub ${Math.round(p95(bt))} ms); ${note}`,
    });
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
