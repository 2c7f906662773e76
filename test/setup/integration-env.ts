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

Object.assign(process.env, { NODE_ENV: "test" });
process.env.BERTH_DATA_DIR = dataDir;
process.env.DATABASE_URL = databaseUrl;
process.env.BERTH_LOG_LEVEL ??= "error";
// Host cgroups are left alone by the suite: a root that does not exist means "no limits".
process.env.BERTH_CGROUP_ROOT = path.join(dataDir, "no-cgroups");
// runtime().shutdown() after a file ends the servers it started; the test of servers surviving a
// restart (server-restart.test.ts) makes runtimes without it.
process.env.BERTH_STOP_SERVERS_ON_SHUTDOWN = "true";
delete process.env.NEXTAUTH_SECRET;
delete process.env.BERTH_PUBLIC_URL;

connectDatabase(databaseUrl, { embedded: false });

beforeAll(async () => {
  // Files run one after another against one database; each starts from empty tables.
  // Every table the migrations made, whatever later migrations add.
  const tables = await db().$queryRaw<{ name: string }[]>`
    SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
  if (tables.length) await db().$executeRawUnsafe(`TRUNCATE ${tables.map((t) => t.name).join(", ")} CASCADE`);
});

afterAll(async () => {
  try {
    const { runtime } = await import("../../lib/runtime");
    await runtime().shutdown();
  } finally {
    setShared("runtime", undefined);
    await closeDb().catch(() => undefined);
    // Servers' filesystems a test left mounted (as root): rmSync cannot remove a mount point.
    const { unmountUnder } = await import("../../lib/runtime/local/mounts");
    await unmountUnder(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
