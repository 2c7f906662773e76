import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { closeDb, db, connectDatabase } from "../../lib/db/client";
import { startEmbeddedDb } from "../../lib/db/embedded";
import { applyMigrations, migrationsDir } from "../../lib/db/migrate";
import { createDatabase, dropDatabase, query } from "../helpers/pg";

// Scratch databases carry the run's database name as a prefix, so the run's teardown drops them
// even if this file fails half-way; scratch folders live in the file's data folder, removed with it.
const created: string[] = [];
const fresh = async () => {
  const d = await createDatabase(`${inject("databaseName")}_m`);
  created.push(d.name);
  return d.url;
};
const tempDir = () => mkdtempSync(path.join(process.env.BERTH_DATA_DIR!, "mig-"));
const shipped = () => readdirSync(migrationsDir()).filter((n) => /^\d+_/.test(n)).sort();

afterAll(async () => {
  try {
    await closeDb();
  } finally {
    // Back to the run's database for the shared teardown.
    connectDatabase(inject("databaseUrl"), { embedded: false });
    for (const name of created) await dropDatabase(name);
  }
});

describe("migrations on PostgreSQL", () => {
  it("apply once, record themselves in _prisma_migrations, and are a no-op the second time", async () => {
    const url = await fresh();
    const names = shipped();
    expect(names.length).toBeGreaterThan(0);
    expect(await applyMigrations(url)).toEqual(names);
    expect(await applyMigrations(url)).toEqual([]);

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const r of rows) {
      const sql = readFileSync(path.join(migrationsDir(), r.migration_name, "migration.sql"), "utf8");
      expect(r.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.applied_steps_count).toBe(1);
    }
    const tables = (await query<{ tablename: string }>(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).map((t) => t.tablename);
    expect(tables).toEqual(expect.arrayContaining(["users", "servers", "events", "setup_tokens", "sessions", "_prisma_migrations"]));
  });

  it("the run's own database is already migrated", async () => {
    expect(await applyMigrations(inject("databaseUrl"))).toEqual([]);
  });

  it("concurrent replicas apply each migration exactly once", async () => {
    const url = await fresh();
    const results = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);
    expect(results.flat()).toEqual(shipped());
    const [{ n }] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM "_prisma_migrations"`);
    expect(Number(n)).toBe(shipped().length);
  });

  it("refuses a migration edited after it was applied", async () => {
    const url = await fresh();
    const dir = tempDir();
    cpSync(migrationsDir(), dir, { recursive: true });
    await applyMigrations(url, dir);
    const first = path.join(dir, shipped()[0], "migration.sql");
    writeFileSync(first, readFileSync(first, "utf8") + "\n-- edited\n");
    await expect(applyMigrations(url, dir)).rejects.toThrow(/was changed after it was applied/);
  });

  it("rolls a failing migration back whole and records nothing for it", async () => {
    const url = await fresh();
    const dir = tempDir();
    cpSync(migrationsDir(), dir, { recursive: true });
    mkdirSync(path.join(dir, "99990101000000_broken"));
    writeFileSync(path.join(dir, "99990101000000_broken", "migration.sql"), `CREATE TABLE half_done (id int);\nSELECT nonsense FROM nowhere;\n`);
    await expect(applyMigrations(url, dir)).rejects.toThrow(/Migration 99990101000000_broken failed/);
    const rows = await query<{ migration_name: string }>(url, `SELECT migration_name FROM "_prisma_migrations"`);
    expect(rows.map((r) => r.migration_name)).toEqual(shipped());
    expect(await query(url, `SELECT 1 FROM pg_tables WHERE tablename = 'half_done'`)).toEqual([]);
    // The lock was released: a fixed migration applies.
    writeFileSync(path.join(dir, "99990101000000_broken", "migration.sql"), `CREATE TABLE half_done (id int);\n`);
    expect(await applyMigrations(url, dir)).toEqual(["99990101000000_broken"]);
  });

  it("turns a delete under way (stopping, progress “Deleting”) into the deleting state, and leaves other rows alone", async () => {
    const url = await fresh();
    const dir = tempDir();
    cpSync(migrationsDir(), dir, { recursive: true, filter: (src) => !src.includes("20261203100000_server_deleting_state") });
    await applyMigrations(url, dir);
    const user = "00000000-0000-4000-8000-000000000001";
    await query(url, `INSERT INTO users (id, name) VALUES ('${user}', 'alice')`);
    const row = (name: string, state: string, progress: string | null) =>
      query(url, `INSERT INTO servers (id, owner_id, name, profile, token, state, progress) VALUES (gen_random_uuid(), '${user}', '${name}', 'standard', 't', '${state}', ${progress === null ? "NULL" : `'${progress}'`})`);
    await row("doomed", "stopping", "Deleting");
    await row("halting", "stopping", "Stopping Jupyter");
    await row("idle", "stopped", null);
    cpSync(path.join(migrationsDir(), "20261203100000_server_deleting_state"), path.join(dir, "20261203100000_server_deleting_state"), { recursive: true });
    expect(await applyMigrations(url, dir)).toContain("20261203100000_server_deleting_state");
    const states = await query<{ name: string; state: string }>(url, `SELECT name, state::text AS state FROM servers ORDER BY name`);
    expect(states).toEqual([
      { name: "doomed", state: "deleting" },
      { name: "halting", state: "stopping" },
      { name: "idle", state: "stopped" },
    ]);
    // The column keeps its default.
    await query(url, `INSERT INTO servers (id, owner_id, name, profile, token) VALUES (gen_random_uuid(), '${user}', 'fresh', 'standard', 't')`);
    expect(await query(url, `SELECT state::text AS state FROM servers WHERE name = 'fresh'`)).toEqual([{ state: "stopped" }]);
  });
});

describe("migrations on the embedded database (PGlite)", () => {
  it("apply the same SQL, and Prisma works against it, across a restart", async () => {
    const dataDir = tempDir();
    const first = await startEmbeddedDb(dataDir);
    try {
      expect(JSON.parse(readFileSync(path.join(dataDir, "db.json"), "utf8"))).toMatchObject({ pid: process.pid });
      // Served on a Unix socket in a folder only Berth's user enters, never on a loopback port
      // every local process could reach (PGlite asks for no password).
      expect(new URL(first.url).searchParams.get("host")).toBe(path.join(dataDir, "pgsocket"));
      expect(statSync(path.join(dataDir, "pgsocket")).mode & 0o777).toBe(0o700);
      expect(await applyMigrations(first.url)).toEqual(shipped());
      expect(await applyMigrations(first.url)).toEqual([]);

      await closeDb();
      connectDatabase(first.url, { embedded: true });
      const u = await db().user.create({ data: { name: "pat", isAdmin: true } });
      const s = await db().server.create({ data: { ownerId: u.id, name: "analysis", profile: "default", token: "t" } });
      expect(s.state).toBe("stopped");
      // Interactive transactions with a row lock, as createServer uses them.
      const n = await db().$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM users WHERE id = ${u.id}::uuid FOR UPDATE`;
        return tx.server.count({ where: { ownerId: u.id } });
      });
      expect(n).toBe(1);
      // The name constraint exists here too.
      await expect(db().server.create({ data: { ownerId: u.id, name: "Not Valid", profile: "default", token: "t" } })).rejects.toThrow();
      await closeDb();
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedDb(dataDir);
    try {
      expect(await applyMigrations(second.url)).toEqual([]);
      connectDatabase(second.url, { embedded: true });
      const servers = await db().server.findMany({ include: { owner: true } });
      expect(servers.map((s) => `${s.owner.name}/${s.name}`)).toEqual(["pat/analysis"]);
      await closeDb();
    } finally {
      await second.stop();
    }
  });
});
