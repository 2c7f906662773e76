import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

// When Berth runs as root, each local server runs under a uid of its own, taken from a range
// that starts at BERTH_LOCAL_UID_BASE. No passwd entries are made: the host's user database is
// left alone, and the kernel needs only a number (HOME, USER and LOGNAME come from the
// environment Berth gives it).
//
// Per server rather than per person, for two reasons. Stopping one server can end every process
// of its uid, which catches what escaped the runtime-folder marker (a kernel that exec'd itself
// with a clean environment and setsid'd away); with a shared uid that would stop the person's
// other servers too. And while Berth writes into a stopped server's workspace as root (copying a
// launch's files, taking over files an older Berth left owned by root), no process of that uid
// is running to swap a folder for a symbolic link underneath it.
//
// The numbers are recorded in <dataDir>/local-uids.json, so a server keeps its uid across
// restarts of Berth, and the file's owner survives with the workspaces it describes. Offsets
// from the base are stored, not uids, so an operator who moves the range moves every server with
// it (workspaces are re-owned at their next start). An offset is never handed out twice, even
// after its server is deleted: files a deleted server left in /tmp or /dev/shm stay out of reach
// of the next server. One Berth process owns a data folder (the embedded database refuses a
// second), and allocation is synchronous, so two starts in this process cannot take one number.
//
// Other Berths on the same host (another data folder, a test run) count from the same base. So
// that two of them never give one uid to two servers — which would let one's server read the
// other's workspace, and stopping one would end the other — a new number is also claimed
// host-wide: mkdir of <claims folder>/<uid> succeeds for exactly one claimant, and a number some
// other Berth claimed is skipped. Claims are never released, like the numbers themselves.

interface UidFile {
  version: 1;
  next: number;
  servers: Record<string, number>;
}

export const UID_FILE = "local-uids.json";

export class ServerUids {
  private state: UidFile | undefined;

  constructor(
    private dataDir: string,
    private base: number,
    /** Host-wide claims (BERTH_LOCAL_UID_CLAIMS_DIR); undefined: this data folder's record only. */
    private claimsDir?: string,
  ) {}

  /** Claims `uid` for this data folder on the host; false when another Berth holds it. */
  private claim(uid: number): boolean {
    if (!this.claimsDir) return true;
    mkdirSync(this.claimsDir, { recursive: true, mode: 0o700 });
    const dir = path.join(this.claimsDir, String(uid));
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    }
    // Who holds it, for an operator reading the folder.
    writeFileSync(path.join(dir, "owner"), `${this.dataDir}\n`, { mode: 0o600 });
    return true;
  }

  private get file() {
    return path.join(this.dataDir, UID_FILE);
  }

  private load(): UidFile {
    if (this.state) return this.state;
    if (!existsSync(this.file)) return (this.state = { version: 1, next: 0, servers: {} });
    let parsed: UidFile;
    try {
      parsed = JSON.parse(readFileSync(this.file, "utf8")) as UidFile;
    } catch (err) {
      throw new Error(`${this.file} cannot be read (${(err as Error).message}). It records the uid each local server runs as; restore it from a backup, or remove it to give every server a new uid (workspaces are re-owned at their next start).`);
    }
    const offsets = Object.values(parsed?.servers ?? {});
    if (parsed?.version !== 1 || !Number.isInteger(parsed.next) || offsets.some((o) => !Number.isInteger(o) || o < 0 || o >= parsed.next)) {
      throw new Error(`${this.file} is damaged. It records the uid each local server runs as; restore it from a backup, or remove it to give every server a new uid (workspaces are re-owned at their next start).`);
    }
    return (this.state = parsed);
  }

  private save(state: UidFile) {
    const tmp = `${this.file}.tmp`;
    // Only Berth reads it; the data folder's other entries are closed to servers the same way.
    writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  /** The server's uid (and group id: the same number), allocating the next one on first use. */
  uidFor(serverId: string): number {
    const state = this.load();
    let offset = state.servers[serverId];
    if (offset === undefined) {
      offset = state.next;
      while (!this.claim(this.base + offset)) offset++;
      const next: UidFile = { version: 1, next: offset + 1, servers: { ...state.servers, [serverId]: offset } };
      this.save(next);
      this.state = next;
    }
    return this.base + offset;
  }

  /** The uid recorded for the server, without allocating one. */
  known(serverId: string): number | undefined {
    const offset = this.load().servers[serverId];
    return offset === undefined ? undefined : this.base + offset;
  }

  /** Drops a deleted server's record; its number is not handed out again. */
  forget(serverId: string): void {
    const state = this.load();
    if (!(serverId in state.servers)) return;
    const servers = { ...state.servers };
    delete servers[serverId];
    const next: UidFile = { ...state, servers };
    this.save(next);
    this.state = next;
  }
}
