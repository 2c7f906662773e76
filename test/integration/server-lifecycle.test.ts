import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { detachOnShutdown, recoverAfterRestart, watchRuntimeExits } from "../../lib/servers/lifecycle";
import { startServer } from "../../lib/servers/start-server";
import type { Actor } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";
import { jupyterFetch, makeUser, pidAlive, portAnswers, serverProcesses, storedWorkspaceFile, waitFor, waitForState } from "../helpers";
import { fullLifecycle, refusesOthers, stopWhileStarting, type LifecycleHarness } from "../shared/lifecycle-suite";

// The local runtime driving a real Jupyter Notebook process, end to end through the services.

let alice: Actor;

const workspace = (id: string) => path.join(config().dataDir, "workspaces", id);
const image = (id: string) => path.join(config().dataDir, "volumes", `${id}.ext4`);

// What the shared lifecycle (test/shared/lifecycle-suite.ts) means on the local runtime: the
// upstream is Jupyter on loopback, the handle its pid and start time, storage a workspace folder —
// as root, an ext4 filesystem mounted there while the server runs (lib/runtime/local/workspace-volume.ts).
const local: LifecycleHarness = {
  upstream: /^http:\/\/127\.0\.0\.1:\d+$/,
  ref: /^\d+:\d+$/,
  storedFile: async (s, file) => storedWorkspaceFile(s.serverId, file),
  expectHalted: async (s) => {
    if (s.ref) expect(pidAlive(parseInt(s.ref, 10))).toBe(false);
  },
  expectStorageGone: async (s) => {
    expect(existsSync(workspace(s.serverId))).toBe(false);
    expect(existsSync(image(s.serverId))).toBe(false);
  },
};

beforeAll(async () => {
  alice = await makeUser("alice");
  watchRuntimeExits();
});

afterAll(async () => {
  await runtime().shutdown();
});

describe("server lifecycle on the local runtime (real Jupyter)", () => {
  it("creates, starts, serves, stops, restarts with files kept, and deletes with storage removed", () => fullLifecycle(local, alice));

  it("marks a crashed Jupyter failed with a reason", async () => {
    const s = await createServer(alice, "alice", { name: "crashy" });
    await startServer(alice, "alice", "crashy");
    const running = await waitForState(s.id, "running");
    const pid = parseInt(running.runtimeRef!, 10);
    // A kernel is running when Jupyter dies; it must not outlive it.
    const kernel = await jupyterFetch(running.upstream!, serverBaseUrl("alice", "crashy"), "api/kernels", running.token, { method: "POST", body: JSON.stringify({ name: "python3" }) });
    expect(kernel.status).toBe(201);
    const kernels = await waitFor("the kernel process", async () => {
      const found = serverProcesses(s.id).filter((p) => p !== pid);
      return found.length ? found : undefined;
    });
    process.kill(pid, "SIGKILL");

    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toMatch(/Jupyter stopped unexpectedly \(signal SIGKILL\)/);
    expect(failed.stateReason).not.toContain(running.token);
    expect(failed).toMatchObject({ upstream: null, runtimeRef: null });
    expect(await portAnswers(running.upstream!)).toBe(false);
    expect(await runtime().isAlive(s.id, null)).toBe(false);
    await waitFor("the crashed server's kernel to end", async () => kernels.every((p) => !pidAlive(p)));
    const ev = await waitFor("the failure event", () => db().event.findFirst({ where: { action: "failed", serverName: "crashy" } }).then((e) => e ?? undefined));
    expect(ev).toMatchObject({ actorName: "berth", actorId: null, targetUser: "alice" });
    expect(ev.reason).toContain("SIGKILL");
    // The workspace survives a crash, and the person can start again.
    expect(existsSync(workspace(s.id))).toBe(true);
    await startServer(alice, "alice", "crashy");
    const back = await waitForState(s.id, "running");
    expect(back.stateReason).toBeNull();

    // With BERTH_STOP_SERVERS_ON_SHUTDOWN (set for this suite), Berth shutting down stops every
    // server it runs, keeping their files (by default they keep running: server-restart.test.ts).
    await detachOnShutdown();
    const down = await db().server.findUniqueOrThrow({ where: { id: s.id } });
    expect(down).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
    expect(down.stateReason).toMatch(/shut down/);
    expect(pidAlive(parseInt(back.runtimeRef!, 10))).toBe(false);
    expect(await portAnswers(back.upstream!)).toBe(false);
    expect(existsSync(workspace(s.id))).toBe(true);
  });

  it("refuses to start, stop or delete someone else's server, and says when a server does not exist", () => refusesOthers(alice));

  it("settles servers an earlier Berth process left that it cannot verify, ending their orphaned processes", async () => {
    const s = await createServer(alice, "alice", { name: "orphan" });
    // Stand-ins for what a Berth process that has since died left behind: its Jupyter (leading its
    // own process group, pid stored as the ref the way older Berths did, without its start time,
    // so it cannot be verified) and a kernel in a session of its own.
    const env = { ...process.env, JUPYTER_RUNTIME_DIR: path.join(config().dataDir, "runtime", s.id) };
    const jupyter = spawn("sleep", ["600"], { detached: true, stdio: "ignore", env });
    const kernel = spawn("sleep", ["601"], { detached: true, stdio: "ignore", env });
    const exited = Promise.all([jupyter, kernel].map((c) => new Promise((resolve) => c.on("exit", resolve))));
    await db().server.update({ where: { id: s.id }, data: { state: "running", upstream: "http://127.0.0.1:9", runtimeRef: String(jupyter.pid) } });

    expect((await recoverAfterRestart()).ended).toBeGreaterThanOrEqual(1);
    await exited;
    expect(pidAlive(jupyter.pid!)).toBe(false);
    expect(pidAlive(kernel.pid!)).toBe(false);
    const row = await db().server.findUniqueOrThrow({ where: { id: s.id } });
    expect(row).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
    expect(row.stateReason).toMatch(/restarted/);
    expect(await db().event.findFirst({ where: { action: "reconcile", serverName: "orphan" } })).toMatchObject({ actorName: "berth", reason: "was running when Berth restarted" });
  });

  it("stops a server that is still starting, leaving no process behind", () => stopWhileStarting(local, alice));
});
