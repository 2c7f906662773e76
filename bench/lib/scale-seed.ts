import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { sessionCookieName } from "../../lib/auth/options";
import { authSecret } from "../../lib/auth/secret";
import { createSession } from "../../lib/auth/user-sessions";
import { db } from "../../lib/db/client";

// The scale in SQL (generate_series), so seeding takes seconds: 10,000 users (user00001 is
// an administrator), six servers each (the default one and five named; every one stopped or failed
// so that a starting Berth has nothing to settle), and 100,000 audit events over the last ~70 days.

export const USERS = 10_000;
export const SERVERS_EACH = 6;
export const EVENTS = 100_000;

export const userName = (i: number) => `user${String(i).padStart(5, "0")}`;

export async function seed(): Promise<void> {
  await db().$executeRaw`
    INSERT INTO users (id, name, display_name, email, is_admin, last_login_at, created_at, updated_at)
    SELECT gen_random_uuid(), 'user' || lpad(i::text, 5, '0'), 'Person ' || i, 'user' || i || '@example.org', i = 1,
           CASE WHEN i % 4 = 0 THEN NULL ELSE now() - make_interval(mins => i) END, now() - make_interval(hours => i), now()
    FROM generate_series(1, ${USERS}) AS i`;
  await db().$executeRaw`
    INSERT INTO servers (id, owner_id, name, profile, state, state_reason, token, started_at, last_activity_at, launch_provider, launch_spec, launch_commit, created_at, updated_at)
    SELECT gen_random_uuid(), u.id, CASE WHEN k = 0 THEN '' ELSE 's' || k END, 'default',
           (CASE WHEN (hashtext(u.name) + k) % 50 = 0 THEN 'failed' ELSE 'stopped' END)::"ServerState",
           CASE WHEN (hashtext(u.name) + k) % 50 = 0 THEN 'Jupyter exited while starting' END,
           md5(u.id::text || k), now() - interval '1 day', now() - make_interval(mins => (hashtext(u.name || k) & 4095)),
           CASE WHEN k % 2 = 1 THEN 'gh' END, CASE WHEN k % 2 = 1 THEN 'org/repo' || k || '/HEAD' END, CASE WHEN k % 2 = 1 THEN md5(u.name || k) END,
           now(), now()
    FROM users u CROSS JOIN generate_series(0, ${SERVERS_EACH - 1}) AS k`;
  // One event a minute back from now, spread over actions, actors and target users.
  await db().$executeRaw`
    INSERT INTO events (id, at, actor_name, action, target_user, server_name, reason, details)
    SELECT gen_random_uuid(), now() - i * interval '1 minute', 'user' || lpad((i % ${USERS} + 1)::text, 5, '0'),
           (ARRAY['start', 'stop', 'started', 'stopped', 'signin', 'create', 'cull', 'delete', 'token_use', 'launch'])[1 + i % 10],
           'user' || lpad(((i * 7) % ${USERS} + 1)::text, 5, '0'), CASE WHEN i % 6 = 0 THEN '' ELSE 's' || (i % 6) END,
           CASE WHEN i % 10 = 6 THEN 'idle' END,
           CASE WHEN i % 10 = 9 THEN jsonb_build_object('provider', 'gh', 'repo', 'org/repo' || i % 500, 'cached', i % 3 = 0) END
    FROM generate_series(1, ${EVENTS}) AS i`;
  await db().$executeRawUnsafe("ANALYZE");
}

/** Session cookies exactly as a sign-in makes them (a session row and a JWT naming it), for `names`. */
export async function sessionCookies(names: string[]): Promise<Map<string, string>> {
  const users = await db().user.findMany({ where: { name: { in: names } }, select: { id: true, name: true, isAdmin: true } });
  const out = new Map<string, string>();
  for (const u of users) {
    const sid = await createSession(u.id, { userAgent: "bench" });
    const token = await encode({ token: { sub: u.id, sid, uid: u.id, uname: u.name, name: u.name, isAdmin: u.isAdmin }, secret: authSecret() });
    out.set(u.name, `${sessionCookieName()}=${token}`);
  }
  return out;
}

/**
 * Workspaces with `files` small files each for the servers of `owners`, under a Berth's data folder:
 * what the storage figure on the dashboard walks (before issue 11, inside the request).
 */
export async function fillWorkspaces(dataDir: string, owners: string[], files: number): Promise<number> {
  const rows = await db().server.findMany({ where: { owner: { name: { in: owners } } }, select: { id: true } });
  const blob = Buffer.alloc(512, 97);
  for (const r of rows) {
    const root = path.join(dataDir, "workspaces", r.id);
    for (let i = 0; i < files; i++) {
      const dir = path.join(root, `pkg${i % 10}`);
      if (i < 10) mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `f${i}.py`), blob);
    }
  }
  return rows.length * files;
}
