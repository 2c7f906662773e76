import { randomBytes } from "node:crypto";
import { listAllServers } from "../lib/admin/list-all-servers";
import { parseServersQuery } from "../lib/admin/servers-query";
import { closeDb, connectDatabase, db } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { SYSTEM } from "../lib/auth/actor";
import { admin, RUNS, time, WARMUP, withDb, ADMIN_URL } from "./lib/harness";
import { report, valueGoal } from "./lib/report";

// The console's Servers list at the scale: 10,000 users and 60,000 servers (six each:
// about one in seven running, a few failed, starting or stopping; activity spread over two days;
// two profiles) in a scratch database on the local PostgreSQL (BERTH_BENCH_PG_URL, default
// postgres@127.0.0.1:5432 with trust auth), created and dropped here. Times listAllServers — what
// the page, GET /api/admin/servers and `berth server list` run — for the first page, a state
// filter, an owner filter, "idle for more than N", a sort by last activity and deep pages, against
// anchors measured in the same run: a plain `SELECT count(*) FROM servers` and fetching 50 servers
// with no filter, sort or join. Storage use is left out: it comes from the runtime (a folder walk
// or the cluster) for the 50 rows on the page only, not from the database.

const USERS = 10_000;
const SERVERS_EACH = 6;

const CASES: [string, Record<string, string>][] = [
  ["first page (by owner)", {}],
  ["state = running", { state: "running" }],
  ["owner contains \"user012\" (100 users)", { owner: "user012" }],
  ["owner contains \"9\" (half the users)", { owner: "9" }],
  ["idle for more than 60 min", { idle: "60" }],
  ["profile = large, state = stopped", { profile: "large", state: "stopped" }],
  ["sort by last activity", { sort: "lastActivity" }],
  ["sort by started, page 100", { sort: "started", page: "100" }],
  ["deep page (page 1,000 by owner)", { page: "1000" }],
  ["last page (page 1,200 by owner)", { page: "1200" }],
];

async function main() {
  const name = `berth_bench_servers_${randomBytes(4).toString("hex")}`;
  const url = withDb(ADMIN_URL, name);
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  try {
    await applyMigrations(url);
    const seeding = performance.now();
    await admin(async (c) => {
      await c.query(`
        INSERT INTO users (id, name, created_at, updated_at)
        SELECT gen_random_uuid(), 'user' || lpad(i::text, 5, '0'), now(), now() FROM generate_series(1, ${USERS}) AS i`);
      await c.query(`
        INSERT INTO servers (id, owner_id, name, profile, state, state_reason, token, started_at, last_activity_at, launch_provider, launch_spec, launch_commit, created_at, updated_at)
        SELECT gen_random_uuid(), t.id, CASE WHEN s = 0 THEN '' ELSE 's' || s END,
               CASE WHEN r2 < 0.2 THEN 'large' ELSE 'default' END,
               st::"ServerState",
               CASE WHEN st = 'failed' THEN 'Jupyter exited while starting' END,
               'x',
               CASE WHEN st IN ('running', 'stopping') THEN now() - make_interval(mins => (r2 * 2880)::int) END,
               CASE WHEN r2 < 0.9 THEN now() - make_interval(mins => (r * 2880)::int) END,
               CASE WHEN s % 2 = 1 THEN 'gh' END, CASE WHEN s % 2 = 1 THEN 'org/repo' || s || '/HEAD' END, CASE WHEN s % 2 = 1 THEN md5(t.name || s) END,
               now(), now()
        FROM (SELECT u.id, u.name, s, r, r2,
                     CASE WHEN r < 0.14 THEN 'running' WHEN r < 0.15 THEN 'failed' WHEN r < 0.155 THEN 'starting' WHEN r < 0.16 THEN 'stopping' ELSE 'stopped' END AS st
              FROM (SELECT u.id, u.name, s, random() AS r, random() AS r2 FROM users u CROSS JOIN generate_series(0, ${SERVERS_EACH - 1}) AS s) AS u) AS t`);
      await c.query("ANALYZE");
    }, url);
    const counts = await admin((c) => c.query<{ users: string; servers: string }>("SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM servers) AS servers"), url);
    process.stdout.write(`Seeded ${counts.rows[0].users} users and ${counts.rows[0].servers} servers in ${Math.round(performance.now() - seeding)} ms.\n\n`);

    connectDatabase(url, { embedded: false });
    const rows: [string, { median: number; p95: number }, string][] = [];
    rows.push(["anchor: SELECT count(*) FROM servers", await time(() => db().$queryRaw`SELECT count(*) FROM servers`), ""]);
    rows.push(["anchor: 50 servers, no filter/sort/join", await time(() => db().server.findMany({ take: 50 })), ""]);
    for (const [label, params] of CASES) {
      const q = parseServersQuery(params);
      const page = await listAllServers(SYSTEM, q, { storage: false });
      rows.push([label, await time(() => listAllServers(SYSTEM, q, { storage: false })), `${page.total} match, ${page.servers.length} shown`]);
    }
    const w = Math.max(...rows.map((r) => r[0].length));
    process.stdout.write(`${"case".padEnd(w)}  median ms   p95 ms  rows\n`);
    for (const [label, t, note] of rows) {
      process.stdout.write(`${label.padEnd(w)}  ${t.median.toFixed(1).padStart(9)}  ${t.p95.toFixed(1).padStart(7)}  ${note}\n`);
      if (label.startsWith("anchor")) continue;
      report({
        bench: "admin-servers", figure: `listAllServers: ${label}, p95 (1 client)`, unit: "ms", better: "lower", berth: t.p95,
        anchor: { name: "50 servers, no filter/sort/join", value: rows[1][1].p95 }, goal: valueGoal(t.p95, "<=", 50, "p95 ≤ 50 ms"), note,
      });
    }
    process.stdout.write(`\n${RUNS} runs each after ${WARMUP} warm-up runs; no run passes or fails on a time.\n`);
  } finally {
    await closeDb().catch(() => undefined);
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
