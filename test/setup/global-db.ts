import type { TestProject } from "vitest/node";
import { applyMigrations, migrationsDir } from "../../lib/db/migrate";
import { adminUrl, createDatabase, dropDatabase } from "../helpers/pg";

// One fresh PostgreSQL database per integration run: created and migrated here, dropped when the
// run ends. Test files receive its URL through `inject("databaseUrl")` (see integration-env.ts).

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  let created: { name: string; url: string };
  try {
    created = await createDatabase();
  } catch (err) {
    throw new Error(`The integration tests need PostgreSQL at ${adminUrl()} (set BERTH_TEST_PG_URL to another): ${(err as Error).message}`);
  }
  try {
    await applyMigrations(created.url, migrationsDir());
  } catch (err) {
    await dropDatabase(created.name);
    throw err;
  }
  project.provide("databaseUrl", created.url);
  return async () => {
    await dropDatabase(created.name);
  };
}
