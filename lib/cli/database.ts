import { config } from "../config";
import { closeDb, connectDatabase } from "../db/client";
import { findRunningEmbeddedDb, startEmbeddedDb, type EmbeddedDb } from "../db/embedded";
import { applyMigrations } from "../db/migrate";

/** Runs `fn` connected to Berth's database (the configured one, or the embedded one under the data folder). */
export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  const c = config();
  let embedded: EmbeddedDb | undefined;
  let url = c.databaseUrl;
  if (!url) {
    // Berth may be running and holding the embedded database; join it rather than fight it.
    url = await findRunningEmbeddedDb(c.dataDir);
    if (!url) {
      embedded = await startEmbeddedDb(c.dataDir);
      url = embedded.url;
    }
  }
  connectDatabase(url, { embedded: true });
  try {
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
