import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

// The embedded default: PostgreSQL compiled to WebAssembly (PGlite), kept under the data folder
// and served on a socket, so the app reaches it through the same pg driver adapter as a real
// PostgreSQL and the same SQL migrations apply to both.
//
// A Unix socket in a folder only Berth's user may enter, not a loopback port: PGlite's socket
// server asks for no password, and a port on 127.0.0.1 is open to every process on the machine,
// the code in local servers included. pg reaches a socket folder given as the host, at
// <folder>/.s.PGSQL.<port>, as libpq does.

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

const SOCKET_PORT = 5432;
const socketDir = (dataDir: string) => path.join(dataDir, "pgsocket");
const socketFile = (dataDir: string) => path.join(socketDir(dataDir), `.s.PGSQL.${SOCKET_PORT}`);
const urlFor = (dataDir: string) => `postgresql://postgres:postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDir(dataDir))}`;
// sun_path holds 108 bytes with its terminating zero.
const SOCKET_PATH_MAX = 107;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path: socket }, () => {
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
    const info = JSON.parse(readFileSync(path.join(dataDir, "db.json"), "utf8")) as { pid: number };
    if (info.pid !== process.pid && pidAlive(info.pid) && (await canConnect(socketFile(dataDir)))) return urlFor(dataDir);
  } catch {
    // no file, or a stale one: nobody is serving the database
  }
  return undefined;
}

export async function startEmbeddedDb(dataDir: string): Promise<EmbeddedDb> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const socket = socketFile(dataDir);
  if (Buffer.byteLength(socket) > SOCKET_PATH_MAX) {
    throw new Error(`The embedded database's socket ${socket} is longer than a socket path may be (${SOCKET_PATH_MAX} bytes). Set BERTH_DATA_DIR to a shorter folder, or set DATABASE_URL to use a PostgreSQL server.`);
  }
  const pgdata = path.join(dataDir, "pgdata");
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  mkdirSync(socketDir(dataDir), { recursive: true, mode: 0o700 });
  chmodSync(socketDir(dataDir), 0o700);
  // Left by a Berth that did not stop cleanly (callers checked that none is running).
  rmSync(socket, { force: true });
  const pg = await PGlite.create(pgdata);
  const server = new PGLiteSocketServer({ db: pg, path: socket, maxConnections: 16 });
  await server.start();
  const infoFile = path.join(dataDir, "db.json");
  writeFileSync(infoFile, JSON.stringify({ pid: process.pid }), { mode: 0o600 });
  return {
    url: urlFor(dataDir),
    async stop() {
      rmSync(infoFile, { force: true });
      await server.stop();
      await pg.close();
    },
  };
}
