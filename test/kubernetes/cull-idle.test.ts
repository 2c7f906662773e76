import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { cullIdlePass } from "../../lib/jobs/cull-idle";
import { runtime } from "../../lib/runtime";
import { objectName } from "../../lib/runtime/kubernetes/names";
import { createServer } from "../../lib/servers/create-server";
import { listServers } from "../../lib/servers/list-servers";
import { startServer } from "../../lib/servers/start-server";
import type { Actor } from "../../lib/auth/actor";
import { makeUser, waitForState } from "../helpers";
import { readClaim, readPod, waitPodGone } from "../helpers/kube";
import { writeProfilesFile } from "../helpers/profiles-file";

// The idle rule on the Kubernetes runtime (the culler knows no runtime): each server's profile
// decides its timeout, Jupyter in the pod is asked before a stop, and a culled server loses its
// pod but keeps its claim.

const MIN = 60_000;
const HOUR = 3600_000;
writeProfilesFile("berth-kube-idle-", [
      { slug: "standard", displayName: "Standard", default: true },
      { slug: "short", displayName: "Short", idleTimeoutSeconds: 900 },
    ]);

let alice: Actor;
const ids: Record<string, string> = {};

beforeAll(async () => {
  alice = await makeUser("alice");
  for (const [name, profile] of [["long", "standard"], ["quick", "short"]] as const) {
    ids[name] = (await createServer(alice, "alice", { name, profile })).id;
    await startServer(alice, "alice", name);
  }
  await Promise.all(Object.values(ids).map((id) => waitForState(id, "running")));
});

afterAll(async () => {
  await runtime().shutdown();
});

describe("idle stop on Kubernetes", () => {
  it("shows and applies each server's profile timeout: the short one's pod goes, its claim stays", async () => {
    const page = await listServers(alice, "alice");
    const quick = page.servers.find((s) => s.name === "quick")!;
    const long = page.servers.find((s) => s.name === "long")!;
    expect(new Date(long.idleStopAt!).getTime() - new Date(quick.idleStopAt!).getTime()).toBeGreaterThan(HOUR);

    // Jupyter in the pod answers; its activity is older than the short profile's 15 minutes then.
    const pass = await cullIdlePass({ now: new Date(Date.now() + 30 * MIN) });
    expect(pass.culled).toEqual(["alice/quick"]);
    await waitForState(ids.quick, "stopped");
    await waitPodGone(objectName("jupyter", "alice", "quick"));
    expect(await readClaim(objectName("claim", "alice", "quick"))).toBeDefined();
    expect((await db().server.findUniqueOrThrow({ where: { id: ids.long } })).state).toBe("running");
    expect(await readPod(objectName("jupyter", "alice", "long"))).toBeDefined();

    // The operator's default (2 h) for the standard profile.
    expect((await cullIdlePass({ now: new Date(Date.now() + 3 * HOUR) })).culled).toEqual(["alice/long"]);
    await waitForState(ids.long, "stopped");
  });
});
