import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, databaseUrl } from "../../lib/db/client";
import { createServer } from "../../lib/servers/create-server";
import { makeUser } from "../helpers";
import { kube, listClaims, listPods, sim } from "../helpers/kube";

// Two Berth processes (two replicas) against one database and one API server, racing each other
// on the same server: exactly one of them starts it, stops it, deletes it; neither reports an
// error for what the other did; the database and the cluster agree afterwards.

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "berth-two-"));

interface Reply {
  id?: number;
  ok?: boolean;
  state?: string;
  reason?: string;
  ready?: boolean;
  error?: { name: string; code?: string; status?: number; message: string };
}

class Instance {
  private child: ChildProcess;
  private waiting = new Map<number, (r: Reply) => void>();
  private nextId = 1;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  stderr = "";

  constructor(readonly label: string) {
    this.child = spawn(process.execPath, ["--import", "tsx", path.join(root, "test/k8s/berth-instance.ts")], {
      cwd: root,
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        DATABASE_URL: databaseUrl(),
        BERTH_DATA_DIR: path.join(dir, label),
        BERTH_RUNTIME: "kubernetes",
        BERTH_KUBECONFIG: kube().berthKubeconfig,
        BERTH_KUBE_NAMESPACE: kube().namespace,
        BERTH_JUPYTER_COMMAND: "jupyter-notebook",
        BERTH_LOG_LEVEL: "error",
        BERTH_TEST_RECORD: path.join(kube().recordsDir, `two-instances-${label}.json`),
      },
    });
    this.child.stderr!.on("data", (d) => (this.stderr += String(d)));
    this.exited = new Promise((r) => this.child.on("exit", (code) => r(code)));
    let markReady!: () => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      void this.exited.then((code) => reject(new Error(`instance ${label} exited (${code}): ${this.stderr}`)));
    });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      const r = JSON.parse(line) as Reply;
      if (r.ready) markReady();
      else if (r.id !== undefined) this.waiting.get(r.id)?.(r);
    });
  }

  send(cmd: Record<string, unknown>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin!.write(JSON.stringify({ id, ...cmd }) + "\n");
    });
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await this.send({ op: "exit" });
    await this.exited;
  }

  kill() {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

let a: Instance;
let b: Instance;

beforeAll(async () => {
  a = new Instance("a");
  b = new Instance("b");
  await Promise.all([a.ready, b.ready]);
});

afterAll(async () => {
  await Promise.all([a.exit(), b.exit()]).finally(() => {
    a.kill();
    b.kill();
  });
  rmSync(dir, { recursive: true, force: true });
});

/** The same command to both instances in the same tick. */
const both = (cmd: Record<string, unknown>) => Promise.all([a.send(cmd), b.send(cmd)]);

async function actions(serverName: string) {
  return (await db().event.findMany({ where: { serverName }, orderBy: { at: "asc" } })).map((e) => e.action);
}
const count = (list: string[], action: string) => list.filter((x) => x === action).length;

describe("two Berth instances, one database, one cluster, racing on one server", () => {
  let serverId: string;
  const cmd = { user: "alice", name: "shared" };

  beforeAll(async () => {
    await makeUser("alice");
    serverId = (await createServer({ id: null, name: "berth", isAdmin: true }, "alice", { name: "shared" })).id;
  });

  it("start from both: one launches it, the other sees it starting; one pod", async () => {
    const started = await both({ op: "start", ...cmd });
    for (const r of started) expect(r, JSON.stringify(r.error)).toMatchObject({ ok: true });
    for (const r of await both({ op: "wait", serverId, state: "running" })) expect(r).toMatchObject({ ok: true, state: "running" });
    await both({ op: "settle" });
    expect(await listPods(`berth/server-id=${serverId}`)).toHaveLength(1);
    expect((await sim().podUids())["jupyter-alice--shared"]).toHaveLength(1);
    const seen = await actions("shared");
    expect(count(seen, "start")).toBe(1);
    expect(count(seen, "started")).toBe(1);
    expect(count(seen, "failed")).toBe(0);
  });

  it("stop from both: one stops it, the other finds it stopping or stopped; the claim stays", async () => {
    const stopped = await both({ op: "stop", ...cmd });
    for (const r of stopped) expect(r, JSON.stringify(r.error)).toMatchObject({ ok: true });
    expect(stopped.map((r) => r.state)).toContain("stopped");
    for (const r of await both({ op: "wait", serverId, state: "stopped" })) expect(r).toMatchObject({ ok: true, state: "stopped" });
    expect(await listPods(`berth/server-id=${serverId}`)).toEqual([]);
    expect(await listClaims(`berth/server-id=${serverId}`)).toHaveLength(1);
    const seen = await actions("shared");
    expect(count(seen, "stop")).toBe(1);
    expect(count(seen, "stopped")).toBe(1);
    expect(count(seen, "failed")).toBe(0);
  });

  it("delete from both while it runs: deleted once, no internal error, nothing left in the database or the cluster", async () => {
    for (const r of await both({ op: "start", ...cmd })) expect(r.ok).toBe(true);
    for (const r of await both({ op: "wait", serverId, state: "running" })) expect(r).toMatchObject({ ok: true, state: "running" });
    await both({ op: "settle" });
    const deleted = await both({ op: "delete", ...cmd });
    // One deletes it; the other either also succeeds or is told it no longer exists — never an internal error.
    expect(deleted.filter((r) => r.ok)).not.toHaveLength(0);
    for (const r of deleted.filter((x) => !x.ok)) expect(r.error, JSON.stringify(r.error)).toMatchObject({ name: "AppError", code: "not_found", status: 404 });
    expect(await db().server.findUnique({ where: { id: serverId } })).toBeNull();
    expect(await listPods(`berth/server-id=${serverId}`)).toEqual([]);
    expect(await listClaims(`berth/server-id=${serverId}`)).toEqual([]);
    const seen = await actions("shared");
    expect(count(seen, "start")).toBe(2);
    expect(count(seen, "started")).toBe(2);
    expect(count(seen, "delete")).toBe(1);
    expect(count(seen, "failed")).toBe(0);
    // Two pods over the whole story: one per start.
    expect((await sim().podUids())["jupyter-alice--shared"]).toHaveLength(2);
  });
});
