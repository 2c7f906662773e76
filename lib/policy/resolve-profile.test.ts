import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadProfiles } from "../config";
import { AppError } from "../errors";
import { mayUseProfile, readRecordedProfile, recordedLabel, resolveProfile, runtimeProfile } from "./resolve-profile";
import { imageOption, ML_TEAM } from "../../test/shared/profile-fixtures";

const dir = mkdtempSync(path.join(tmpdir(), "berth-resolve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const defaults = { cpu: "1", memory: "2Gi", storage: "2Gi" };
function load(content: unknown) {
  const f = path.join(dir, `p${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(content));
  return loadProfiles(f, defaults);
}

const file = {
  profiles: [
    { slug: "standard", displayName: "Standard", default: true },
    {
      slug: "gpu",
      displayName: "GPU",
      memory: "8Gi",
      image: "example.org/gpu:1",
      groups: ML_TEAM,
      options: {
        image: imageOption({ overrides: { image: "example.org/py311:1" } }),
        size: { displayName: "Size", choices: { small: { displayName: "Small", overrides: { cpu: "2" } }, large: { displayName: "Large", overrides: { cpu: "8", memory: "32Gi", storage: "50Gi" } } } },
      },
    },
  ],
};

describe("profile options and groups", () => {
  it("applies base → profile → choice, taking each option's default (or first) choice", () => {
    const gpu = load(file).find((p) => p.slug === "gpu")!;
    const r = resolveProfile(gpu);
    expect(r).toMatchObject({ slug: "gpu", cpu: "2", memory: "8Gi", storage: "2Gi", image: "example.org/gpu:1", groups: ["ml-team"] });
    expect(r.choices.map((c) => [c.option, c.choice])).toEqual([["image", "py312"], ["size", "small"]]);
    const big = resolveProfile(gpu, { image: "py311", size: "large" });
    expect(big).toMatchObject({ cpu: "8", memory: "32Gi", storage: "50Gi", image: "example.org/py311:1" });
    expect(recordedLabel(big)).toBe("GPU · Python 3.11 · Large");
    expect(runtimeProfile(big)).toMatchObject({ slug: "gpu", cpu: "8", memory: "32Gi", storage: "50Gi", image: "example.org/py311:1" });
    // What is stored reads back the same.
    expect(readRecordedProfile(JSON.parse(JSON.stringify(big)))).toEqual(big);
    expect(readRecordedProfile(null)).toBeUndefined();
    expect(readRecordedProfile({ slug: "x" })).toBeUndefined();
  });

  it("refuses a choice or option that does not exist, naming what does", () => {
    const [standard, gpu] = load(file);
    const e1 = (() => { try { resolveProfile(gpu, { image: "py27" }); } catch (e) { return e; } })() as AppError;
    expect(e1).toBeInstanceOf(AppError);
    expect([e1.status, e1.message]).toEqual([422, '"py27" is not a choice of Image in the profile "GPU". Choose one of: py311, py312.']);
    expect(() => resolveProfile(gpu, { colour: "red" })).toThrow(/has no option "colour". Its options are: image, size/);
    expect(() => resolveProfile(gpu, { constructor: "x" })).toThrow(/has no option "constructor"/);
    expect(() => resolveProfile(gpu, { image: "toString" })).toThrow(/not a choice/);
    expect(() => resolveProfile(standard, { image: "py311" })).toThrow(/has no options to choose/);
  });

  it("lets administrators and members use a group profile, and everyone a profile without groups", () => {
    expect(mayUseProfile(undefined, { isAdmin: false, groups: [] })).toBe(true);
    expect(mayUseProfile(["ml-team"], { isAdmin: false, groups: ["staff", "ml-team"] })).toBe(true);
    expect(mayUseProfile(["ml-team"], { isAdmin: false, groups: ["staff"] })).toBe(false);
    expect(mayUseProfile([], { isAdmin: false, groups: ["staff"] })).toBe(false);
    expect(mayUseProfile(["ml-team"], { isAdmin: true, groups: [] })).toBe(true);
  });

  it("checks the file: choices, defaults, and a default profile open to everyone", () => {
    expect(() => load({ profiles: [{ slug: "a", displayName: "A", options: { image: { displayName: "Image", choices: {} } } }] })).toThrow(/at least one choice/);
    expect(() => load({ profiles: [{ slug: "a", displayName: "A", options: { image: { displayName: "Image", default: "nope", choices: { x: { displayName: "X" } } } } }] })).toThrow(/default must name one of the choices/);
    expect(() => load({ profiles: [{ slug: "a", displayName: "A", options: { image: { displayName: "Image", choices: { x: { displayName: "X", overrides: { gpu: "1" } } } } } }] })).toThrow(/is invalid/);
    expect(() => load({ profiles: [{ slug: "a", displayName: "A", default: true, groups: ["x"] }] })).toThrow(/the default profile "a" names groups/);
    expect(() => load({ profiles: [{ slug: "a", displayName: "A", groups: ["x"] }] })).toThrow(/every profile names groups/);
    // Unmarked: the first profile open to everyone is the default.
    expect(load({ profiles: [{ slug: "a", displayName: "A", groups: ["x"] }, { slug: "b", displayName: "B" }] }).map((p) => p.default)).toEqual([false, true]);
  });
});
