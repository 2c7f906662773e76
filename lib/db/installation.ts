import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { withClient } from "./with-client";

// Which database a Berth uses, recorded where the CLI can find it, so that a command run with other
// settings than the running Berth's is refused instead of quietly opening (or creating) another
// database. Three records:
//  - the database's own id: the one row of `installation` (made by its migration, re-made at start);
//  - a marker in the data folder (berth-instance.json): which database this folder belongs to;
//  - a note per running Berth process, in a folder under the system's temporary folder named after
//    the checkout Berth runs from: the CLI (`npm run berth`, run from the same checkout) lists them.

export interface DatabaseIdentity {
  /** the database has Berth's tables */
  hasBerth: boolean;
  installationId: string | null;
}

export interface BerthInstance {
  pid: number;
  installationId: string;
  dataDir: string;
  /** where its database is, for people: "the embedded database in <dir>" or host:port/name (no credentials) */
  database: string;
  /** whether it uses DATABASE_URL (else the embedded database) */
  external: boolean;
  startedAt: string;
}

const MARKER = "berth-instance.json";

/** A database for people: never its user name or password. */
export function describeDatabase(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return `the embedded database in ${dataDir}`;
  try {
    const u = new URL(databaseUrl);
    const host = u.searchParams.get("host") ?? `${u.hostname}${u.port ? `:${u.port}` : ""}`;
    return `PostgreSQL database "${decodeURIComponent(u.pathname.slice(1)) || "postgres"}" on ${host}`;
  } catch {
    return "the database in DATABASE_URL";
  }
}


/** Reads the database's id without changing anything (no migration runs before this check). */
export function readInstallation(url: string): Promise<DatabaseIdentity> {
  return withClient(url, async (c) => {
    const t = await c.query<{ users: boolean; installation: boolean }>(
      `SELECT to_regclass('public.users') IS NOT NULL AS users, to_regclass('public.installation') IS NOT NULL AS installation`,
    );
    const { users, installation } = t.rows[0];
    if (!installation) return { hasBerth: users, installationId: null };
    const r = await c.query<{ id: string }>(`SELECT installation_id::text AS id FROM installation WHERE id = 1`);
    return { hasBerth: true, installationId: r.rows[0]?.id ?? null };
  });
}

/** The database's id, made if its row is missing. Berth calls this at start, after migrating. */
export function ensureInstallationId(url: string): Promise<string> {
  return withClient(url, async (c) => {
    await c.query(`INSERT INTO installation (id) VALUES (1) ON CONFLICT (id) DO NOTHING`);
    const r = await c.query<{ id: string }>(`SELECT installation_id::text AS id FROM installation WHERE id = 1`);
    return r.rows[0].id;
  });
}

/** Is there an embedded database in this data folder (PostgreSQL's PG_VERSION file in pgdata)? */
export function hasEmbeddedDatabase(dataDir: string): boolean {
  return existsSync(path.join(dataDir, "pgdata", "PG_VERSION"));
}

function appRoot(): string {
  return path.resolve(import.meta.dirname ?? process.cwd(), "../..");
}

/** Where running Berths of this checkout leave their note; per user, per checkout. */
export function instancesDir(): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  const checkout = createHash("sha256").update(appRoot()).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), `berth-${uid}`, checkout);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, someone else's
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Records that this process is a Berth using `info`'s database; returns what undoes the note. */
export function announceInstance(info: Omit<BerthInstance, "pid" | "startedAt">): () => void {
  const entry: BerthInstance = { ...info, pid: process.pid, startedAt: new Date().toISOString() };
  const dir = instancesDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${process.pid}.json`);
  writeFileSync(file, JSON.stringify(entry), { mode: 0o600 });
  mkdirSync(info.dataDir, { recursive: true });
  writeFileSync(path.join(info.dataDir, MARKER), JSON.stringify(entry), { mode: 0o600 });
  const withdraw = () => rmSync(file, { force: true });
  process.once("exit", withdraw);
  return withdraw;
}

/** Berths running from this checkout now (not this process); notes of dead processes are removed. */
export function runningInstances(): BerthInstance[] {
  const dir = instancesDir();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d+\.json$/.test(n));
  } catch {
    return [];
  }
  const out: BerthInstance[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    try {
      const e = JSON.parse(readFileSync(file, "utf8")) as BerthInstance;
      if (e.pid === process.pid) continue;
      if (pidAlive(e.pid)) out.push(e);
      else rmSync(file, { force: true });
    } catch {
      // half-written or unreadable: not a Berth we can name
    }
  }
  return out;
}

/** The last Berth that started with this data folder, and its database; null when none did. */
export function dataDirMarker(dataDir: string): BerthInstance | null {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, MARKER), "utf8")) as BerthInstance;
  } catch {
    return null;
  }
}

function settingsOf(b: BerthInstance): string {
  return b.external ? `DATABASE_URL set to its database (${b.database}) and BERTH_DATA_DIR=${b.dataDir}` : `BERTH_DATA_DIR=${b.dataDir} and no DATABASE_URL`;
}

/**
 * Why the CLI must not use the database it was pointed at, or null when it may. `here` describes
 * that database; `identity` is what it holds; `running` are the Berths running from this checkout;
 * `marker` is what the data folder says about the database it belongs to.
 */
export function databaseMismatch(input: { here: string; dataDir: string; identity: DatabaseIdentity; running: BerthInstance[]; marker: BerthInstance | null }): string | null {
  const { here, identity, running, marker } = input;
  const same = running.filter((r) => r.installationId === identity.installationId);
  if (running.length && !same.length) {
    const r = running[0];
    return `Berth is running (process ${r.pid}) with ${r.database}, but this command would use ${here}. Run it with the same settings as that Berth (${settingsOf(r)}); nothing was changed.`;
  }
  // The data folder holds the servers' storage (local runtime): removing a user must remove theirs.
  if (same.length && !same.some((r) => path.resolve(r.dataDir) === path.resolve(input.dataDir))) {
    const r = same[0];
    return `Berth is running (process ${r.pid}) with the data folder ${r.dataDir}, but this command would use ${input.dataDir}. Run it with BERTH_DATA_DIR=${r.dataDir}; nothing was changed.`;
  }
  if (!identity.hasBerth) {
    return `There is no Berth database in ${here}. Start Berth with it first (\`npm run up\`), or set DATABASE_URL and BERTH_DATA_DIR to the ones Berth uses; nothing was changed.`;
  }
  if (!running.length && marker && identity.installationId && marker.installationId !== identity.installationId) {
    return `The data folder ${input.dataDir} belongs to the Berth whose database is ${marker.database}, but this command would use ${here}. Run it with ${settingsOf(marker)}, or start Berth once with these settings so that it records them; nothing was changed.`;
  }
  return null;
}
