import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { cullIdlePass } from "../../lib/jobs/cull-idle";
import { createServer } from "../../lib/servers/create-server";
import { freePort, makeUser } from "../helpers";

// The culler's pass against a stand-in for many Jupyter servers: one loopback HTTP server that
// answers /user/<user>/<server>/api/status as each server's Jupyter would (its own last_activity),
// so each behaviour is set per server. Running rows point their upstream at it; the stops go
// through the real local runtime (nothing of theirs runs, so a stop finds nothing to end).

const HOUR = 3600_000;
type Answer = { lastActivity: Date | null } | { status: number };
const answers = new Map<string, Answer>();
const asked = new Map<string, number>();
let inFlight = 0;
let mostInFlight = 0;
/** When set, answers are held until this many requests are waiting (or a safety release fires). */
let barrier = 0;
let held: (() => void)[] = [];
let upstream = "";
let refusing = "";
let statusServer: http.Server;

beforeAll(async () => {
  statusServer = http.createServer((req, res) => {
    const path = (req.url ?? "").replace(/api\/status$/, "");
    asked.set(path, (asked.get(path) ?? 0) + 1);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    const reply = () => {
      inFlight--;
      const a = answers.get(path);
      if (!a) return void res.writeHead(404).end();
      if ("status" in a) return void res.writeHead(a.status).end();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ started: new Date(0).toISOString(), last_activity: a.lastActivity?.toISOString() ?? null, connections: 0, kernels: 1 }));
    };
    if (!barrier) return reply();
    held.push(reply);
    if (held.length >= barrier) {
      const go = held;
      held = [];
      for (const r of go) r();
    }
  });
  await new Promise<void>((resolve) => statusServer.listen(0, "127.0.0.1", resolve));
  upstream = `http://127.0.0.1:${(statusServer.address() as AddressInfo).port}`;
  // A port nothing listens on: connection refused, as for a Jupyter that died.
  refusing = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  statusServer.closeAllConnections();
  await new Promise((r) => statusServer.close(r));
});

/** A running server whose last proxy activity was `idleFor` ago and whose Jupyter answers `answer`. */
async function running(owner: string, name: string, idleFor: number, answer: Answer | "refused") {
  const actor = (await db().user.findUnique({ where: { name: owner } })) ?? (await makeUser(owner));
  const s = await createServer({ id: actor.id, name: actor.name, isAdmin: false }, owner, { name });
  await db().server.update({
    where: { id: s.id },
    data: { state: "running", upstream: answer === "refused" ? refusing : upstream, runtimeRef: null, startedAt: new Date(Date.now() - 5 * HOUR), lastActivityAt: new Date(Date.now() - idleFor) },
  });
  if (answer !== "refused") answers.set(`/user/${owner}/${name}/`, answer);
  return s.id;
}

const state = async (id: string) => db().server.findUniqueOrThrow({ where: { id } });

describe("idle culler pass", () => {
  it("stops the idle ones, keeps the ones Jupyter calls active, and does not ask about recently used ones", async () => {
    const idle = await running("ann", "idle", 3 * HOUR, { lastActivity: new Date(Date.now() - 3 * HOUR) });
    const neverActive = await running("ann", "quiet", 3 * HOUR, { lastActivity: null });
    const busy = await running("ben", "busy", 3 * HOUR, { lastActivity: new Date(Date.now() - 60_000) });
    const used = await running("ben", "used", 10 * 60_000, { lastActivity: new Date(Date.now() - 3 * HOUR) });

    const pass = await cullIdlePass();
    expect(pass).toMatchObject({ candidates: 3, active: 1, unreachable: 0, failed: 0 });
    expect(pass.culled.sort()).toEqual(["ann/idle", "ann/quiet"]);

    for (const id of [idle, neverActive]) {
      expect(await state(id)).toMatchObject({ state: "stopped", upstream: null, runtimeRef: null, progress: null, stateReason: "Stopped after being idle; its files are kept." });
    }
    const kept = await state(busy);
    expect(kept.state).toBe("running");
    // Jupyter's own activity is written down, so the next pass does not ask again for two hours.
    expect(kept.lastActivityAt!.getTime()).toBeGreaterThan(Date.now() - 2 * 60_000);
    expect((await state(used)).state).toBe("running");
    expect(asked.get("/user/ben/used/")).toBeUndefined();

    const events = await db().event.findMany({ where: { targetUser: "ann" }, orderBy: { at: "asc" } });
    expect(events.filter((e) => e.action === "cull").map((e) => [e.serverName, e.actorName, e.reason]).sort()).toEqual([
      ["idle", "berth", "idle"],
      ["quiet", "berth", "idle"],
    ]);
    expect(events.filter((e) => e.action === "stopped").map((e) => e.serverName).sort()).toEqual(["idle", "quiet"]);

    // Nothing left to do: the busy one has fresh activity now.
    expect(await cullIdlePass()).toMatchObject({ candidates: 0, culled: [] });
  });

  it("does not cull a server whose Jupyter fails to answer once; culls it when the next pass fails too", async () => {
    const gone = await running("cat", "gone", 3 * HOUR, "refused");
    const broken = await running("cat", "broken", 3 * HOUR, { status: 500 });

    const first = await cullIdlePass();
    expect(first).toMatchObject({ unreachable: 2, culled: [] });
    expect((await state(gone)).state).toBe("running");
    expect((await state(broken)).state).toBe("running");

    // It answers again in between: the count starts over.
    answers.set("/user/cat/broken/", { lastActivity: new Date(Date.now() - 60_000) });
    const second = await cullIdlePass();
    expect(second.culled).toEqual(["cat/gone"]);
    expect((await state(gone)).state).toBe("stopped");
    expect((await state(broken)).state).toBe("running");

    answers.set("/user/cat/broken/", { status: 502 });
    await db().server.update({ where: { id: broken }, data: { lastActivityAt: new Date(Date.now() - 3 * HOUR) } });
    expect((await cullIdlePass()).culled).toEqual([]);
    expect((await cullIdlePass()).culled).toEqual(["cat/broken"]);
  });

  it("asks at most `concurrency` servers at once, and more than one at a time", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await running(`dan${i % 3}`, `s${i}`, 3 * HOUR, { lastActivity: new Date(Date.now() - 60_000) }));
    mostInFlight = 0;
    // Answers wait until four requests are in flight: a culler asking one server after another
    // would never get one (the safety release below keeps such a failure from hanging the run).
    barrier = 4;
    const safety = setInterval(() => {
      const go = held;
      held = [];
      for (const r of go) r();
    }, 10_000);
    try {
      const pass = await cullIdlePass({ concurrency: 4 });
      expect(pass).toMatchObject({ candidates: 12, active: 12, culled: [] });
    } finally {
      clearInterval(safety);
      barrier = 0;
    }
    expect(mostInFlight).toBe(4);
    for (const id of ids) expect((await state(id)).state).toBe("running");
  });
});
