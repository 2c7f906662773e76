// GET /hub/api/users at scale: 10,000 users and 60,000 servers in a scratch PostgreSQL database,
// each query shape timed over repeated runs (median and worst). Not part of the test run:
//   npx tsx bench/hub-api-users.bench.ts       (BERTH_TEST_PG_URL as for the integration tests)
import { db } from "../lib/db/client";
import { listHubUsers, parseUserListQuery } from "../lib/hub-api/list-hub-users";
import { withScratchBerth } from "./lib/harness";
import { report, valueGoal } from "./lib/report";

const USERS = 10_000;
const SERVERS_PER_USER = 6;
const RUNS = 20;

async function main() {
  await withScratchBerth("berth_bench", async () => {
    const t0 = Date.now();
    await db().$executeRaw`
      INSERT INTO users (id, name, is_admin, last_login_at, created_at)
      SELECT gen_random_uuid(), 'user' || lpad(i::text, 5, '0'), i % 500 = 0,
             now() - (i % 1000) * interval '1 hour', now() - i * interval '1 minute'
      FROM generate_series(1, ${USERS}) AS i`;
    // The default server and five named ones each; a spread of states and activity.
    await db().$executeRaw`
      INSERT INTO servers (id, owner_id, name, profile, token, state, last_activity_at, started_at)
      SELECT gen_random_uuid(), u.id, CASE WHEN k = 0 THEN '' ELSE 's' || k END, 'default', md5(u.id::text || k),
             (CASE WHEN (hashtext(u.name) + k) % 10 = 0 THEN 'running' WHEN (hashtext(u.name) + k) % 97 = 0 THEN 'starting' ELSE 'stopped' END)::"ServerState",
             now() - ((hashtext(u.name) & 1023) + k) * interval '1 minute', now() - interval '1 day'
      FROM users u, generate_series(0, ${SERVERS_PER_USER - 1}) AS k`;
    await db().$executeRawUnsafe("ANALYZE");
    const counts = await db().$queryRaw<{ users: bigint; servers: bigint }[]>`SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM servers) AS servers`;
    process.stdout.write(`seeded ${counts[0].users} users and ${counts[0].servers} servers in ${((Date.now() - t0) / 1000).toFixed(1)} s\n\n`);

    const admin = { id: null, name: "bench", isAdmin: true };
    const shapes = [
      "",
      "offset=9000&limit=50",
      "state=active",
      "state=ready&limit=200",
      "state=inactive&offset=5000",
      "sort=-last_activity",
      "sort=name&name_filter=user09",
      "include_stopped_servers&limit=200",
    ];
    process.stdout.write("query (paginated media type)                    median     worst   items / total\n");
    // The anchor shown beside every figure, measured in the same run: counting every user.
    const anchorTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await db().$queryRaw`SELECT count(*) FROM users`;
      anchorTimes.push(performance.now() - start);
    }
    const anchor = { name: "SELECT count(*) FROM users", value: Math.max(...anchorTimes) };
    for (const shape of shapes) {
      const q = parseUserListQuery(new URLSearchParams(shape), true);
      const times: number[] = [];
      let last = { items: [] as unknown[], total: 0 };
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        last = await listHubUsers(admin, q);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const label = `/hub/api/users${shape ? `?${shape}` : ""}`;
      process.stdout.write(`${label.padEnd(48)} ${times[Math.floor(RUNS / 2)].toFixed(1).padStart(6)} ms ${times[RUNS - 1].toFixed(1).padStart(6)} ms   ${last.items.length} / ${last.total}\n`);
      report({ bench: "hub-api-users", figure: `${label}, worst of ${RUNS} (1 client)`, unit: "ms", better: "lower", berth: times[RUNS - 1], anchor, goal: valueGoal(times[RUNS - 1], "<=", 50, "≤ 50 ms"), note: `10,000 users, 60,000 servers; ${last.items.length} of ${last.total}` });
    }
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
