import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

// Laid out as Kubernetes mounts a ConfigMap: profiles.json → ..data/profiles.json, ..data → a
// timestamped folder, and an update swaps the ..data symlink to a new folder.
const dir = mkdtempSync(path.join(tmpdir(), "berth-profiles-unit-"));
const file = path.join(dir, "profiles.json");
let version = 0;
function publish(content: unknown) {
  const folder = path.join(dir, `..v${++version}`);
  mkdirSync(folder);
  writeFileSync(path.join(folder, "profiles.json"), typeof content === "string" ? content : JSON.stringify(content));
  symlinkSync(path.basename(folder), path.join(dir, "..data_tmp"));
  renameSync(path.join(dir, "..data_tmp"), path.join(dir, "..data"));
}
publish({ profiles: [{ slug: "small", displayName: "Small", default: true }] });
symlinkSync("..data/profiles.json", file);
process.env.BERTH_PROFILES_FILE = file;

const { profiles, profilesStatus, resetProfiles, CHECK_MS } = await import("./profiles");

afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => resetProfiles());

const slugs = (now: number) => profiles(now).map((p) => p.slug);

describe("profiles()", () => {
  it("follows the file through a ConfigMap-style symlink swap, looking at most every CHECK_MS", () => {
    const t0 = Date.now();
    expect(slugs(t0)).toEqual(["small"]);
    publish({ profiles: [{ slug: "small", displayName: "Small", default: true }, { slug: "big", displayName: "Big", cpu: "4", memory: "8Gi" }] });
    // Not looked at again yet.
    expect(slugs(t0 + 10)).toEqual(["small"]);
    expect(slugs(t0 + CHECK_MS + 20)).toEqual(["small", "big"]);
    const big = profiles(t0 + CHECK_MS + 30).find((p) => p.slug === "big")!;
    expect(big).toMatchObject({ cpu: "4", memory: "8Gi", default: false });
    expect(big.storage).toBeTruthy();
    expect(profilesStatus(t0 + CHECK_MS + 40).error).toBeUndefined();
  });

  it("keeps the last good list when a change is invalid, reports the error, and recovers", () => {
    const t0 = Date.now();
    const before = slugs(t0);
    publish("{ not json");
    expect(slugs(t0 + CHECK_MS + 10)).toEqual(before);
    const status = profilesStatus(t0 + CHECK_MS + 20);
    expect(status.error?.message).toMatch(/not valid JSON/);
    expect(status.file).toBe(file);

    publish({ profiles: [{ slug: "Bad Slug", displayName: "x" }] });
    expect(slugs(t0 + 2 * CHECK_MS + 20)).toEqual(before);
    expect(profilesStatus(t0 + 2 * CHECK_MS + 30).error?.message).toMatch(/slug/);

    publish({ profiles: [{ slug: "only", displayName: "Only" }] });
    expect(slugs(t0 + 3 * CHECK_MS + 40)).toEqual(["only"]);
    // The one profile becomes the default when none is marked.
    expect(profiles(t0 + 3 * CHECK_MS + 50)[0].default).toBe(true);
    expect(profilesStatus(t0 + 3 * CHECK_MS + 60).error).toBeUndefined();
  });

  it("keeps the last good list while the file is missing", () => {
    const t0 = Date.now();
    const before = slugs(t0);
    rmSync(file);
    expect(slugs(t0 + CHECK_MS + 10)).toEqual(before);
    expect(profilesStatus(t0 + CHECK_MS + 20).error?.message).toMatch(/does not exist/);
    symlinkSync("..data/profiles.json", file);
  });
});
