import { spawn } from "node:child_process";
import { linkSync, lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { authSecret } from "../../lib/auth/secret";
import { config } from "../../lib/config";
import { startEmbeddedDb } from "../../lib/db/embedded";
import { runtime } from "../../lib/runtime";
import { NOT_ISOLATED_NOTE } from "../../lib/runtime/local/isolation";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";
import { makeUser, pidAlive, waitFor, waitForState } from "../helpers";
import { runInNewKernel } from "../helpers/kernel";
import { query } from "../helpers/pg";

// Code in a local server is hostile (DESIGN.md §8). With Berth running as root, as here, each
// server runs under a uid of its own: the code below runs in alice's kernel and tries what a
// kernel running as root could do (read Berth's auth secret, another person's workspace, Berth's
// environment with DATABASE_URL), and every attempt must fail.

const asRoot = process.getuid?.() === 0;
const dataDir = () => config().dataDir;
const workspace = (id: string) => path.join(dataDir(), "workspaces", id);

let alice: Actor;
let bob: Actor;

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  // Berth's own secret, made as Berth makes it at start (NEXTAUTH_SECRET is unset in this suite).
  authSecret();
});

async function running(actor: Actor, name: string) {
  const s = await createServer(actor, actor.name, { name });
  await startServer(actor, actor.name, name);
  return waitForState(s.id, "running");
}

// Each attempt prints its outcome: "ok", or the exception's class. Paths come in as JSON.
const ATTACK = (targets: Record<string, string>) => `
import json, os, socket, stat, subprocess
t = json.loads(${JSON.stringify(JSON.stringify(targets))})
out = {}
def attempt(name, fn):
    try:
        fn()
        out[name] = "ok"
    except Exception as e:
        out[name] = type(e).__name__
attempt("authSecret", lambda: open(t["authSecret"]).read())
attempt("laterFile", lambda: open(t["laterFile"]).read())
attempt("uidRecord", lambda: open(t["uidRecord"]).read())
attempt("dbInfo", lambda: open(t["dbInfo"]).read())
attempt("dbFiles", lambda: os.listdir(t["pgdata"]))
def connect_db():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(t["dbSocket"])
    finally:
        s.close()
attempt("dbSocket", connect_db)
attempt("listDataDir", lambda: os.listdir(t["dataDir"]))
attempt("listWorkspaces", lambda: os.listdir(t["workspaces"]))
attempt("bobFile", lambda: open(t["bobFile"]).read())
attempt("listBobWorkspace", lambda: os.listdir(t["bobWorkspace"]))
attempt("listBobRuntime", lambda: os.listdir(t["bobRuntime"]))
attempt("berthEnviron", lambda: open("/proc/%s/environ" % t["berthPid"], "rb").read())
attempt("testEnviron", lambda: open("/proc/%s/environ" % t["testPid"], "rb").read())
attempt("writeOwnWorkspace", lambda: open(os.path.join(os.environ["HOME"], "mine.txt"), "w").write("mine"))
leaks, refused = [], 0
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        if b"DATABASE_URL" in open("/proc/%s/environ" % p, "rb").read():
            leaks.append(p)
    except PermissionError:
        refused += 1
    except (FileNotFoundError, ProcessLookupError):
        pass
home = os.stat(os.environ["HOME"])
escaped = subprocess.Popen(["env", "-i", "setsid", "sleep", "600"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
out.update(uid=os.getuid(), euid=os.geteuid(), gid=os.getgid(), groups=os.getgroups(), homeUid=home.st_uid, homeMode=stat.S_IMODE(home.st_mode),
           leaks=leaks, refused=refused, env=sorted(os.environ), user=os.environ.get("USER"), escaped=escaped.pid)
import getpass
out["getuser"] = getpass.getuser()
print(json.dumps(out))
`;

describe("local servers are isolated from Berth and from each other", () => {
  it(asRoot ? "code in alice's kernel cannot read the auth secret, bob's workspace or Berth's environment" : "says that servers are not isolated (Berth is not root here)", async () => {
    if (!asRoot) {
      // Not vacuous: without root there is no isolation to test, and Berth must say so.
      expect(runtime().capabilities().isolationNote).toBe(NOT_ISOLATED_NOTE);
      return;
    }
    expect(runtime().capabilities().isolationNote).toBeUndefined();

    // Bob's workspace as an older Berth (running Jupyter as root) left it: root's files, and a
    // hard link to Berth's secret, which taking the workspace over must not hand to bob's uid.
    const bobServer = await createServer(bob, "bob", { name: "notes" });
    mkdirSync(workspace(bobServer.id), { recursive: true });
    writeFileSync(path.join(workspace(bobServer.id), "diary.txt"), "bob's secret diary\n", { mode: 0o644 });
    const secretFile = path.join(dataDir(), "auth-secret");
    linkSync(secretFile, path.join(workspace(bobServer.id), "linked-secret"));
    await startServer(bob, "bob", "notes");
    const bobRow = await waitForState(bobServer.id, "running");
    const bobDir = statSync(workspace(bobServer.id));
    expect(bobDir.uid).toBeGreaterThanOrEqual(config().localUidBase);
    expect(bobDir.mode & 0o777).toBe(0o700);
    expect(statSync(path.join(workspace(bobServer.id), "diary.txt")).uid).toBe(bobDir.uid);
    expect(lstatSync(secretFile).uid).toBe(0);
    expect(lstatSync(secretFile).mode & 0o777).toBe(0o600);

    // A file Berth writes into its data folder after it started (as db.json is) is closed by
    // the next server start.
    const laterFile = path.join(dataDir(), "later.json");
    writeFileSync(laterFile, "{}", { mode: 0o644 });

    // Berth's code runs in this test process, but /proc/<pid>/environ shows the environment a
    // process was started with, and this suite sets DATABASE_URL after that. A stand-in for Berth
    // as an operator starts it, with its database address in its environment, runs beside it.
    const berth = spawn("sleep", ["600"], { stdio: "ignore", env: { PATH: process.env.PATH, DATABASE_URL: "postgresql://berth:hunter2@db.internal/berth" } as unknown as NodeJS.ProcessEnv });
    // The embedded database (PGlite asks for no password) as `npm start` opens it in the data folder.
    const embedded = await startEmbeddedDb(dataDir());
    expect(await query(embedded.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    const aliceRow = await running(alice, "work");
    const targets = {
      authSecret: secretFile,
      laterFile,
      uidRecord: path.join(dataDir(), "local-uids.json"),
      dbInfo: path.join(dataDir(), "db.json"),
      pgdata: path.join(dataDir(), "pgdata"),
      dbSocket: path.join(dataDir(), "pgsocket", ".s.PGSQL.5432"),
      dataDir: dataDir(),
      workspaces: path.join(dataDir(), "workspaces"),
      bobFile: path.join(workspace(bobServer.id), "diary.txt"),
      bobWorkspace: workspace(bobServer.id),
      bobRuntime: path.join(dataDir(), "runtime", bobServer.id),
      berthPid: String(berth.pid),
      testPid: String(process.pid),
    };
    let out: Record<string, unknown> & { uid: number; escaped: number; refused: number };
    try {
      out = JSON.parse(await runInNewKernel(aliceRow, serverBaseUrl("alice", "work"), ATTACK(targets), { keepKernel: true }));
    } finally {
      berth.kill("SIGKILL");
      await embedded.stop();
    }

    expect(out).toMatchObject({
      authSecret: "PermissionError",
      laterFile: "PermissionError",
      uidRecord: "PermissionError",
      dbInfo: "PermissionError",
      dbFiles: "PermissionError",
      dbSocket: "PermissionError",
      listDataDir: "PermissionError",
      listWorkspaces: "PermissionError",
      bobFile: "PermissionError",
      listBobWorkspace: "PermissionError",
      listBobRuntime: "PermissionError",
      berthEnviron: "PermissionError",
      testEnviron: "PermissionError",
      writeOwnWorkspace: "ok",
      leaks: [],
      user: "alice",
      getuser: "alice",
    });
    // Berth's stand-in, this process and bob's Jupyter at least were refused.
    expect(out.refused).toBeGreaterThanOrEqual(3);
    expect(out.uid).not.toBe(0);
    expect(out.uid).toBeGreaterThanOrEqual(config().localUidBase);
    expect(out).toMatchObject({ euid: out.uid, gid: out.uid, homeUid: out.uid, homeMode: 0o700 });
    expect(out.uid).not.toBe(bobDir.uid);
    // No supplementary group of root's came along.
    expect((out.groups as number[]).filter((g) => g !== out.uid)).toEqual([]);
    // Nothing of Berth's environment: only what the runtime sets.
    expect((out.env as string[]).filter((k) => /DATABASE|BERTH|NEXTAUTH|SECRET|PG/.test(k))).toEqual([]);
    expect(statSync(path.join(workspace(aliceRow.id), "mine.txt")).uid).toBe(out.uid);

    // Deleting the server ends every process of its uid, even one that left the server's process
    // group and dropped its environment (the runtime-folder marker) on the way.
    expect(pidAlive(out.escaped)).toBe(true);
    await deleteServer(alice, "alice", "work");
    await waitFor("the escaped process to end", async () => !pidAlive(out.escaped), 15_000);
    expect(() => statSync(workspace(aliceRow.id))).toThrow();
    expect(readFileSync(path.join(dataDir(), "local-uids.json"), "utf8")).not.toContain(aliceRow.id);

    // Bob's server kept its uid through a restart.
    await stopServer(bob, "bob", "notes");
    await startServer(bob, "bob", "notes");
    await waitForState(bobRow.id, "running");
    expect(statSync(workspace(bobServer.id)).uid).toBe(bobDir.uid);
  }, 300_000); // two Jupyter starts, a restart, PGlite and a kernel on two shared cores
});
