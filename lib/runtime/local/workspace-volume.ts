import { chownSync, closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statfsSync, statSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import path from "node:path";
import { log } from "../../log";
import { formatBytes } from "../../policy/quantity";
import { readSuperblockUsage, usageFromStatfs, type VolumeUsage } from "./ext4-usage";
import { onPath } from "./jupyter-command";
import { isMountPoint, looksMounted, runTool, unmount } from "./mounts";

export type { VolumeUsage };

// The storage limit on the local runtime. When Berth runs as root, a server's workspace is a
// filesystem of its own, the size of its profile's storage: a sparse image file formatted as
// ext4, mounted on the workspace folder (loop, nosuid, nodev) while the server runs. A server that
// writes more than that gets "No space left on device" inside its filesystem; the host's disk
// never fills through it. The images live in <dataDir>/volumes, closed to everyone but root
// (hardenDataDir leaves it 0700), so no server can read another's image, or its own raw blocks.
//
// Mounts are looked up in the kernel's table, never remembered: a server that keeps running across
// a restart of Berth keeps its mount, and a stop or delete by a later Berth process (or the CLI)
// finds the mount an earlier one made.
//
// Without root, without mkfs.ext4, or where the kernel has no loop devices (an unprivileged
// container), servers keep plain folders: storage is measured and shown, not enforced, and the
// dashboard says so (note()).

/** Blocks reserved for root: what Berth itself writes into a full filesystem at start (see prepareHome). */
const ROOT_RESERVE_BYTES = 4 * 1024 ** 2;
const ID = /^[0-9a-f-]{36}$/;
const SBIN = "/usr/sbin:/sbin:/usr/bin:/bin";

type Owner = { uid: number; gid: number };

interface Tools {
  mkfs: string;
  mount: string;
  umount: string;
  cp: string;
}

export class WorkspaceVolumes {
  /** Why storage is not enforced on this host; undefined while it is. */
  private why: string | undefined;
  private tools: Tools | undefined;
  /** One operation per server at a time: a stop's unmount never races a start's mount. */
  private locks = new Map<string, Promise<unknown>>();
  readonly dir: string;

  constructor(opts: { dataDir: string; asRoot: boolean; pathVar: string }) {
    this.dir = path.join(opts.dataDir, "volumes");
    if (!opts.asRoot) {
      this.why = "Berth does not run as root";
      return;
    }
    const search = `${opts.pathVar}:${SBIN}`;
    const found = { mkfs: onPath("mkfs.ext4", search), mount: onPath("mount", search), umount: onPath("umount", search), cp: onPath("cp", search) };
    const missing = Object.entries(found).find(([, v]) => !v)?.[0];
    if (missing) {
      this.why = `${missing === "mkfs" ? "mkfs.ext4 (Debian's e2fsprogs)" : missing} is not installed`;
      return;
    }
    if (!existsSync("/dev/loop-control")) {
      this.why = "the kernel offers no loop devices here (/dev/loop-control is missing)";
      return;
    }
    this.tools = found as Tools;
  }

  get enforced(): boolean {
    return this.why === undefined;
  }

  /** Said on the dashboard when storage is measured but not enforced. */
  note(): string | undefined {
    if (!this.why) return undefined;
    return `Storage is measured, not enforced, on this host (${this.why}): a server can write more than its profile's storage, as far as the host's disk allows. Run Berth as root on a host with loop devices to give each server a filesystem of its profile's size.`;
  }

  private image(id: string): string {
    if (!ID.test(id)) throw new Error(`Invalid server id ${id}`);
    return path.join(this.dir, `${id}.ext4`);
  }

  /**
   * Mounts the server's filesystem on its workspace folder before a start, first making it
   * (`bytes` large) when the server has none. True when the workspace is a filesystem of its own;
   * false when the server keeps a plain folder (storage not enforced here, or the files it had
   * before storage was enforced do not fit).
   */
  attach(id: string, workspace: string, bytes: number, owner: Owner | undefined, onProgress: (m: string) => void): Promise<boolean> {
    return this.locked(id, () => this.attachNow(id, workspace, bytes, owner, onProgress));
  }

  /** Unmounts the server's filesystem (its files stay in the image). Idempotent. */
  detach(id: string, workspace: string): Promise<void> {
    return this.locked(id, () => this.unmountNow(workspace));
  }

  /** Unmounts and deletes the server's filesystem: a deleted server's files are gone. Idempotent. */
  destroy(id: string, workspace: string): Promise<void> {
    return this.locked(id, async () => {
      await this.unmountNow(workspace);
      if (isMountPoint(workspace)) throw new Error(`The server's storage at ${workspace} could not be unmounted, so it was not deleted. Try again.`);
      const image = this.image(id);
      rmSync(image, { force: true });
      for (const leftover of [`${id}.staging`, `${id}.before`]) rmSync(path.join(this.dir, leftover), { recursive: true, force: true });
    });
  }

  /**
   * Used and total bytes from the filesystem itself, at once: statfs while it is mounted, the
   * image's superblock while it is not. Undefined for a plain folder (measured by a walk instead).
   */
  usage(id: string, workspace: string): VolumeUsage | undefined {
    if (looksMounted(workspace)) {
      try {
        return usageFromStatfs(statfsSync(workspace));
      } catch {
        // unmounted meanwhile: the superblock below is current again
      }
    }
    const image = this.image(id);
    return existsSync(image) ? readSuperblockUsage(image) : undefined;
  }

  private async attachNow(id: string, workspace: string, bytes: number, owner: Owner | undefined, onProgress: (m: string) => void): Promise<boolean> {
    const image = this.image(id);
    const hasImage = existsSync(image);
    const tools = this.tools;
    if (!tools) {
      if (hasImage) {
        throw new Error(`This server's files are in a filesystem of its own, which Berth can mount only as root on a host with loop devices (here ${this.why}). Start Berth as root to start this server.`);
      }
      return false;
    }
    mkdirSync(workspace, { recursive: true, mode: 0o700 });
    // Mounted already: by this process before a failed stop, or by an earlier Berth process.
    if (isMountPoint(workspace)) {
      this.prepareHome(workspace, owner);
      return true;
    }
    if (!hasImage && this.why) return false;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (!hasImage) {
      onProgress(`Creating this server's storage (${formatBytes(bytes)})`);
      await this.create(image, bytes, owner, tools);
      // A workspace from before storage was enforced (an older Berth, or a host without loop
      // devices then): its files move into the new filesystem, or it stays a folder.
      if (readdirSync(workspace).length > 0 && !(await this.moveIn(id, workspace, image, tools, onProgress))) return false;
    } else {
      // A profile whose storage changed since keeps each server at the size it was made with
      // (growing needs resize2fs; not done here). The dashboard shows the filesystem's own size.
      const made = statSync(image).size;
      if (made !== bytes) log.info("a server's storage keeps the size it was made with", { serverId: id, bytes: made, profileBytes: bytes });
    }
    try {
      await this.mount(image, workspace, tools);
    } catch (err) {
      if (hasImage) throw new Error(`This server's storage could not be mounted (${(err as Error).message}).`);
      // The kernel refused a loop device after all: servers keep plain folders, and the dashboard says so.
      rmSync(image, { force: true });
      this.why = `mounting a server's filesystem failed: ${(err as Error).message}`;
      log.warn("storage limits are not enforced: a server's filesystem could not be mounted", { error: (err as Error).message });
      return false;
    }
    if (!hasImage) rmSync(path.join(workspace, "lost+found"), { recursive: true, force: true });
    this.prepareHome(workspace, owner);
    return true;
  }

  private async create(image: string, bytes: number, owner: Owner | undefined, tools: Tools): Promise<void> {
    // Sparse: the host's disk is used only as the server writes.
    const fh = await open(image, "wx", 0o600);
    try {
      await fh.truncate(bytes);
    } finally {
      await fh.close();
    }
    // Root's reserve is what Berth needs to prepare a full filesystem for a start (prepareHome),
    // never the 5 % mke2fs would keep from every server.
    const reservePct = Math.min(5, (ROOT_RESERVE_BYTES / bytes) * 100).toFixed(3);
    const ext = ["lazy_journal_init=1", ...(owner ? [`root_owner=${owner.uid}:${owner.gid}`] : [])].join(",");
    try {
      await runTool(tools.mkfs, ["-q", "-F", "-m", reservePct, "-L", "berth-workspace", "-E", ext, image]);
    } catch (err) {
      rmSync(image, { force: true });
      throw new Error(`This server's storage (${formatBytes(bytes)}) could not be made: ${(err as Error).message}`);
    }
  }

  private mount(image: string, at: string, tools: Tools): Promise<void> {
    // The type is given, so mount never probes what the image holds.
    return runTool(tools.mount, ["-t", "ext4", "-o", "loop,nosuid,nodev", image, at]);
  }

  /** Moves a folder workspace's files into the new filesystem; false (image removed) when they do not fit. */
  private async moveIn(id: string, workspace: string, image: string, tools: Tools, onProgress: (m: string) => void): Promise<boolean> {
    const staging = path.join(this.dir, `${id}.staging`);
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    onProgress("Moving your files into this server's own storage");
    try {
      await this.mount(image, staging, tools);
    } catch (err) {
      rmSync(image, { force: true });
      rmSync(staging, { recursive: true, force: true });
      this.why = `mounting a server's filesystem failed: ${(err as Error).message}`;
      log.warn("storage limits are not enforced: a server's filesystem could not be mounted", { error: (err as Error).message });
      return false;
    }
    let failure: string | undefined;
    try {
      // Owners, modes, links and times as they are (cp -a); Berth is root.
      await runTool(tools.cp, ["-a", "--", `${workspace}/.`, `${staging}/`], 30 * 60_000);
    } catch (err) {
      failure = (err as Error).message;
    }
    await unmount(tools.umount, staging, log.warn);
    rmSync(staging, { recursive: true, force: true });
    if (failure) {
      rmSync(image, { force: true });
      log.warn("a server's files do not fit its storage; it keeps a plain folder, not limited", { serverId: id, error: failure });
      onProgress("Your files are more than this server's storage allows: it keeps using them as they are, without a limit, until you free space");
      return false;
    }
    const before = path.join(this.dir, `${id}.before`);
    rmSync(before, { recursive: true, force: true });
    renameSync(workspace, before);
    mkdirSync(workspace, { mode: 0o700 });
    await rm(before, { recursive: true, force: true });
    return true;
  }

  /**
   * What Jupyter must find at start on a full filesystem, made by Berth as root (which may use the
   * blocks reserved for root). Jupyter's runtime files (server info, cookie secret, kernel
   * connection files) are written outside the workspace already (JUPYTER_RUNTIME_DIR); what is
   * left is jupyter_core's one-time migration of ~/.ipython, which writes ~/.jupyter/migrated on
   * the first start after a kernel made ~/.ipython, and fails the start when it cannot.
   */
  private prepareHome(workspace: string, owner: Owner | undefined): void {
    const config = path.join(workspace, ".jupyter");
    const marker = path.join(config, "migrated");
    try {
      if (!existsSync(config)) {
        mkdirSync(config, { mode: 0o755 });
        if (owner) chownSync(config, owner.uid, owner.gid);
      }
      // Only into a real folder of the server's: a link it left there is not followed.
      if (!lstatSync(config).isDirectory() || existsSync(marker)) return;
      const made = createEmpty(marker);
      if (made && owner) chownSync(marker, owner.uid, owner.gid);
    } catch (err) {
      log.warn("could not prepare a server's home for a start", { workspace, error: (err as Error).message });
    }
  }

  private unmountNow(workspace: string): Promise<void> {
    if (!this.tools) return Promise.resolve();
    return unmount(this.tools.umount, workspace, log.warn);
  }

  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(id) ?? Promise.resolve();
    const result = before.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return result;
  }
}

/** Creates an empty file, never through a link (O_NOFOLLOW) and never over an existing one. */
function createEmpty(file: string): boolean {
  try {
    closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o644));
    return true;
  } catch {
    return false;
  }
}

/** A copy into a full workspace (a launch's files) fails with what the person can do, not a host path. */
export function noSpaceExplained(err: unknown, storage: string): unknown {
  if ((err as NodeJS.ErrnoException)?.code !== "ENOSPC") return err;
  return new Error(`The repository's files do not fit in this server's storage (${storage}). Delete files you no longer need in it, or launch into a server whose profile has more storage.`);
}
