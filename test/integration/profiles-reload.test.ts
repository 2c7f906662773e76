import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET as getProfiles } from "../../app/api/admin/profiles/route";
import type { ProfilesOverview } from "../../lib/policy/profile-usage";
import { profiles } from "../../lib/policy/profiles";
import { createServer } from "../../lib/servers/create-server";
import { createToken } from "../../lib/tokens/tokens";
import { expectAppError, makeUser, waitFor } from "../helpers";

// An administrator edits the profiles file while Berth runs: a new profile can be chosen without
// a restart, a broken edit keeps the last good profiles, and the console says which servers use what.

const dir = mkdtempSync(path.join(tmpdir(), "berth-profiles-int-"));
const file = path.join(dir, "profiles.json");
// Written whole and renamed into place, as an editor or a ConfigMap update does.
function write(content: unknown) {
  writeFileSync(`${file}.tmp`, typeof content === "string" ? content : JSON.stringify(content));
  renameSync(`${file}.tmp`, file);
}
write({ profiles: [{ slug: "standard", displayName: "Standard", default: true }] });
process.env.BERTH_PROFILES_FILE = file;

describe("profiles file reload", () => {
  it("creates a server with a profile added after start, keeps the last good list on a broken edit, and counts servers per profile", async () => {
    const pat = await makeUser("pat");
    const admin = await makeUser("prof-admin", true);
    await createServer(pat, "pat", { name: "one" });
    await expectAppError(createServer(pat, "pat", { name: "gpu-box", profile: "gpu" }), "invalid_profile", 422);

    write({ profiles: [{ slug: "standard", displayName: "Standard", default: true }, { slug: "gpu", displayName: "GPU", description: "For training", cpu: "4", memory: "16Gi" }] });
    await waitFor("the new profile to be read", async () => profiles().some((p) => p.slug === "gpu"), 30_000);
    const created = await createServer(pat, "pat", { name: "gpu-box", profile: "gpu" });
    expect(created).toBeTruthy();

    write("{ broken");
    const token = (await createToken(admin, admin.name, {})).token;
    const overview = await waitFor(
      "the broken edit to be reported",
      async () => {
        const res = await getProfiles(new Request("http://berth.test/api/admin/profiles", { headers: { authorization: `token ${token}` } }), undefined as never);
        const body = (await res.json()) as ProfilesOverview;
        return body.status.error ? body : undefined;
      },
      30_000,
    );
    expect(overview.status.error?.message).toMatch(/not valid JSON/);
    expect(overview.profiles.map((p) => p.profile.slug)).toEqual(["standard", "gpu"]);
    expect(overview.profiles.find((p) => p.profile.slug === "gpu")).toMatchObject({ servers: 1, running: 0 });
    expect(overview.profiles.find((p) => p.profile.slug === "standard")!.servers).toBeGreaterThanOrEqual(1);
    // Still usable while the file is broken.
    await createServer(pat, "pat", { name: "gpu-two", profile: "gpu" });

    // Removing the profile: its servers stay, listed as using a removed profile.
    write({ profiles: [{ slug: "standard", displayName: "Standard", default: true }] });
    await waitFor("the profile to be removed", async () => !profiles().some((p) => p.slug === "gpu"), 30_000);
    const res = await getProfiles(new Request("http://berth.test/api/admin/profiles", { headers: { authorization: `token ${token}` } }), undefined as never);
    const after = (await res.json()) as ProfilesOverview;
    expect(after.removed).toMatchObject([{ slug: "gpu", displayName: "GPU", servers: 2, running: 0 }]);
    expect(after.removed[0].list.map((s) => [s.owner, s.name, s.recorded?.cpu, s.recorded?.memory])).toEqual([["pat", "gpu-box", "4", "16Gi"], ["pat", "gpu-two", "4", "16Gi"]]);
    expect(after.status.error).toBeUndefined();
  });
});
