import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { applyMigrations, migrationsDir } from "../../lib/db/migrate";

// One fresh PostgreSQL database per integration run: created and migrated here, dropped when the
// run ends. Tests receive its URL through `inject("databaseUrl")` (see integration-env.ts).
// BERTH_TEST_PG_URL points at the server's maintenance database (trust auth by default).

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
  }
}

export const adminUrl = () => process.env.BERTH_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function withDatabase(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createDatabase(prefix = "berth_it"): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return { name, url: withDatabase(adminUrl(), name) };
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject) {
  let created: { name: string; url: string };
  try {
    created = await createDatabase();
  } catch (err) {
    throw new Error(`Integration tests need PostgreSQL at ${adminUrl()} (set BERTH_TEST_PG_URL): ${(err as Error).message}`);
  }
  try {
    await applyMigrations(created.url, migrationsDir());
  } catch (err) {
    await dropDatabase(created.name);
    throw err;
  }
  project.provide("databaseUrl", created.url);
  project.provide("adminDatabaseUrl", adminUrl());
  return async () => {
    await dropDatabase(created.name);
  };
}
