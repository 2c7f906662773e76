import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { db } from "../../lib/db/client";
import { cullIdlePass } from "../../lib/jobs/cull-idle";
import { upstreamAuthHeaders } from "../../lib/runtime/jupyter-auth/jupyter-auth";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { IDLE_WARNING_SECONDS, keepServerRunning } from "../../lib/servers/idle-stop";
import { listServers } from "../../lib/servers/list-servers";
import { startServer } from "../../lib/servers/start-server";
import type { Actor } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";
import { expectAppError, jupyterFetch, makeUser, waitFor, waitForState } from "../helpers";
import { writeProfilesFile } from "../helpers/profiles-file";

// Idle stops people can see coming (issue 13, point 3), against real Jupyters: each server's
// profile decides its timeout (the operator's 2 h otherwise, 0 never), a kernel busy with one
// long computation and no browser connected is not taken for idle, and "Keep running" counts as
// activity for the owner or an administrator only.

const MIN = 60_000;
const HOUR = 3600_000;
writeProfilesFile("berth-idle-profiles-", [
      { slug: "standard", displayName: "Standard", default: true },
      { slug: "short", displayName: "Short", idleTimeoutSeconds: 600 },
      { slug: "forever", displayName: "Forever", idleTimeoutSeconds: 0 },
    ]);

let alice: Actor, bob: Actor, admin: Actor;
const ids: Record<string, string> = {};

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  admin = await makeUser("root", true);
  for (const [name, profile] of [["long", "standard"], ["quick", "short"], ["always", "forever"]] as const) {
    ids[name] = (await createServer(alice, "alice", { name, profile })).id;
    await startServer(alice, "alice", name);
  }
  await Promise.all(Object.values(ids).map((id) => waitForState(id, "running")));
});

afterAll(async () => {
  await runtime().shutdown();
});

describe("idle stop per profile", () => {
  it("shows each running server's idle stop from its own profile, and when people are warned", async () => {
    const page = await listServers(alice, "alice");
    const by = (n: string) => page.servers.find((s) => s.name === n)!;
    const rows = await db().server.findMany({ where: { id: { in: Object.values(ids) } } });
    const started = (n: string) => rows.find((r) => r.id === ids[n])!.startedAt!.getTime();
    expect(new Date(by("long").idleStopAt!).getTime()).toBeGreaterThanOrEqual(started("long") + 2 * HOUR);
    expect(new Date(by("quick").idleStopAt!).getTime()).toBeGreaterThanOrEqual(started("quick") + 10 * MIN);
    expect(new Date(by("quick").idleStopAt!).getTime()).toBeLessThan(started("quick") + 2 * HOUR);
    expect(by("always").idleStopAt).toBeNull();
    expect(page.policy).toMatchObject({ idleTimeoutSeconds: 2 * 3600, idleWarningSeconds: IDLE_WARNING_SECONDS });
    // The heading of My servers names the range that applies, not only the operator's default.
    expect(page.policy.idleTimeouts).toEqual([0, 600, 2 * 3600]);
    expect(IDLE_WARNING_SECONDS).toBe(600);
  });

  it("culls by each server's profile: the short one after 10 minutes, the others not", async () => {
    const pass = await cullIdlePass({ now: new Date(Date.now() + 20 * MIN) });
    expect(pass.culled).toEqual(["alice/quick"]);
    await waitForState(ids.quick, "stopped");
    expect((await db().server.findUniqueOrThrow({ where: { id: ids.long } })).state).toBe("running");
  });
});

describe("a busy kernel with no browser", () => {
  // Generous: a kernel's start is slow on a loaded machine (several Jupyters and suites at once).
  it("is not culled while it executes, and is once it is gone", { timeout: 360_000 }, async () => {
    const row = await db().server.findUniqueOrThrow({ where: { id: ids.long } });
    const base = serverBaseUrl("alice", "long");
    const created = await jupyterFetch(row.upstream!, base, "api/kernels", row.token, { method: "POST", body: JSON.stringify({ name: "python3" }) });
    expect(created.status).toBe(201);
    const kernelId = ((await created.json()) as { id: string }).id;

    // Straight to Jupyter, as Berth's proxy would, then closed: no browser stays connected.
    const ws = new WebSocket(`${row.upstream!.replace(/^http/, "ws")}${base}api/kernels/${kernelId}/channels?session_id=${randomUUID()}`, { headers: upstreamAuthHeaders(row.token) });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const kernelState = async () => {
      const list = (await (await jupyterFetch(row.upstream!, base, "api/kernels", row.token)).json()) as { id: string; execution_state: string }[];
      return list.find((k) => k.id === kernelId)?.execution_state;
    };
    // Waits for Jupyter to report the kernel in `wanted`, nudging it each second; says what it saw.
    const expectState = async (wanted: string, timeoutMs: number, nudge?: () => void) => {
      const deadline = Date.now() + timeoutMs;
      let seen: string | undefined;
      while (Date.now() < deadline) {
        seen = await kernelState();
        if (seen === wanted) return;
        nudge?.();
        await new Promise((r) => setTimeout(r, 1000));
      }
      throw new Error(`Jupyter reported the kernel "${seen}" for ${timeoutMs / 1000} s, not "${wanted}"`);
    };
    const send = (msgType: string, content: Record<string, unknown>) =>
      ws.send(
        JSON.stringify({
          header: { msg_id: randomUUID(), username: "alice", session: randomUUID(), msg_type: msgType, version: "5.3", date: new Date().toISOString() },
          parent_header: {},
          metadata: {},
          content,
          channel: "shell",
          buffers: [],
        }),
      );
    // Jupyter learns a kernel's state from the status messages the kernel publishes; those sent
    // before Jupyter's own subscription has connected are lost (ZeroMQ's "slow joiner"), so a
    // kernel asked to sleep at once could stay "starting" in Jupyter's eyes. A browser nudges a new
    // kernel with kernel_info requests until it hears back; so does this test, until Jupyter
    // reports the kernel idle. Only then is the long computation sent.
    await expectState("idle", 180_000, () => send("kernel_info_request", {}));
    send("execute_request", { code: "import time\ntime.sleep(3600)", silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    await expectState("busy", 60_000);
    ws.close();
    await waitFor("the kernel's last connection to close", async () => {
      const list = (await (await jupyterFetch(row.upstream!, base, "api/kernels", row.token)).json()) as { id: string; connections: number }[];
      return list.find((k) => k.id === kernelId)?.connections === 0;
    });

    // Three hours on, Jupyter's own last_activity is long past (the kernel said nothing since it
    // went busy): only the kernel's state keeps the server.
    const later = new Date(Date.now() + 3 * HOUR);
    const status = (await (await jupyterFetch(row.upstream!, base, "api/status", row.token)).json()) as { last_activity: string };
    expect(new Date(status.last_activity).getTime()).toBeLessThan(later.getTime() - 2 * HOUR);
    const pass = await cullIdlePass({ now: later });
    expect(pass.culled).not.toContain("alice/long");
    expect(pass.active).toBeGreaterThanOrEqual(1);
    const kept = await db().server.findUniqueOrThrow({ where: { id: ids.long } });
    expect(kept.state).toBe("running");
    expect(kept.lastActivityAt!.getTime()).toBe(later.getTime());
    // Asking about the kernels is not activity: Jupyter's last_activity did not move.
    const after = (await (await jupyterFetch(row.upstream!, base, "api/status", row.token)).json()) as { last_activity: string };
    expect(after.last_activity).toBe(status.last_activity);

    // The computation ends (the kernel is shut down): idle from then on, culled past the timeout.
    expect((await jupyterFetch(row.upstream!, base, `api/kernels/${kernelId}`, row.token, { method: "DELETE" })).status).toBe(204);
    const pass2 = await cullIdlePass({ now: new Date(later.getTime() + 3 * HOUR) });
    expect(pass2.culled).toEqual(["alice/long"]);
    await waitForState(ids.long, "stopped");
  });
});

describe("Keep running", () => {
  it("counts as activity now, for the owner or an administrator only, and only for a running server", async () => {
    const stale = new Date(Date.now() - HOUR);
    await db().server.update({ where: { id: ids.always }, data: { lastActivityAt: stale } });
    const before = Date.now();
    const view = await keepServerRunning(alice, "alice", "always");
    expect(view).toMatchObject({ state: "running", idleTimeoutSeconds: 0, idleStopAt: null, warningSeconds: IDLE_WARNING_SECONDS });
    const row = await db().server.findUniqueOrThrow({ where: { id: ids.always } });
    expect(row.lastActivityAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    await expectAppError(keepServerRunning(bob, "alice", "always"), "forbidden", 403);
    expect((await keepServerRunning(admin, "alice", "always")).state).toBe("running");
    const stopped = await expectAppError(keepServerRunning(alice, "alice", "quick"), "invalid_state", 409);
    expect(stopped.message).toContain("not running");
    await expectAppError(keepServerRunning(alice, "alice", "ghost"), "not_found", 404);

    // A profile with 0 is never stopped for being idle, however long.
    expect((await cullIdlePass({ now: new Date(Date.now() + 1000 * HOUR) })).culled).toEqual([]);
    expect((await db().server.findUniqueOrThrow({ where: { id: ids.always } })).state).toBe("running");
  });
});
