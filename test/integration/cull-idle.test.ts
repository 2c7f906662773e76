import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import { cullIdle } from "../../lib/jobs/cull-idle";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";
import { jupyterFetch, makeUser, portAnswers, storedWorkspaceFile, waitForState } from "../helpers";

// The idle culler against a real Jupyter, with the default 2-hour timeout and a `now` moved
// forward instead of waiting.

const HOUR = 3600_000;
let alice: Actor;
let serverId: string;

beforeAll(async () => {
  alice = await makeUser("alice");
  serverId = (await createServer(alice, "alice", { name: "notebook" })).id;
  await createServer(alice, "alice", { name: "parked" });
  await startServer(alice, "alice", "notebook");
  const running = await waitForState(serverId, "running");
  const put = await jupyterFetch(running.upstream!, serverBaseUrl("alice", "notebook"), "api/contents/keep.txt", running.token, {
    method: "PUT",
    body: JSON.stringify({ type: "file", format: "text", content: "keep me" }),
  });
  expect(put.status).toBeLessThan(300);
});

afterAll(async () => {
  await runtime().shutdown();
});

describe("idle culler", () => {
  it("uses the configured timeout", () => {
    expect(config().policy.idleTimeoutSeconds).toBe(2 * 3600);
  });

  it("leaves a recently active server running", async () => {
    expect(await cullIdle()).toEqual([]);
    expect((await db().server.findUniqueOrThrow({ where: { id: serverId } })).state).toBe("running");
  });

  it("asks Jupyter before culling: recent activity inside Jupyter keeps the server and is recorded", async () => {
    const stale = new Date(Date.now() - 3 * HOUR);
    await db().server.update({ where: { id: serverId }, data: { lastActivityAt: stale } });
    expect(await cullIdle()).toEqual([]);
    const row = await db().server.findUniqueOrThrow({ where: { id: serverId } });
    expect(row.state).toBe("running");
    expect(row.lastActivityAt!.getTime()).toBeGreaterThan(stale.getTime() + 2 * HOUR);
  });

  it("stops a server idle past the timeout and keeps its workspace", async () => {
    const running = await db().server.findUniqueOrThrow({ where: { id: serverId } });
    const culled = await cullIdle(new Date(Date.now() + 3 * HOUR));
    expect(culled).toEqual(["alice/notebook"]);

    const row = await db().server.findUniqueOrThrow({ where: { id: serverId } });
    expect(row).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null });
    expect(row.stateReason).toMatch(/^Stopped after being idle/);
    expect(await portAnswers(running.upstream!)).toBe(false);
    expect(storedWorkspaceFile(serverId, "keep.txt")).toBe("keep me");
    // The parked (stopped) server was never a candidate.
    expect((await db().server.findFirstOrThrow({ where: { name: "parked" } })).state).toBe("stopped");

    const events = await db().event.findMany({ where: { serverName: "notebook", action: { in: ["cull", "stopped"] } } });
    expect(events.map((e) => e.action).sort()).toEqual(["cull", "stopped"]);
    for (const e of events) expect(e.actorName).toBe("berth");
    expect(events.find((e) => e.action === "cull")!.reason).toBe("idle");

    // Nothing left to cull.
    expect(await cullIdle(new Date(Date.now() + 3 * HOUR))).toEqual([]);
  });

  it("lets the owner start the culled server again, with its files", async () => {
    await startServer(alice, "alice", "notebook");
    const back = await waitForState(serverId, "running");
    expect(back.stateReason).toBeNull();
    const file = await jupyterFetch(back.upstream!, serverBaseUrl("alice", "notebook"), "api/contents/keep.txt?type=file&format=text", back.token);
    expect(((await file.json()) as { content: string }).content).toBe("keep me");

    // The dashboard's stop returns at once and finishes in the background.
    const stopping = await stopServer(alice, "alice", "notebook", undefined, { wait: false });
    expect(stopping.state).toBe("stopping");
    const stopped = await waitForState(serverId, "stopped");
    expect(stopped.stateReason).toBeNull();
    expect(await portAnswers(back.upstream!)).toBe(false);
  });
});
