import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startEmbeddedDb } from "../../lib/db/embedded";
import { describeDatabase, ensureInstallationId } from "../../lib/db/installation";
import { applyMigrations } from "../../lib/db/migrate";
import { createDatabase, dropDatabase, query } from "../helpers/pg";

// The CLI refuses to run against another database than the running Berth's (issue 10, point 5):
// `npm run berth -- user add` with a mistyped BERTH_DATA_DIR or DATABASE_URL used to create a new
// embedded database and say "Added user". The CLI runs as operators run it (tsx lib/cli/main.ts, its
// own process); a running Berth is a process that announces itself with the same function Berth
// calls at start (test/helpers/announce-berth.ts). Each test has its own temporary folder for the
// announcements (TMPDIR), so no other Berth on the machine takes part.

const ROOT = path.resolve(import.meta.dirname, "../..");
// Every CLI call is a process of its own (tsx start-up: seconds on a busy machine).
const CLI_TEST_MS = 400_000;
const created: string[] = [];
const children: ChildProcess[] = [];
// Short: the embedded database's socket path must fit in 107 bytes.
const scratch = mkdtempSync("/tmp/bcli-");
let runTmp: string;
let dbA: { name: string; url: string }, dbB: { name: string; url: string };

async function cli(args: string[], env: Record<string, string | undefined>, input?: string) {
  const full: NodeJS.ProcessEnv = { ...process.env, TMPDIR: runTmp, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
  const run = promisify(execFile);
  try {
    const p = run("npx", ["tsx", "lib/cli/main.ts", ...args], { cwd: ROOT, env: full, timeout: 90_000 });
    if (input !== undefined) p.child.stdin?.end(input);
    const { stdout, stderr } = await p;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** A Berth running with this database and data folder, as far as the CLI can tell. */
async function runningBerth(installationId: string, dataDir: string, databaseUrl?: string) {
  const child = spawn("npx", ["tsx", "test/helpers/announce-berth.ts", installationId, dataDir, describeDatabase(databaseUrl, dataDir), databaseUrl ? "1" : "0"], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: runTmp },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => c.toString().includes("announced") && resolve());
    child.once("exit", (code) => reject(new Error(`the stand-in Berth exited (${code})`)));
  });
  return () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // gone already
    }
  };
}

async function migrated(prefix: string) {
  const d = await createDatabase(`${inject("databaseName")}_${prefix}`);
  created.push(d.name);
  await applyMigrations(d.url);
  return d;
}
const installationOf = async (url: string) => (await query<{ id: string }>(url, "SELECT installation_id::text AS id FROM installation"))[0].id;

beforeAll(async () => {
  [dbA, dbB] = await Promise.all([migrated("clia"), migrated("clib")]);
});

afterAll(async () => {
  for (const c of children) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      // gone already
    }
  }
  for (const name of created) await dropDatabase(name);
  rmSync(scratch, { recursive: true, force: true });
});

describe("the CLI's database", () => {
  it("refuses a data folder without a database, and creates none", async () => {
    runTmp = mkdtempSync(path.join(scratch, "t"));
    const dataDir = path.join(scratch, "nothing-here");
    const r = await cli(["user", "add", "zed"], { DATABASE_URL: undefined, BERTH_DATA_DIR: dataDir });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain(`There is no Berth database in ${dataDir}. Start Berth with \`npm run up\` first, or set BERTH_DATA_DIR to the folder Berth uses`);
    expect(r.stdout).not.toContain("Added");
    expect(existsSync(path.join(dataDir, "pgdata"))).toBe(false);
  });

  it("refuses a PostgreSQL database that Berth never used, and creates no tables in it", async () => {
    runTmp = mkdtempSync(path.join(scratch, "t"));
    const empty = await createDatabase(`${inject("databaseName")}_clie`);
    created.push(empty.name);
    const r = await cli(["user", "list"], { DATABASE_URL: empty.url, BERTH_DATA_DIR: path.join(scratch, "d-empty") });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`There is no Berth database in PostgreSQL database "${empty.name}" on 127\\.0\\.0\\.1:5432`));
    expect(await query(empty.url, "SELECT 1 FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
  });

  it("while Berth runs, refuses another database and works on Berth's own", async () => {
    runTmp = mkdtempSync(path.join(scratch, "t"));
    const berthDir = path.join(scratch, "berth-a");
    mkdirSync(berthDir, { recursive: true });
    const stop = await runningBerth(await ensureInstallationId(dbA.url), berthDir, dbA.url);

    const wrong = await cli(["user", "add", "zed", "--password-stdin"], { DATABASE_URL: dbB.url, BERTH_DATA_DIR: path.join(scratch, "elsewhere") }, "a-long-password-1\n");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(new RegExp(`Berth is running \\(process \\d+\\) with PostgreSQL database "${dbA.name}" on 127\\.0\\.0\\.1:5432, but this command would use PostgreSQL database "${dbB.name}"`));
    expect(wrong.stderr).toContain(`BERTH_DATA_DIR=${berthDir}`);
    expect(await query(dbB.url, "SELECT name FROM users")).toEqual([]);

    // The embedded database of a data folder nobody runs: refused as well, before it is opened.
    const embeddedDir = path.join(scratch, "e1");
    const embedded = await startEmbeddedDb(embeddedDir);
    await applyMigrations(embedded.url);
    await embedded.stop();
    const wrongEmbedded = await cli(["user", "list"], { DATABASE_URL: undefined, BERTH_DATA_DIR: embeddedDir });
    expect(wrongEmbedded.code).toBe(1);
    expect(wrongEmbedded.stderr).toContain(`but this command would use the embedded database in ${embeddedDir}`);

    const right = await cli(["user", "add", "zed", "--password-stdin"], { DATABASE_URL: dbA.url, BERTH_DATA_DIR: berthDir }, "a-long-password-1\n");
    expect(right.stderr).toBe("");
    expect(right.stdout).toContain('Added user "zed"');
    const listed = await cli(["user", "list", "--search", "ze", "--json"], { DATABASE_URL: dbA.url, BERTH_DATA_DIR: berthDir });
    expect((JSON.parse(listed.stdout) as { users: { name: string }[] }).users.map((u) => u.name)).toEqual(["zed"]);

    // Once that Berth has stopped, the other database is a Berth database like any: allowed.
    stop();
    const after = await cli(["user", "list"], { DATABASE_URL: dbB.url, BERTH_DATA_DIR: path.join(scratch, "elsewhere") });
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain("No users match.");
  }, CLI_TEST_MS);

  it("refuses a data folder that belongs to another database, even with Berth stopped; the user commands work on the right one", async () => {
    runTmp = mkdtempSync(path.join(scratch, "t"));
    const berthDir = path.join(scratch, "berth-marker");
    mkdirSync(berthDir, { recursive: true });
    // A Berth ran with database A and this data folder, then stopped: the folder remembers.
    const stop = await runningBerth(await installationOf(dbA.url), berthDir, dbA.url);
    stop();
    await new Promise((r) => setTimeout(r, 500));
    const r = await cli(["user", "disable", "zed"], { DATABASE_URL: dbB.url, BERTH_DATA_DIR: berthDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The data folder ${berthDir} belongs to the Berth whose database is PostgreSQL database "${dbA.name}"`);
    const env = { DATABASE_URL: dbA.url, BERTH_DATA_DIR: berthDir };
    const ok = await cli(["user", "disable", "zed"], env);
    expect(ok.stdout).toContain('Disabled "zed": they cannot sign in');
    const listed = await cli(["user", "list", "--search", "zed"], env);
    expect(listed.stdout).toMatch(/^NAME +ADMIN +SOURCE +DISABLED/);
    expect(listed.stdout).toMatch(/\nzed +local +yes +never +0\/0/);
    expect(listed.stdout).toContain('Page 1 of 1 (1 user matching "zed").');
    expect((await cli(["user", "enable", "zed"], env)).stdout).toContain('Enabled "zed": they can sign in again.');

    const reset = await cli(["user", "reset-password", "zed"], env);
    expect(reset.stdout).toMatch(/New password set for "zed"; 0 active sessions ended\.\nPassword \(shown once; pass it on privately\): \S{10,}/);
    const chosen = await cli(["user", "reset-password", "zed", "--password-stdin"], env, "zed-chosen-password\n");
    expect(chosen.stdout).not.toContain("zed-chosen-password");
    const short = await cli(["user", "reset-password", "zed", "--password-stdin"], env, "short\n");
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("Choose a stronger password.");

    const bad = await cli(["user", "list", "--sort", "password"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Not a valid list: sort: /);
    expect((await cli(["user", "remove", "zed"], env)).stdout).toContain('Removed "zed"; their sessions have ended.');
    expect(await query(dbA.url, "SELECT action FROM events WHERE target_user = 'zed' ORDER BY at")).toEqual(
      ["user_add", "user_disable", "user_enable", "user_password_reset", "user_password_reset", "user_remove"].map((action) => ({ action })),
    );
  }, CLI_TEST_MS);
});
