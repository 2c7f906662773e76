import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import { localRuntimeOptions, runtime } from "../../lib/runtime";
import { LocalRuntime } from "../../lib/runtime/local/local-runtime";
import { processStartTime } from "../../lib/runtime/local/server-record";
import { createServer } from "../../lib/servers/create-server";
import { recoverAfterRestart, watchRuntimeExits } from "../../lib/servers/lifecycle";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";
import { setShared } from "../../lib/shared";
import { jupyterFetch, makeUser, pidAlive, serverProcesses, waitFor, waitForState } from "../helpers";
import { executeOnKernel, openKernelSocket } from "../helpers/kernel";
import { request, sessionCookie, startProxyServer } from "../helpers/proxy-harness";

// Servers on the local runtime survive a Berth restart: a real Jupyter keeps running, with its
// kernel's state and its files, and the next Berth process takes it over; what it cannot verify it
// ends, and nothing that is not Berth's is touched.

let alice: Actor;
let cookie: string;
let proxy: Awaited<ReturnType<typeof startProxyServer>>;
const strangers: ChildProcess[] = [];

/** The runtime as a Berth process makes it, without BERTH_STOP_SERVERS_ON_SHUTDOWN (the default). */
function berthRuntime(): LocalRuntime {
  return new LocalRuntime({ ...localRuntimeOptions(), stopServersOnShutdown: false, livenessPollMs: 200 });
}

/** What a restart does: the old process stops following its servers and goes; a new one starts and recovers. */
async function restartBerth() {
  await runtime().shutdown();
  setShared("runtime", berthRuntime());
  watchRuntimeExits();
  return recoverAfterRestart();
}

const url = (p: string) => `${proxy.origin}${p}`;

beforeAll(async () => {
  alice = await makeUser("alice");
  cookie = await sessionCookie(alice);
  setShared("runtime", berthRuntime());
  watchRuntimeExits();
  proxy = await startProxyServer();
});

afterAll(async () => {
  for (const c of strangers) c.kill("SIGKILL");
  await proxy.close();
  // Nothing of this file may outlive it: stop what still runs.
  for (const s of await db().server.findMany({ where: { state: "running" }, include: { owner: true } })) await stopServer(alice, s.owner.name, s.name);
  await runtime().shutdown();
});

describe("servers across a Berth restart (local runtime, real Jupyter)", () => {
  it("keeps a running server with its kernel and files: same process, reached through the proxy, stopped on request", async () => {
    const s = await createServer(alice, "alice", { name: "keep" });
    await startServer(alice, "alice", "keep");
    const before = await waitForState(s.id, "running");
    const pid = parseInt(before.runtimeRef!, 10);
    expect(before.runtimeRef).toBe(`${pid}:${processStartTime(pid)}`);
    const base = serverBaseUrl("alice", "keep");

    // A file, and a kernel holding a variable.
    const put = await jupyterFetch(before.upstream!, base, "api/contents/note.txt", before.token, { method: "PUT", body: JSON.stringify({ type: "file", format: "text", content: "written before the restart" }) });
    expect(put.status).toBe(201);
    const created = await request(url("/user/alice/keep/api/kernels"), { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json" }, body: JSON.stringify({ name: "python3" }) });
    expect(created.status).toBe(201);
    const kernelId = (JSON.parse(created.body) as { id: string }).id;
    const channels = `ws://127.0.0.1:${proxy.port}/user/alice/keep/api/kernels/${kernelId}/channels?session_id=${randomUUID()}`;
    let ws = await openKernelSocket(channels, cookie);
    try {
      expect((await executeOnKernel(ws, "answer = 6 * 7\nprint(answer)")).trim()).toBe("42");
    } finally {
      ws.close();
    }
    const kernelPids = serverProcesses(s.id).filter((p) => p !== pid);
    expect(kernelPids.length).toBeGreaterThan(0);

    const recovery = await restartBerth();
    expect(recovery.kept).toBe(1);
    expect(recovery.ended).toBe(0);

    const after = await db().server.findUniqueOrThrow({ where: { id: s.id } });
    expect(after).toMatchObject({ state: "running", runtimeRef: before.runtimeRef, upstream: before.upstream, token: before.token, stateReason: null });
    expect(pidAlive(pid)).toBe(true);
    for (const k of kernelPids) expect(pidAlive(k)).toBe(true);
    expect(await db().event.findFirst({ where: { action: "reconcile", serverName: "keep", reason: "kept running across a Berth restart" } })).not.toBeNull();

    // Through the proxy of the new process: the same kernel, with its variable, and the file.
    const kernels = await request(url("/user/alice/keep/api/kernels"), { headers: { Cookie: cookie } });
    expect(kernels.status).toBe(200);
    expect((JSON.parse(kernels.body) as { id: string }[]).map((k) => k.id)).toContain(kernelId);
    ws = await openKernelSocket(channels, cookie);
    try {
      expect((await executeOnKernel(ws, "print(answer)")).trim()).toBe("42");
    } finally {
      ws.close();
    }
    const file = await request(url("/user/alice/keep/api/contents/note.txt"), { headers: { Cookie: cookie } });
    expect(file.status).toBe(200);
    expect((JSON.parse(file.body) as { content: string }).content).toBe("written before the restart");
    expect(await runtime().isAlive(s.id, after.runtimeRef)).toBe(true);

    // Stop works on a server this process did not start, and ends its kernel too.
    const stopped = await stopServer(alice, "alice", "keep");
    expect(stopped).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
    expect(pidAlive(pid)).toBe(false);
    await waitFor("the kernel to end", async () => kernelPids.every((k) => !pidAlive(k)));
    expect((await request(url("/user/alice/keep/api/status"), { headers: { Cookie: cookie } })).status).not.toBe(200);
  });

  it("notices when a server it took over dies, and marks it failed", async () => {
    const s = await createServer(alice, "alice", { name: "fragile" });
    await startServer(alice, "alice", "fragile");
    const before = await waitForState(s.id, "running");
    const pid = parseInt(before.runtimeRef!, 10);
    expect((await restartBerth()).kept).toBe(1);
    expect((await db().server.findUniqueOrThrow({ where: { id: s.id } })).state).toBe("running");

    process.kill(pid, "SIGKILL");
    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toMatch(/Jupyter stopped unexpectedly \(it was taken over after a Berth restart/);
    expect(failed).toMatchObject({ upstream: null, runtimeRef: null });
    expect(await db().event.findFirst({ where: { action: "failed", serverName: "fragile" } })).not.toBeNull();
    // Its processes went with it, and it starts again.
    await waitFor("the server's processes to end", async () => serverProcesses(s.id).length === 0);
    await startServer(alice, "alice", "fragile");
    const back = await waitForState(s.id, "running");
    await stopServer(alice, "alice", back.name);
  });

  it("marks stopped what it cannot verify (process gone, pid reused, another program's process), killing nothing that is not Berth's", async () => {
    const runtimeDir = (id: string) => path.join(config().dataDir, "runtime", id);
    // Gone: a process that has exited.
    const gone = await createServer(alice, "alice", { name: "gone" });
    const finished = spawn("true");
    await new Promise((r) => finished.on("exit", r));
    // Replaced: the pid now names another program's process (its start time differs from the record).
    const replaced = await createServer(alice, "alice", { name: "replaced" });
    const other = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    strangers.push(other);
    // Another program's process recorded exactly (pid and start time), without the server's runtime folder.
    const foreign = await createServer(alice, "alice", { name: "foreign" });
    const stranger = spawn("sleep", ["601"], { detached: true, stdio: "ignore" });
    strangers.push(stranger);
    // Berth's own leftovers of a server whose Jupyter is gone: a kernel still carrying its runtime folder.
    const kernel = spawn("sleep", ["602"], { detached: true, stdio: "ignore", env: { ...process.env, JUPYTER_RUNTIME_DIR: runtimeDir(gone.id) } });
    const kernelEnded = new Promise((r) => kernel.on("exit", r));
    await waitFor("the stand-ins to run", async () => [other, stranger, kernel].every((c) => processStartTime(c.pid!) !== undefined));

    const running = (ref: string) => ({ state: "running" as const, upstream: "http://127.0.0.1:9", runtimeRef: ref });
    await db().server.update({ where: { id: gone.id }, data: running(`${finished.pid}:1`) });
    await db().server.update({ where: { id: replaced.id }, data: running(`${other.pid}:1`) });
    await db().server.update({ where: { id: foreign.id }, data: running(`${stranger.pid}:${processStartTime(stranger.pid!)}`) });

    const recovery = await restartBerth();
    expect(recovery).toEqual({ kept: 0, ended: 3 });
    await kernelEnded;
    expect(pidAlive(kernel.pid!)).toBe(false);
    expect(pidAlive(other.pid!)).toBe(true);
    expect(pidAlive(stranger.pid!)).toBe(true);
    const rows = await db().server.findMany({ where: { id: { in: [gone.id, replaced.id, foreign.id] } }, orderBy: { name: "asc" } });
    for (const r of rows) expect(r).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
    const reason = (name: string) => rows.find((r) => r.name === name)!.stateReason;
    expect(reason("gone")).toBe("Berth restarted and could not take this server over (its process had ended), so it was stopped; its files are kept. Start it again.");
    expect(reason("replaced")).toMatch(/\(its process had ended\)/);
    expect(reason("foreign")).toMatch(/\(its process is not this server's\)/);
    expect(await db().event.count({ where: { action: "reconcile", reason: "was running when Berth restarted", serverName: { in: ["gone", "replaced", "foreign"] } } })).toBe(3);
  });

  it("finishes a delete the last Berth process left under way: processes, storage and row gone", async () => {
    // Another person: alice has the most named servers by now.
    const bob = await makeUser("bob");
    const s = await createServer(bob, "bob", { name: "doomed" });
    const workspace = path.join(config().dataDir, "workspaces", s.id);
    mkdirSync(workspace, { recursive: true });
    writeFileSync(path.join(workspace, "old.txt"), "left");
    const leftover = spawn("sleep", ["603"], { detached: true, stdio: "ignore", env: { ...process.env, JUPYTER_RUNTIME_DIR: path.join(config().dataDir, "runtime", s.id) } });
    const ended = new Promise((r) => leftover.on("exit", r));
    await waitFor("the stand-in to run", async () => processStartTime(leftover.pid!) !== undefined);
    await db().server.update({ where: { id: s.id }, data: { state: "deleting", progress: "Deleting" } });

    expect(await restartBerth()).toEqual({ kept: 0, ended: 1 });
    await ended;
    expect(await db().server.findUnique({ where: { id: s.id } })).toBeNull();
    expect(existsSync(workspace)).toBe(false);
    expect(await db().event.findFirst({ where: { action: "reconcile", serverName: "doomed", reason: "finished a delete interrupted by a Berth restart" } })).not.toBeNull();
  });
});
