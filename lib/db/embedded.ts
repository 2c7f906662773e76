import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

// The embedded default: PostgreSQL compiled to WebAssembly (PGlite), kept under the data folder
// and served on a loopback socket, so the app reaches it through the same pg driver adapter as a
// real PostgreSQL and the same SQL migrations apply to both.

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

const urlFor = (port: number) => `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

// Another Berth process (the server, when the CLI runs) may already hold the database; PGlite
// cannot be opened twice, so join that one through its socket.
export async function findRunningEmbeddedDb(dataDir: string): Promise<string | undefined> {
  try {
    const info = JSON.parse(readFileSync(path.join(dataDir, "db.json"), "utf8")) as { port: number; pid: number };
    if (info.pid !== process.pid && pidAlive(info.pid) && (await canConnect(info.port))) return urlFor(info.port);
  } catch {
    // no file, or a stale one: nobody is serving the database
  }
  return undefined;
}

export async function startEmbeddedDb(dataDir: string): Promise<EmbeddedDb> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const pgdata = path.join(dataDir, "pgdata");
  mkdirSync(pgdata, { recursive: true });
  const pg = await PGlite.create(pgdata);
  const server = new PGLiteSocketServer({ db: pg, host: "127.0.0.1", port: 0, maxConnections: 16 });
  await server.start();
  const port = Number(server.getServerConn().split(":").pop());
  const infoFile = path.join(dataDir, "db.json");
  writeFileSync(infoFile, JSON.stringify({ port, pid: process.pid }));
  return {
    url: urlFor(port),
    async stop() {
      rmSync(infoFile, { force: true });
      await server.stop();
      await pg.close();
    },
  };
}
