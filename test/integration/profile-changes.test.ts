import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GET as getProfiles } from "../../app/api/admin/profiles/route";
import { listAllServers } from "../../lib/admin/list-all-servers";
import { parseServersQuery } from "../../lib/admin/servers-query";
import { db } from "../../lib/db/client";
import type { ProfilesOverview } from "../../lib/policy/profile-usage";
import { profiles } from "../../lib/policy/profiles";
import { runtime } from "../../lib/runtime";
import { detectCgroups } from "../../lib/runtime/local/cgroups";
import { createServer } from "../../lib/servers/create-server";
import { newToken } from "../../lib/servers/find-server";
import { listServers } from "../../lib/servers/list-servers";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import { createToken } from "../../lib/tokens/tokens";
import { expectAppError, makeUser, waitFor, waitForState } from "../helpers";

// Issue 13 point 6 on the local runtime: a server keeps the profile it was created with. The
// profiles file changes under running Berth (a profile edited, one removed); servers show and start
// with what they recorded, a removed profile shows as retired, and the console lists its servers.

const dir = mkdtempSync(path.join(tmpdir(), "berth-profile-changes-"));
const file = path.join(dir, "profiles.json");
function write(content: unknown) {
  writeFileSync(`${file}.tmp`, JSON.stringify(content));
  renameSync(`${file}.tmp`, file);
}
const STANDARD = { slug: "standard", displayName: "Standard", default: true, cpu: "1.5", memory: "1Gi", storage: "3Gi" };
const SMALL = { slug: "small", displayName: "Small", cpu: "0.75", memory: "512Mi", storage: "1Gi" };
write({ profiles: [STANDARD, SMALL] });
process.env.BERTH_PROFILES_FILE = file;

// Where Berth runs as root with cgroups it can write (this machine), the limits a start applies are
// read back from the host's cgroup files: the proof that the runtime got the recorded resources.
const HOST_CGROUPS = "/sys/fs/cgroup";
const cgroups = detectCgroups(HOST_CGROUPS);
if (cgroups.kind !== "none") process.env.BERTH_CGROUP_ROOT = HOST_CGROUPS;

function appliedLimits(serverId: string): { quota: number; bytes: number } | undefined {
  const files =
    cgroups.kind === "v2"
      ? { cpu: path.join(cgroups.root, serverId, "cpu.max"), mem: path.join(cgroups.root, serverId, "memory.max") }
      : cgroups.kind === "v1"
        ? { cpu: path.join(cgroups.cpu, serverId, "cpu.cfs_quota_us"), mem: path.join(cgroups.memory, serverId, "memory.limit_in_bytes") }
        : undefined;
  if (!files || !existsSync(files.cpu)) return undefined;
  return { quota: Number(readFileSync(files.cpu, "utf8").trim().split(" ")[0]), bytes: Number(readFileSync(files.mem, "utf8").trim()) };
}

afterAll(async () => {
  await runtime().shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe("profile changes are safe (local runtime, real Jupyter)", () => {
  it("keeps each server's recorded profile through edits and removal, shows retired profiles, and starts with the recorded resources", async () => {
    const alice = await makeUser("alice");
    const admin = await makeUser("changes-admin", true);
    const work = await createServer(alice, "alice", { name: "work" });
    const tiny = await createServer(alice, "alice", { name: "tiny", profile: "small" });
    expect(work.profileSpec).toMatchObject({ slug: "standard", displayName: "Standard", cpu: "1.5", memory: "1Gi", storage: "3Gi" });

    // The administrators edit Small and remove Standard; Large is new and the default.
    write({ profiles: [{ ...SMALL, memory: "768Mi", storage: "2Gi" }, { slug: "large", displayName: "Large", default: true, cpu: "2", memory: "4Gi" }] });
    await waitFor("the edited profiles to be read", async () => !profiles().some((p) => p.slug === "standard"), 30_000);

    const page = await listServers(alice, "alice");
    const shown = (name: string) => page.servers.find((s) => s.name === name)!;
    // Not "Small" or "Large": what it was created as, with that day's resources, marked retired.
    expect(shown("work").profile).toEqual({ slug: "standard", displayName: "Standard", cpu: "1.5", memory: "1Gi", storage: "3Gi", retired: true });
    expect(shown("work").storageLimit).toBe(3 * 1024 ** 3);
    expect(shown("tiny").profile).toEqual({ slug: "small", displayName: "Small", cpu: "0.75", memory: "512Mi", storage: "1Gi", retired: false });
    // A retired profile is not offered for new servers.
    expect(page.profiles.map((p) => p.slug)).toEqual(["small", "large"]);
    await expectAppError(createServer(alice, "alice", { name: "again", profile: "standard" }), "invalid_profile", 422);

    // Starts with what it recorded, although its profile is gone.
    await startServer(alice, "alice", "work");
    const running = await waitForState(work.id, "running");
    expect(running.upstream).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const started = await db().event.findFirstOrThrow({ where: { action: "start", targetUser: "alice", serverName: "work" }, orderBy: { at: "desc" } });
    expect(started.details).toEqual({ profile: "standard", resources: { cpu: "1.5", memory: "1Gi", storage: "3Gi", image: null }, retired: true });
    if (runtime().capabilities().limitsEnforced) {
      // The host's cgroup holds the recorded 1.5 CPU and 1 GiB, not Large's 2 CPU / 4 GiB.
      expect(appliedLimits(work.id)).toEqual({ quota: 150_000, bytes: 1024 ** 3 });
    } else {
      expect(cgroups.kind).toBe("none");
    }

    // The console's Profiles tab lists the retired profile with its server and what it recorded.
    const token = (await createToken(admin, admin.name, {})).token;
    const res = await getProfiles(new Request("http://berth.test/api/admin/profiles", { headers: { authorization: `token ${token}` } }), undefined as never);
    const overview = (await res.json()) as ProfilesOverview;
    expect(overview.removed).toEqual([
      {
        slug: "standard",
        displayName: "Standard",
        servers: 1,
        running: 1,
        list: [{ owner: "alice", name: "work", label: "work", state: "running", recorded: { displayName: "Standard", cpu: "1.5", memory: "1Gi", storage: "3Gi", image: null } }],
      },
    ]);
    expect(overview.profiles.map((p) => [p.profile.slug, p.servers])).toEqual([["small", 1], ["large", 1]]);
    // The Servers tab can filter by it too, and finds its server.
    const all = await listAllServers(admin, parseServersQuery({ profile: "standard" }), { storage: false });
    expect(all.profiles).toEqual([
      { slug: "small", displayName: "Small" },
      { slug: "large", displayName: "Large" },
      { slug: "standard", displayName: "Standard (retired)" },
    ]);
    expect(all.servers.map((s) => [s.owner, s.name, s.profile.retired])).toEqual([["alice", "work", true]]);
    await stopServer(alice, "alice", "work");
    await waitForState(work.id, "stopped");

    // The edited profile: the server keeps Small as it was (512Mi, 1Gi) at its next start.
    await startServer(alice, "alice", "tiny");
    await waitForState(tiny.id, "running");
    const tinyStart = await db().event.findFirstOrThrow({ where: { action: "start", serverName: "tiny" }, orderBy: { at: "desc" } });
    expect(tinyStart.details).toEqual({ profile: "small", resources: { cpu: "0.75", memory: "512Mi", storage: "1Gi", image: null } });
    if (runtime().capabilities().limitsEnforced) expect(appliedLimits(tiny.id)).toEqual({ quota: 75_000, bytes: 512 * 1024 ** 2 });
    await stopServer(alice, "alice", "tiny");
    await waitForState(tiny.id, "stopped");
  });

  it("records a server made before profiles were recorded at its next start, and keeps that", async () => {
    const bob = await makeUser("bob");
    // As the rows made before the migration look: a slug, no record; its profile since removed.
    const old = await db().server.create({ data: { ownerId: bob.id!, name: "legacy", profile: "gone", token: newToken() } });
    const before = (await listServers(bob, "bob")).servers.find((s) => s.name === "legacy")!;
    expect(before.profile).toMatchObject({ slug: "gone", displayName: "gone", retired: true });

    await startServer(bob, "bob", "legacy");
    await waitForState(old.id, "running");
    const row = await db().server.findUniqueOrThrow({ where: { id: old.id } });
    // What such servers always got: the default profile's resources (Large now), recorded from here on.
    expect(row.profileSpec).toMatchObject({ slug: "gone", displayName: "gone", cpu: "2", memory: "4Gi" });
    await stopServer(bob, "bob", "legacy");
    await waitForState(old.id, "stopped");

    write({ profiles: [{ slug: "large", displayName: "Large", default: true, cpu: "1", memory: "2Gi" }] });
    await waitFor("the next edit to be read", async () => !profiles().some((p) => p.slug === "small"), 30_000);
    const after = (await listServers(bob, "bob")).servers.find((s) => s.name === "legacy")!;
    expect(after.profile).toMatchObject({ slug: "gone", cpu: "2", memory: "4Gi", retired: true });
  });
});
