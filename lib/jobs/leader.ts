import pg from "pg";
import { log } from "../log";

// One replica runs the jobs: the one holding this session-level advisory lock. If its connection
// drops, the lock is released and another replica takes over on its next try.
const JOBS_LOCK = 72707370;

export function leaderElection(url: string, onChange: (leader: boolean) => void) {
  let client: pg.Client | undefined;
  let leader = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const set = (v: boolean) => {
    if (v !== leader) {
      leader = v;
      log.info(v ? "this replica now runs the background jobs" : "this replica no longer runs the background jobs");
      onChange(v);
    }
  };

  const attempt = async () => {
    if (stopped) return;
    try {
      if (!client) {
        client = new pg.Client({ connectionString: url });
        client.on("error", () => {
          client = undefined;
          set(false);
        });
        await client.connect();
      }
      const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [JOBS_LOCK]);
      set(Boolean(r.rows[0]?.ok));
    } catch (err) {
      log.warn("leader election failed; will retry", { error: String(err) });
      await client?.end().catch(() => undefined);
      client = undefined;
      set(false);
    }
    if (!stopped) timer = setTimeout(attempt, 15_000);
  };
  void attempt();

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      set(false);
      await client?.end().catch(() => undefined);
    },
  };
}
