import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { AppError } from "../../lib/errors";
import { createServer } from "../../lib/servers/create-server";
import { expectAppError, makeUser } from "../helpers";

describe("named-server quota and creation rules (real PostgreSQL)", () => {
  it("lets exactly 5 of 50 concurrent creates through and refuses the rest with quota_exceeded", async () => {
    const alice = await makeUser("alice");
    const names = Array.from({ length: 50 }, (_, i) => `s${i + 1}`);
    const results = await Promise.allSettled(names.map((name) => createServer(alice, "alice", { name })));

    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(45);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(AppError);
      const e = r.reason as AppError;
      expect({ code: e.code, status: e.status }).toEqual({ code: "quota_exceeded", status: 403 });
      expect(e.message).toMatch(/5 named servers, the most allowed/);
      expect(e.message).toMatch(/Delete one you no longer need, or reuse one of: /);
      expect(e.details).toEqual({ limit: 5 });
    }

    const rows = await db().server.findMany({ where: { owner: { name: "alice" } }, orderBy: { name: "asc" } });
    expect(rows).toHaveLength(5);
    const created = ok.map((r) => (r as PromiseFulfilledResult<{ name: string }>).value.name).sort();
    expect(rows.map((r) => r.name)).toEqual(created);
    // The refusal names the servers the person could reuse.
    for (const r of refused) for (const n of created) expect((r.reason as Error).message).toContain(n);

    expect(await db().event.count({ where: { action: "create", targetUser: "alice" } })).toBe(5);
    expect(await db().event.count({ where: { action: "quota_refused", targetUser: "alice", actorName: "alice" } })).toBe(45);
  });

  it("refuses a duplicate name with 409 name_taken", async () => {
    const bob = await makeUser("bob");
    await createServer(bob, "bob", { name: "analysis" });
    const e = await expectAppError(createServer(bob, "bob", { name: "analysis" }), "name_taken", 409);
    expect(e.message).toContain('"analysis"');
    expect(await db().server.count({ where: { ownerId: bob.id! } })).toBe(1);
  });

  it("the default server does not count towards the limit", async () => {
    const dora = await makeUser("dora");
    await db().server.create({ data: { ownerId: dora.id!, name: "", profile: "default", token: "t" } });
    for (const name of ["a1", "a2", "a3", "a4", "a5"]) await createServer(dora, "dora", { name });
    await expectAppError(createServer(dora, "dora", { name: "a6" }), "quota_exceeded", 403);
    expect(await db().server.count({ where: { ownerId: dora.id! } })).toBe(6);
  });

  it.each([["Analysis"], ["1st"], ["a--b"], ["lab"], ["x".repeat(21)], [""]])("refuses the invalid name %j with 422 and creates no row", async (name) => {
    const carol = await db().user.upsert({ where: { name: "carol" }, create: { name: "carol" }, update: {} });
    const actor = { id: carol.id, name: "carol", isAdmin: false };
    const e = await expectAppError(createServer(actor, "carol", { name }), "invalid_name", 422);
    expect(e.message.length).toBeGreaterThan(20);
    expect(await db().server.count({ where: { ownerId: carol.id } })).toBe(0);
  });

  it("refuses an unknown profile with 422", async () => {
    const erin = await makeUser("erin");
    const e = await expectAppError(createServer(erin, "erin", { name: "gpu", profile: "huge" }), "invalid_profile", 422);
    expect(e.message).toContain("default");
    expect(await db().server.count({ where: { ownerId: erin.id! } })).toBe(0);
  });

  it("refuses another user's request with 403 and changes nothing", async () => {
    const frank = await makeUser("frank");
    const mallory = await makeUser("mallory");
    const eventsBefore = await db().event.count();
    await expectAppError(createServer(mallory, "frank", { name: "sneaky" }), "forbidden", 403);
    // Not even whether the user exists is revealed.
    await expectAppError(createServer(mallory, "nobody-here", { name: "sneaky" }), "forbidden", 403);
    expect(await db().server.count({ where: { ownerId: { in: [frank.id!, mallory.id!] } } })).toBe(0);
    expect(await db().event.count()).toBe(eventsBefore);
  });

  it("lets an administrator create a server for another user, audited under the admin's name", async () => {
    const gina = await makeUser("gina");
    const root = await makeUser("root-admin", true);
    const s = await createServer(root, "gina", { name: "shared" });
    expect(s.ownerId).toBe(gina.id);
    expect(s.state).toBe("stopped");
    expect(s.profile).toBe("default");
    const ev = await db().event.findFirst({ where: { action: "create", targetUser: "gina", serverName: "shared" } });
    expect(ev).toMatchObject({ actorName: "root-admin", actorId: root.id });
    await expectAppError(createServer(root, "ghost", { name: "x" }), "not_found", 404);
  });

  it("the database refuses a malformed name even if a caller skips the policy", async () => {
    const hank = await makeUser("hank");
    await expect(db().server.create({ data: { ownerId: hank.id!, name: "Bad Name", profile: "default", token: "t" } })).rejects.toThrow();
    expect(await db().server.count({ where: { ownerId: hank.id! } })).toBe(0);
  });
});
