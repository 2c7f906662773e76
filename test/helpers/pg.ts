import { randomBytes } from "node:crypto";
import type pg from "pg";
import { withClient } from "../../lib/db/with-client";

// Throwaway databases on the PostgreSQL the integration suite uses. BERTH_TEST_PG_URL points at
// the server's maintenance database (trust auth as postgres by default).

export const adminUrl = () => process.env.BERTH_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function withDatabase(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createDatabase(prefix = "berth_it"): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await withClient(adminUrl(), (c) => c.query(`CREATE DATABASE "${name}"`));
  return { name, url: withDatabase(adminUrl(), name) };
}

export async function dropDatabase(name: string): Promise<void> {
  await withClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Drops `name` and every database whose name starts with `name_`. */
export async function dropDatabasesLike(name: string): Promise<void> {
  await withClient(adminUrl(), async (c) => {
    const rows = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $2)`, [name, `${name}_`]);
    for (const r of rows.rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
  });
}

export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (c) => (await c.query<T>(sql, params)).rows);
}
