import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type pg from "pg";
import { closeDb, connectDatabase } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";
import { withClient } from "../../lib/db/with-client";
import { createDatabase, dropDatabase } from "../../test/helpers/pg";

// What the database benchmarks share: a scratch database on the local PostgreSQL and a timer.

/** The server benchmarks make their scratch databases on (trust auth, like the test suites). */
export const ADMIN_URL = process.env.BERTH_BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const RUNS = 30;
export const WARMUP = 3;

/** `base` with its database name replaced by `name`. */
export function withDb(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs `fn` with a fresh connection to `url` (the admin database by default), closed after. */
export const admin = <T>(fn: (c: pg.Client) => Promise<T>, url = ADMIN_URL): Promise<T> => withClient(url, fn);

/** Median and 95th percentile (ms) of RUNS runs of `fn`, after WARMUP runs not counted. */
export async function time(fn: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)];
  return { median: at(0.5), p95: at(0.95) };
}

/**
 * Runs `fn` against a fresh, migrated Berth database (dropped after) with a temporary data folder,
 * connected as Berth's own code connects.
 */
export async function withScratchBerth(name: string, fn: () => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "berth-bench-"));
  process.env.BERTH_DATA_DIR = dataDir;
  process.env.BERTH_LOG_LEVEL = "error";
  const scratch = await createDatabase(name);
  try {
    await applyMigrations(scratch.url);
    process.env.DATABASE_URL = scratch.url;
    connectDatabase(scratch.url, { embedded: false });
    await fn();
  } finally {
    await closeDb().catch(() => undefined);
    await dropDatabase(scratch.name);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
