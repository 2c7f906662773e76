import { expect } from "vitest";
import { db } from "../../lib/db/client";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import { listServers } from "../../lib/servers/list-servers";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";
import { expectAppError, jupyterFetch, makeUser, portAnswers, waitForState } from "../helpers";

// One server lifecycle, told through the services, run against each runtime (the local file
// test/integration/server-lifecycle.test.ts and test/kubernetes/lifecycle.test.ts). What differs
// between runtimes — what an upstream and a runtime handle look like, where storage lives, what
// "nothing is running" means — comes from the harness.

export interface ServerRef {
  serverId: string;
  user: string;
  name: string;
  /** the runtime's handle while it ran (a pid, a pod name) */
  ref: string;
}

export interface LifecycleHarness {
  upstream: RegExp;
  ref: RegExp;
  /** a file's content in the server's storage, undefined when the file (or the storage) is not there */
  storedFile(server: ServerRef, file: string): Promise<string | undefined>;
  /** nothing of this run of the server is running any more (process, pod) */
  expectHalted(server: ServerRef): Promise<void>;
  /** the server's storage is gone */
  expectStorageGone(server: ServerRef): Promise<void>;
  /** runtime-specific checks once the server first runs */
  afterStarted?(server: ServerRef): Promise<void>;
}

type Row = Awaited<ReturnType<typeof waitForState>>;
const refOf = (row: Row, user: string): ServerRef => ({ serverId: row.id, user, name: row.name, ref: row.runtimeRef ?? "" });

/** Create, start, serve, stop, restart with files kept, delete with storage removed. */
export async function fullLifecycle(h: LifecycleHarness, alice: Actor): Promise<void> {
  const created = await createServer(alice, "alice", { name: "analysis" });
  expect(created.state).toBe("stopped");
  const base = serverBaseUrl("alice", "analysis");

  const starting = await startServer(alice, "alice", "analysis");
  expect(["starting", "running"]).toContain(starting.state);
  // A second start while starting is a harmless no-op.
  await startServer(alice, "alice", "analysis");
  const running = await waitForState(created.id, "running");
  expect(running.upstream).toMatch(h.upstream);
  expect(running.runtimeRef).toMatch(h.ref);
  expect(running.startedAt).toBeInstanceOf(Date);
  expect(running.token).not.toBe(created.token); // a fresh secret per start
  await h.afterStarted?.(refOf(running, "alice"));

  const status = await jupyterFetch(running.upstream!, base, "api/status", running.token);
  expect(status.status).toBe(200);
  expect(await status.json()).toHaveProperty("started");
  // Without the proxy's header Jupyter refuses: the server's secret is what protects it.
  const anon = await fetch(`${running.upstream}${base}api/contents`);
  expect(anon.status).toBe(403);

  const put = await jupyterFetch(running.upstream!, base, "api/contents/hello.txt", running.token, {
    method: "PUT",
    body: JSON.stringify({ type: "file", format: "text", content: "hello from the test" }),
  });
  expect(put.status).toBeLessThan(300);
  expect(await h.storedFile(refOf(running, "alice"), "hello.txt")).toBe("hello from the test");

  // The dashboard's view while running.
  const page = await listServers(alice, "alice");
  const view = page.servers.find((s) => s.name === "analysis")!;
  expect(view).toMatchObject({ state: "running", url: "/user/alice/analysis/" });
  expect(view.idleStopAt).not.toBeNull();
  expect(page.servers.find((s) => s.name === "")).toMatchObject({ label: "My Server", state: "stopped" });

  const stopped = await stopServer(alice, "alice", "analysis");
  expect(stopped).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
  expect(await portAnswers(running.upstream!)).toBe(false);
  await h.expectHalted(refOf(running, "alice"));
  expect(await h.storedFile(refOf(running, "alice"), "hello.txt")).toBe("hello from the test");
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

  await deleteServer(alice, "alice", "analysis");
  expect(await db().server.findUnique({ where: { id: created.id } })).toBeNull();
  await h.expectStorageGone(refOf(again, "alice"));
  expect(await h.storedFile(refOf(again, "alice"), "hello.txt")).toBeUndefined();
  expect(await portAnswers(again.upstream!)).toBe(false);
  await h.expectHalted(refOf(again, "alice"));

  const events = await db().event.findMany({ where: { targetUser: "alice", serverName: "analysis" }, orderBy: { at: "asc" } });
  const actions = events.map((e) => e.action);
  for (const a of ["create", "start", "started", "stop", "stopped", "delete"]) expect(actions).toContain(a);
  expect(actions.filter((a) => a === "start")).toHaveLength(2);
  for (const e of events) expect(e).toMatchObject({ actorName: "alice", actorId: alice.id });
}

/** Someone else's server cannot be started, stopped or deleted; a missing one is named. */
export async function refusesOthers(alice: Actor): Promise<void> {
  await createServer(alice, "alice", { name: "guarded" });
  const eve = await makeUser("eve");
  await expectAppError(startServer(eve, "alice", "guarded"), "forbidden", 403);
  await expectAppError(stopServer(eve, "alice", "guarded"), "forbidden", 403);
  await expectAppError(deleteServer(eve, "alice", "guarded"), "forbidden", 403);
  await expectAppError(startServer(alice, "alice", "nope"), "not_found", 404);
  await expectAppError(deleteServer(alice, "alice", ""), "unsupported", 422);
  expect((await db().server.findFirstOrThrow({ where: { name: "guarded" } })).state).toBe("stopped");
}

/** A stop while the start is still in flight cancels it and leaves nothing running. */
export async function stopWhileStarting(h: LifecycleHarness, alice: Actor): Promise<void> {
  const s = await createServer(alice, "alice", { name: "quick" });
  await startServer(alice, "alice", "quick");
  const stopped = await stopServer(alice, "alice", "quick");
  expect(stopped.state).toBe("stopped");
  expect(await runtime().isAlive(s.id, null)).toBe(false);
  const row = await db().server.findUniqueOrThrow({ where: { id: s.id } });
  expect(row).toMatchObject({ state: "stopped", upstream: null });
  await h.expectHalted({ serverId: s.id, user: "alice", name: "quick", ref: "" });
}
