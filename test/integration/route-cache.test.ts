import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { cachedUserRoutes, invalidateRoute, userRoutes } from "../../lib/proxy/route-cache";
import { revokeSession } from "../../lib/auth/user-sessions";
import { resolveTarget, resolveTargetCached } from "../../lib/proxy/resolve-target";
import { makeUser } from "../helpers";
import { signedInSession } from "../helpers/proxy-harness";

// The proxy's route cache under load: requests that miss together share one database read, and
// a state change made while a read is on its way is not hidden by that read's older answer.

describe("the route cache", () => {
  it("serves concurrent misses from one read, and the cached answer without one", async () => {
    const u = await makeUser("routecache");
    await db().server.create({ data: { ownerId: u.id!, name: "", profile: "default", token: "t", state: "running", upstream: "http://127.0.0.1:9" } });
    invalidateRoute("routecache");
    expect(cachedUserRoutes("routecache")).toBeUndefined();
    const answers = await Promise.all(Array.from({ length: 20 }, () => userRoutes("routecache")));
    // One read made one Map; every caller got that same one.
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]!.get("")?.state).toBe("running");
    expect(cachedUserRoutes("routecache")).toBe(answers[0]);
    expect(await userRoutes("routecache")).toBe(answers[0]);
    expect(cachedUserRoutes("nobody-here")).toBeUndefined();
    expect(await userRoutes("nobody-here")).toBeNull();
  });

  it("does not let a read that predates a change answer for after it", async () => {
    const u = await db().user.findUniqueOrThrow({ where: { name: "routecache" } });
    invalidateRoute("routecache");
    const before = userRoutes("routecache"); // on its way, sees "running"
    await db().server.updateMany({ where: { ownerId: u.id, name: "" }, data: { state: "stopped", upstream: null } });
    invalidateRoute("routecache");
    const after = await userRoutes("routecache");
    expect(after!.get("")?.state).toBe("stopped");
    await before;
    // The older read did not refill the cache over the newer one.
    expect((await userRoutes("routecache"))!.get("")?.state).toBe("stopped");
  });
});

describe("the proxy's answer from its caches alone", () => {
  it("is the same as the full resolution once both caches hold it, and gives way after a sign-out", async () => {
    const u = await db().user.findUniqueOrThrow({ where: { name: "routecache" } });
    await db().server.updateMany({ where: { ownerId: u.id, name: "" }, data: { state: "running", upstream: "http://127.0.0.1:9" } });
    invalidateRoute("routecache");
    const { cookie, sid } = await signedInSession({ id: u.id, name: u.name, isAdmin: false });
    const other = await signedInSession(await makeUser("routecache2"));
    // Cold: it does not know yet, and says so rather than guess.
    expect(resolveTargetCached("/user/routecache/api/x", cookie)).toBeUndefined();
    const full = await resolveTarget("/user/routecache/api/x", cookie);
    expect(full.kind).toBe("proxy");
    expect(resolveTargetCached("/user/routecache/api/x", cookie)).toEqual(full);
    // Refusals that need no lookup are answered at once; a stranger's session is refused once known.
    expect(resolveTargetCached("/user/routecache/api/x", undefined)).toEqual({ kind: "signin" });
    await resolveTarget("/user/routecache/api/x", other.cookie);
    expect(resolveTargetCached("/user/routecache/api/x", other.cookie)).toEqual({ kind: "forbidden" });
    await revokeSession(sid, "test");
    expect(resolveTargetCached("/user/routecache/api/x", cookie)).toBeUndefined();
    expect((await resolveTarget("/user/routecache/api/x", cookie)).kind).toBe("signin");
    expect(resolveTargetCached("/user/routecache/api/x", cookie)).toEqual({ kind: "signin" });
  });
});
