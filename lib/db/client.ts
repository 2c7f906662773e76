import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import { config } from "../config";
import { shared, setShared } from "../shared";

export type Db = PrismaClient;
export type { Prisma } from "../generated/prisma/client";

interface DbState {
  url?: string;
  embedded: boolean;
  client?: PrismaClient;
}

const state = () => shared<DbState>("db", () => ({ embedded: false }));

// server.ts calls this once it knows where the database is (DATABASE_URL, or the embedded
// PGlite it started). Route handlers in Next's bundle read the same state through globalThis.
export function connectDatabase(url: string, opts: { embedded: boolean }): void {
  setShared<DbState>("db", { url, embedded: opts.embedded });
}

export function databaseUrl(): string {
  const s = state();
  const url = s.url ?? config().databaseUrl;
  if (!url) throw new Error("No database: set DATABASE_URL, or start Berth with `npm start` so it opens its embedded database.");
  return url;
}

export function db(): PrismaClient {
  const s = state();
  if (!s.client) {
    // PGlite is one connection underneath; its socket server queues per connection and keeps a
    // transaction on the connection that opened it, so one pooled connection is the safe choice.
    const adapter = new PrismaPg({ connectionString: databaseUrl(), max: s.embedded ? 1 : 10 });
    s.client = new PrismaClient({ adapter });
  }
  return s.client;
}

export async function closeDb(): Promise<void> {
  const s = state();
  const c = s.client;
  s.client = undefined;
  await c?.$disconnect();
}
