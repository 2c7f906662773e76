import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import { recoverAfterRestart, stopAllOnShutdown, watchRuntimeExits } from "../../lib/servers/lifecycle";
import { listServers } from "../../lib/servers/list-servers";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import { serverBaseUrl, type Actor } from "../../lib/servers/types";
import { expectAppError, jupyterFetch, makeUser, pidAlive, portAnswers, serverProcesses, waitFor, waitForState } from "../helpers";

// The local runtime driving a real Jupyter Notebook process, end to end through the services.

let alice: Actor;

const workspace = (id: string) => path.join(config().dataDir, "workspaces", id);

beforeAll(async () => {
  alice = await makeUser("alice");
  watchRuntimeExits();
});

afterAll(async () => {
  await runtime().shutdown();
});

describe("server lifecycle on the local runtime (real Jupyter)", () => {
  it("creates, starts, serves, stops, restarts with files kept, and deletes with storage removed", async () => {
    const created = await createServer(alice, "alice", { name: "analysis" });
    expect(created.state).toBe("stopped");
    const base = serverBaseUrl("alice", "analysis");

    const starting = await startServer(alice, "alice", "analysis");
    expect(["starting", "running"]).toContain(starting.state);
    // A second start while starting is a harmless no-op.
    await startServer(alice, "alice", "analysis");
    const running = await waitForState(created.id, "running");
    expect(running.upstream).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.runtimeRef).toMatch(/^\d+$/);
    expect(running.startedAt).toBeInstanceOf(Date);
    expect(running.token).not.toBe(created.token); // a fresh secret per start

    const status = await jupyterFetch(running.upstream!, base, "api/status", running.token);
    expect(status.status).toBe(200);
    expect(await status.json()).toHaveProperty("started");
    // Without the token Jupyter refuses: the token is what protects it.
    const anon = await fetch(`${running.upstream}${base}api/contents`);
    expect(anon.status).toBe(403);

    const put = await jupyterFetch(running.upstream!, base, "api/contents/hello.txt", running.token, {
      method: "PUT",
      body: JSON.stringify({ type: "file", format: "text", content: "hello from the test" }),
    });
    expect(put.status).toBeLessThan(300);
    expect(readFileSync(path.join(workspace(created.id), "hello.txt"), "utf8")).toBe("hello from the test");

    // The dashboard's view while running.
    const page = await listServers(alice, "alice");
    const view = page.servers.find((s) => s.name === "analysis")!;
    expect(view).toMatchObject({ state: "running", url: "/user/alice/analysis/" });
    expect(view.idleStopAt).not.toBeNull();
    expect(page.servers.find((s) => s.name === "")).toMatchObject({ label: "My Server", state: "stopped" });

    const pid = Number(running.runtimeRef);
    const stopped = await stopServer(alice, "alice", "analysis");
    expect(stopped).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
    expect(await portAnswers(running.upstream!)).toBe(false);
    expect(pidAlive(pid)).toBe(false);
    expect(existsSync(path.join(workspace(created.id), "hello.txt"))).toBe(true);
    // Stopping a stopped server is a no-op.
    expect((await stopServer(alice, "alice", "analysis")).state).toBe("stopped");

    await startServer(alice, "alice", "analysis");
    const again = await waitForState(created.id, "running");
    const file = await jupyterFetch(again.upstream!, base, "api/contents/hello.txt?content=1&type=file&format=text", again.token);
    expect(file.status).toBe(200);
    expect(((await file.json()) as { content: string }).content).toBe("hello from the test");
    // The previous start's token no longer opens the server.
    if (again.token !== running.token) {
      const stale = await jupyterFetch(again.upstream!, base, "api/contents", running.token);
      expect(stale.status).toBe(403);
    }

    const againPid = Number(again.runtimeRef);
    await deleteServer(alice, "alice", "analysis");
    expect(await db().server.findUnique({ where: { id: created.id } })).toBeNull();
    expect(existsSync(workspace(created.id))).toBe(false);
    expect(await portAnswers(again.upstream!)).toBe(false);
    expect(pidAlive(againPid)).toBe(false);

    const events = await db().event.findMany({ where: { targetUser: "alice", serverName: "analysis" }, orderBy: { at: "asc" } });
    const actions = events.map((e) => e.action);
    for (const a of ["create", "start", "started", "stop", "stopped", "delete"]) expect(actions).toContain(a);
    expect(actions.filter((a) => a === "start")).toHaveLength(2);
    for (const e of events) expect(e).toMatchObject({ actorName: "alice", actorId: alice.id });
  });

  it("marks a crashed Jupyter failed with a reason", async () => {
    const s = await createServer(alice, "alice", { name: "crashy" });
    await startServer(alice, "alice", "crashy");
    const running = await waitForState(s.id, "running");
    const pid = Number(running.runtimeRef);
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
    await waitFor("the crashed server's kernel to end", async () => kernels.every((p) => !pidAlive(p)), 15_000);
    const ev = await waitFor("the failure event", () => db().event.findFirst({ where: { action: "failed", serverName: "crashy" } }).then((e) => e ?? undefined));
    expect(ev).toMatchObject({ actorName: "berth", actorId: null, targetUser: "alice" });
    expect(ev.reason).toContain("SIGKILL");
    // The workspace survives a crash, and the person can start again.
    expect(existsSync(workspace(s.id))).toBe(true);
    await startServer(alice, "alice", "crashy");
    const back = await waitForState(s.id, "running");
    expect(back.stateReason).toBeNull();

    // Berth shutting down stops every server it runs, keeping their files.
    await stopAllOnShutdown();
    const down = await db().server.findUniqueOrThrow({ where: { id: s.id } });
    expect(down).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
    expect(down.stateReason).toMatch(/shut down/);
    expect(pidAlive(Number(back.runtimeRef))).toBe(false);
    expect(await portAnswers(back.upstream!)).toBe(false);
    expect(existsSync(workspace(s.id))).toBe(true);
  });

  it("refuses to start, stop or delete someone else's server, and says when a server does not exist", async () => {
    const eve = await makeUser("eve");
    await expectAppError(startServer(eve, "alice", "crashy"), "forbidden", 403);
    await expectAppError(stopServer(eve, "alice", "crashy"), "forbidden", 403);
    await expectAppError(deleteServer(eve, "alice", "crashy"), "forbidden", 403);
    await expectAppError(startServer(alice, "alice", "nope"), "not_found", 404);
    await expectAppError(deleteServer(alice, "alice", ""), "invalid_state", 422);
    expect((await db().server.findFirstOrThrow({ where: { name: "crashy" } })).state).toBe("stopped");
  });

  it("settles servers left running by an earlier Berth process, ending their orphaned processes", async () => {
    const s = await createServer(alice, "alice", { name: "orphan" });
    // Stand-ins for what a Berth process that has since died left behind: its Jupyter (leading its
    // own process group, pid stored as the ref) and a kernel in a session of its own.
    const env = { ...process.env, JUPYTER_RUNTIME_DIR: path.join(config().dataDir, "runtime", s.id) };
    const jupyter = spawn("sleep", ["600"], { detached: true, stdio: "ignore", env });
    const kernel = spawn("sleep", ["601"], { detached: true, stdio: "ignore", env });
    const exited = Promise.all([jupyter, kernel].map((c) => new Promise((resolve) => c.on("exit", resolve))));
    await db().server.update({ where: { id: s.id }, data: { state: "running", upstream: "http://127.0.0.1:9", runtimeRef: String(jupyter.pid) } });

    expect(await recoverAfterRestart()).toBeGreaterThanOrEqual(1);
    await exited;
    expect(pidAlive(jupyter.pid!)).toBe(false);
    expect(pidAlive(kernel.pid!)).toBe(false);
    const row = await db().server.findUniqueOrThrow({ where: { id: s.id } });
    expect(row).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
    expect(row.stateReason).toMatch(/restarted/);
    expect(await db().event.findFirst({ where: { action: "reconcile", serverName: "orphan" } })).toMatchObject({ actorName: "berth", reason: "was running when Berth restarted" });
  });

  it("stops a server that is still starting, leaving no process behind", async () => {
    const s = await createServer(alice, "alice", { name: "quick" });
    await startServer(alice, "alice", "quick");
    const stopped = await stopServer(alice, "alice", "quick");
    expect(stopped.state).toBe("stopped");
    expect(await runtime().isAlive(s.id, null)).toBe(false);
    const row = await db().server.findUniqueOrThrow({ where: { id: s.id } });
    expect(row).toMatchObject({ state: "stopped", upstream: null });
  });
});
