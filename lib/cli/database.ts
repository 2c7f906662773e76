import { config } from "../config";
import { closeDb, connectDatabase } from "../db/client";
import { findRunningEmbeddedDb, startEmbeddedDb, type EmbeddedDb } from "../db/embedded";
import { databaseMismatch, dataDirMarker, describeDatabase, hasEmbeddedDatabase, readInstallation, runningInstances } from "../db/installation";
import { applyMigrations } from "../db/migrate";
import { AppError } from "../errors";

/**
 * Runs `fn` connected to Berth's database (the configured one, or the embedded one under the data
 * folder) — only when it is the database of the Berth running from this checkout, if one runs, and
 * a Berth database at all: a mistyped BERTH_DATA_DIR or DATABASE_URL must not quietly make a new one.
 */
export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  const c = config();
  const here = describeDatabase(c.databaseUrl, c.dataDir);
  const running = runningInstances();
  let embedded: EmbeddedDb | undefined;
  let url = c.databaseUrl;
  if (!url) {
    // Berth may be running and holding the embedded database; join it rather than fight it.
    url = await findRunningEmbeddedDb(c.dataDir);
    if (!url) {
      if (!hasEmbeddedDatabase(c.dataDir)) {
        const other = running[0] ? ` (the Berth running now, process ${running[0].pid}, uses ${running[0].external ? running[0].database : `BERTH_DATA_DIR=${running[0].dataDir}`})` : "";
        throw new AppError("not_found", `There is no Berth database in ${c.dataDir}. Start Berth with \`npm run up\` first, or set BERTH_DATA_DIR to the folder Berth uses${other}; nothing was changed.`);
      }
      embedded = await startEmbeddedDb(c.dataDir);
      url = embedded.url;
    }
  }
  try {
    const problem = databaseMismatch({ here, dataDir: c.dataDir, identity: await readInstallation(url), running, marker: dataDirMarker(c.dataDir) });
    if (problem) throw new AppError("conflict", problem);
    connectDatabase(url, { embedded: true });
    await applyMigrations(url);
    return await fn();
  } finally {
    await closeDb();
    await embedded?.stop();
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}
