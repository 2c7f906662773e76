import type { TestProject } from "vitest/node";
import { applyMigrations, migrationsDir } from "../../lib/db/migrate";
import { adminUrl, createDatabase, dropDatabasesLike } from "../helpers/pg";

// One fresh PostgreSQL database per integration run: created and migrated here, dropped when the
// run ends, together with any scratch database a test made under the run's name (so a failing
// test cannot leave one behind). Test files receive the URL through `inject("databaseUrl")`.

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseName: string;
  }
}

export default async function setup(project: TestProject) {
  let created: { name: string; url: string };
  try {
    created = await createDatabase();
  } catch (err) {
    throw new Error(`The integration tests need PostgreSQL at ${adminUrl()} (set BERTH_TEST_PG_URL to another): ${(err as Error).message}`);
  }
  const teardown = () => dropDatabasesLike(created.name);
  try {
    await applyMigrations(created.url, migrationsDir());
  } catch (err) {
    await teardown();
    throw err;
  }
  project.provide("databaseUrl", created.url);
  project.provide("databaseName", created.name);
  return teardown;
}
