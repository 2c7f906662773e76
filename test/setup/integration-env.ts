import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import { closeDb, db, connectDatabase } from "../../lib/db/client";
import { setShared } from "../../lib/shared";

// Runs before each integration test file. lib/config.ts reads the environment once, on the first
// config() call, so everything is set here, before any test runs; a test file may still override a
// variable at its top level (nothing in lib/ calls config() at import time).

const dataDir = mkdtempSync(path.join(tmpdir(), "berth-it-"));
const databaseUrl = inject("databaseUrl");

process.env.NODE_ENV = "test";
process.env.BERTH_DATA_DIR = dataDir;
process.env.DATABASE_URL = databaseUrl;
process.env.BERTH_LOG_LEVEL ??= "error";
// Host cgroups are left alone by the suite: a root that does not exist means "no limits".
process.env.BERTH_CGROUP_ROOT = path.join(dataDir, "no-cgroups");
delete process.env.NEXTAUTH_SECRET;
delete process.env.BERTH_PUBLIC_URL;

connectDatabase(databaseUrl, { embedded: false });

beforeAll(async () => {
  // Files run one after another against one database; each starts from empty tables.
  await db().$executeRawUnsafe(`TRUNCATE users, servers, events, setup_tokens CASCADE`);
});

afterAll(async () => {
  const { runtime } = await import("../../lib/runtime");
  await runtime().shutdown();
  setShared("runtime", undefined);
  await closeDb();
  rmSync(dataDir, { recursive: true, force: true });
});
