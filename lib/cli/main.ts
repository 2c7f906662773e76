import { config } from "../config";
import { addUser } from "../auth/add-user";
import { randomPassword } from "../auth/password";
import { closeDb, connectDatabase } from "../db/client";
import { findRunningEmbeddedDb, startEmbeddedDb, type EmbeddedDb } from "../db/embedded";
import { applyMigrations } from "../db/migrate";
import { AppError } from "../errors";

const USAGE = `Usage: npm run berth -- <command>

Commands:
  user add <name> [--admin] [--password-stdin]
      Adds a local account. Without --password-stdin a strong password is generated and
      printed once; with it, the password is read from standard input.
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
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

export async function run(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === "user" && command === "add") {
    const name = rest.find((a) => !a.startsWith("--"));
    const unknown = rest.filter((a) => a.startsWith("--") && a !== "--admin" && a !== "--password-stdin");
    if (!name || unknown.length) {
      process.stderr.write(`${unknown.length ? `Unknown option ${unknown.join(", ")}.\n` : "Give the new user's name.\n"}${USAGE}`);
      return 2;
    }
    const fromStdin = rest.includes("--password-stdin");
    const password = fromStdin ? await readStdin() : randomPassword();
    const user = await withDatabase(() => addUser({ name, password, isAdmin: rest.includes("--admin") }));
    process.stdout.write(`Added ${user.isAdmin ? "administrator" : "user"} "${user.name}".\n`);
    if (!fromStdin) process.stdout.write(`Password (shown once; pass it on privately): ${password}\n`);
    return 0;
  }
  process.stderr.write(argv.length ? `Unknown command "${argv.join(" ")}".\n${USAGE}` : USAGE);
  return argv.length ? 2 : 0;
}

// Run when executed directly (not when imported by a test).
if (process.argv[1] && /lib[\\/]cli[\\/]main\.ts$/.test(process.argv[1])) {
  run(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof AppError ? err.message : `Failed: ${(err as Error).message}`}\n`);
      process.exit(1);
    });
}
