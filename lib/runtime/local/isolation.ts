import { chmodSync, lchownSync, lstatSync, mkdirSync, readdirSync, type Stats } from "node:fs";
import path from "node:path";

// What keeps local servers apart when Berth runs as root and each server runs under its own uid
// (see server-uids.ts): the data folder's modes, workspaces owned by their server, and finding
// every process of a server's uid.

/** Folders under the data folder that servers must pass through; everything else is Berth's own. */
const SERVER_REACHABLE = new Set(["workspaces", "runtime", "builds"]);

/**
 * Closes the data folder to servers. The folder itself and the three folders servers pass
 * through (their own workspace and runtime folder; a launch's environment under builds/) are
 * 0711: enterable, so a server reaches the one path it knows, but not listable, so it cannot find
 * the others. Every other entry (the auth secret, the embedded database and its address, the uid
 * record, whatever a later Berth keeps there) loses all access for group and others. Run at
 * start and before each server start, so files written since (db.json, auth-secret) are covered.
 */
export function hardenDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o711);
  for (const name of SERVER_REACHABLE) {
    mkdirSync(path.join(dataDir, name), { recursive: true });
  }
  for (const name of readdirSync(dataDir)) {
    const full = path.join(dataDir, name);
    let st: Stats;
    try {
      st = lstatSync(full);
    } catch {
      continue; // removed meanwhile
    }
    if (st.isSymbolicLink()) continue; // chmod would follow it to whatever it names
    if (SERVER_REACHABLE.has(name) && st.isDirectory()) chmodSync(full, 0o711);
    // Berth's Jupyter authenticator (lib/runtime/jupyter-auth): public code every server imports.
    else if (name === "jupyter-auth" && st.isDirectory()) chmodSync(full, 0o755);
    else if (st.mode & 0o077) chmodSync(full, st.mode & 0o7700);
  }
}

/**
 * Says why a server running as another uid could not reach `dir`, or undefined when it can: every
 * folder above it must let others pass (the x bit). Berth does not open the host's folders itself
 * (a data folder in /root would mean opening /root); it says which one is closed.
 */
export function unreachableBecause(dir: string): string | undefined {
  const parts: string[] = [];
  for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
    parts.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const d of parts) {
    try {
      if ((lstatSync(d).mode & 0o001) === 0) return d;
    } catch {
      return d;
    }
  }
  return undefined;
}

/**
 * Makes `dir` the server's own: owned by uid:gid, mode 0700. The contents are re-owned when the
 * folder's owner is not the server's (a workspace an older Berth made as root, or a base that
 * moved) or when `deep` says Berth wrote into it (a launch's files). Never follows a symbolic
 * link (lstat + lchown), and leaves a file with several hard links as it is: such a file may be a
 * link to something outside the workspace, which chown would hand to the server. Callers make
 * sure no process of the uid is running meanwhile, so nothing changes under the walk.
 */
export function ownDir(dir: string, uid: number, gid: number, deep = false): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const top = lstatSync(dir);
  if (!top.isDirectory()) throw new Error(`${dir} is not a folder`);
  if (deep || top.uid !== uid || top.gid !== gid) ownTree(dir, uid, gid);
  chmodSync(dir, 0o700);
}

function ownTree(root: string, uid: number, gid: number): void {
  const stack = [root];
  while (stack.length) {
    const current = stack.pop()!;
    let st: Stats;
    try {
      st = lstatSync(current);
    } catch {
      continue;
    }
    const linked = st.isFile() && st.nlink > 1;
    if (!linked && (st.uid !== uid || st.gid !== gid)) lchownSync(current, uid, gid);
    if (st.isDirectory()) {
      for (const name of readdirSync(current)) stack.push(path.join(current, name));
    }
  }
}

/** The uid Berth runs as is root (injectable in LocalRuntimeOptions for tests). */
export const runningAsRoot = () => process.getuid?.() === 0;

/** Said on the dashboard and logged at start when servers cannot be given uids of their own. */
export const NOT_ISOLATED_NOTE =
  "Servers run as Berth's own user and are not isolated from each other: code in one server can read the files of the others and Berth's data folder. Run Berth as root to give each server a user of its own.";

export { processesOfUid } from "./server-processes";
