import { randomBytes } from "node:crypto";
import { closeDb, connectDatabase, db } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { SYSTEM } from "../lib/auth/actor";
import { listUsers } from "../lib/users/list-users";
import { parseUsersQuery } from "../lib/users/users-query";
import { admin, RUNS, time, WARMUP, withDb, ADMIN_URL } from "./lib/harness";
import { report, valueGoal } from "./lib/report";

// The console's Users list at the scale: 10,000 users and 60,000 servers (six each, about
// one in seven running) in a scratch database on the local PostgreSQL (BERTH_BENCH_PG_URL, default
// postgres@127.0.0.1:5432 with trust auth), created and dropped here. Times listUsers — the SQL the
// page and `GET /api/admin/users` run — for the first page, a search, a sort by servers running, a
// sort by last sign-in and the last page, against anchors measured in the same run: a plain
// `SELECT count(*) FROM users`, the naive "count every user's servers, keep 50" query, and the
// same list queries with the indexes the console relies on dropped. Storage is left out: it is the runtime's (a folder walk or the cluster), not the database's.

const USERS = 10_000;
const SERVERS_EACH = 6;

const CASES: [string, Record<string, string>][] = [
  ["first page (by name)", {}],
  ["search \"person 12\"", { q: "person 12" }],
  ["sort by servers running", { sort: "running" }],
  ["sort by last sign-in", { sort: "lastLogin" }],
  ["last page (page 200)", { page: "200" }],
];

async function main() {
  const name = `berth_bench_users_${randomBytes(4).toString("hex")}`;
  const url = withDb(ADMIN_URL, name);
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  try {
    await applyMigrations(url);
    const seeded = performance.now();
    await admin(async (c) => {
      await c.query(`
        INSERT INTO users (id, name, display_name, email, is_admin, last_login_at, created_at, updated_at)
        SELECT gen_random_uuid(), 'user' || lpad(i::text, 5, '0'), 'Person ' || i, 'user' || i || '@example.org', i % 500 = 0,
               CASE WHEN i % 4 = 0 THEN NULL ELSE now() - make_interval(mins => i) END, now() - make_interval(hours => i), now()
        FROM generate_series(1, ${USERS}) AS i`);
      await c.query(`
        INSERT INTO servers (id, owner_id, name, profile, state, token, created_at, updated_at)
        SELECT gen_random_uuid(), u.id, CASE WHEN s = 0 THEN '' ELSE 's' || s END, 'default',
               (CASE WHEN random() < 0.15 THEN 'running' ELSE 'stopped' END)::"ServerState", 'x', now(), now()
        FROM users u CROSS JOIN generate_series(0, ${SERVERS_EACH - 1}) AS s`);
      await c.query("ANALYZE");
    }, url);
    const counts = await admin(async (c) => (await c.query<{ users: string; servers: string; running: string }>(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM servers) AS servers, (SELECT count(*) FROM servers WHERE state = 'running') AS running`)).rows[0], url);
    process.stdout.write(`Seeded ${counts.users} users and ${counts.servers} servers (${counts.running} running) in ${Math.round(performance.now() - seeded)} ms.\n`);

    connectDatabase(url, { embedded: false });
    const rows: { what: string; median: number; p95: number }[] = [];
    rows.push({ what: "anchor: SELECT count(*) FROM users", ...(await time(() => db().$queryRaw`SELECT count(*) FROM users`)) });
    // What the page avoids: counting every user's servers, then keeping 50 rows.
    rows.push({
      what: "anchor: count all users' servers",
      ...(await time(() => db().$queryRaw`
        SELECT u.id, u.name, count(s.id) FILTER (WHERE s.state = 'running') AS running, count(s.id) AS total
        FROM users u LEFT JOIN servers s ON s.owner_id = u.id GROUP BY u.id ORDER BY u.name LIMIT 50`)),
    });
    const withIndexes: { what: string; median: number; p95: number }[] = [];
    for (const [what, params] of CASES) {
      const q = parseUsersQuery(params);
      withIndexes.push({ what, ...(await time(() => listUsers(SYSTEM, q))) });
    }
    // The same queries without the indexes the console leans on (sign-in/creation order, state).
    await db().$executeRawUnsafe(`DROP INDEX users_last_login_at_idx, users_created_at_idx, servers_state_idx`);
    await db().$executeRawUnsafe("ANALYZE");
    const without: { what: string; median: number; p95: number }[] = [];
    for (const [what, params] of CASES) {
      const q = parseUsersQuery(params);
      without.push({ what, ...(await time(() => listUsers(SYSTEM, q))) });
    }

    const fmt = (n: number) => n.toFixed(2).padStart(8);
    process.stdout.write(`\nlistUsers, ${RUNS} runs each after ${WARMUP} warm-up runs (ms):\n`);
    process.stdout.write(`${"query".padEnd(36)}  median       p95   | without indexes: median       p95\n`);
    for (const r of rows) process.stdout.write(`${r.what.padEnd(36)}${fmt(r.median)}  ${fmt(r.p95)}\n`);
    withIndexes.forEach((r, i) => {
      process.stdout.write(`${r.what.padEnd(36)}${fmt(r.median)}  ${fmt(r.p95)}   |                ${fmt(without[i].median)}  ${fmt(without[i].p95)}\n`);
      report({
        bench: "admin-users", figure: `listUsers: ${r.what}, p95 (1 client)`, unit: "ms", better: "lower", berth: r.p95,
        anchor: { name: rows[1].what.replace("anchor: ", ""), value: rows[1].p95 }, goal: valueGoal(r.p95, "<=", 50, "p95 ≤ 50 ms"),
        note: `10,000 users, 60,000 servers; without the console's indexes p95 ${without[i].p95.toFixed(1)} ms`,
      });
    });
  } finally {
    await closeDb().catch(() => undefined);
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
