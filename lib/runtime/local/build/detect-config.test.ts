import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { detectConfig, parseRuntime } from "./detect-config";
import { refusal } from "../../../../test/helpers/refusal";

const made: string[] = [];
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "berth-detect-"));
  made.push(dir);
  for (const [f, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    if (f.endsWith("/")) mkdirSync(path.join(dir, f), { recursive: true });
    else writeFileSync(path.join(dir, f), content);
  }
  return dir;
}
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("parseRuntime", () => {
  it("reads python-X.Y and compares major.minor with the host", () => {
    expect(parseRuntime("python-3.11\n", "3.11.7")).toEqual({ raw: "python-3.11", python: "3.11", met: true, note: undefined });
    expect(parseRuntime("python-3.11.2", "3.11.7")).toMatchObject({ python: "3.11", met: true });
    expect(parseRuntime("\npython-3", "3.11.7")).toMatchObject({ python: "3", met: true });
  });

  it("notes a version this host cannot meet, without failing", () => {
    const r = parseRuntime("python-3.8", "3.11.7");
    expect(r).toMatchObject({ python: "3.8", met: false });
    expect(r.note).toContain("Python 3.8");
    expect(r.note).toContain("3.11.7");
    expect(r.note).toContain("Kubernetes runtime");
  });

  it("ignores, with a note, what is not a Python version", () => {
    expect(parseRuntime("pypy-7", "3.11.7")).toEqual({ raw: "pypy-7", met: true, note: expect.stringContaining("not a Python version") });
    expect(parseRuntime("python-3.x", "3.11.7").note).toContain("ignored");
  });
});

describe("detectConfig", () => {
  it("finds requirements.txt, postBuild and runtime.txt at the top level", () => {
    const plan = detectConfig(repo({ "requirements.txt": "x\n", postBuild: "echo hi\n", "runtime.txt": "python-3.11\n" }), "3.11.7");
    expect(plan).toMatchObject({ configDir: "", requirements: "requirements.txt", postBuild: "postBuild", runtime: { python: "3.11", met: true }, notes: [] });
  });

  it("uses only binder/ when it exists: top-level files, even unsupported ones, are ignored", () => {
    const plan = detectConfig(repo({ "requirements.txt": "x\n", "environment.yml": "x", Dockerfile: "FROM x", "setup.py": "", "binder/postBuild": "echo\n" }), "3.11.7");
    expect(plan).toMatchObject({ configDir: "binder", postBuild: "binder/postBuild" });
    expect(plan.requirements).toBeUndefined();
    expect(plan.installRepo).toBeUndefined();
  });

  it("uses .binder/ the same way", () => {
    const plan = detectConfig(repo({ postBuild: "x", ".binder/requirements.txt": "x\n" }), "3.11.7");
    expect(plan).toMatchObject({ configDir: ".binder", requirements: ".binder/requirements.txt" });
    expect(plan.postBuild).toBeUndefined();
  });

  it("refuses both binder/ and .binder/, as repo2docker does", () => {
    const e = refusal(() => detectConfig(repo({ "binder/requirements.txt": "x", ".binder/requirements.txt": "y" }), "3.11.7"));
    expect(e.message).toContain("both a binder/ and a .binder/");
  });

  it("refuses what the local runtime cannot build, naming the file and the Kubernetes runtime", () => {
    for (const [file, needs] of [
      ["environment.yml", "conda"],
      ["Dockerfile", "Docker"],
      ["install.R", "R"],
      ["Project.toml", "Julia"],
      ["apt.txt", "apt"],
      ["Pipfile", "pipenv"],
    ]) {
      const e = refusal(() => detectConfig(repo({ [file]: "x", "requirements.txt": "x" }), "3.11.7"));
      expect(e).toMatchObject({ code: "invalid_input", status: 422, details: { reason: "unsupported_config", file } });
      expect(e.message).toContain(file);
      expect(e.message).toContain(needs);
      expect(e.message).toContain("The Kubernetes runtime builds it");
    }
  });

  it("names every unsupported file, inside the binder folder", () => {
    const e = refusal(() => detectConfig(repo({ "binder/environment.yml": "x", "binder/apt.txt": "x" }), "3.11.7"));
    expect(e.details).toMatchObject({ file: "binder/environment.yml", files: ["binder/environment.yml", "binder/apt.txt"] });
    expect(e.message).toContain("builds them");
  });

  it("refuses an R runtime.txt", () => {
    const e = refusal(() => detectConfig(repo({ "runtime.txt": "r-4.1-2021-10-01\n" }), "3.11.7"));
    expect(e.message).toContain("runtime.txt (needs R)");
  });

  it("notes an unmet runtime.txt and builds anyway", () => {
    const plan = detectConfig(repo({ "runtime.txt": "python-3.6" }), "3.11.7");
    expect(plan.runtime).toMatchObject({ met: false });
    expect(plan.notes).toHaveLength(1);
  });

  it("installs a top-level setup.py only without a binder folder", () => {
    expect(detectConfig(repo({ "setup.py": "" }), "3.11.7").installRepo).toBe(true);
    expect(detectConfig(repo({ "setup.py": "", "binder/": "" }), "3.11.7").installRepo).toBeUndefined();
  });

  it("does not follow symbolic links out of the checkout", () => {
    const outside = repo({ "requirements.txt": "secret\n", postBuild: "x" });
    const dir = repo({});
    symlinkSync(path.join(outside, "requirements.txt"), path.join(dir, "requirements.txt"));
    symlinkSync(outside, path.join(dir, "binder"));
    const plan = detectConfig(dir, "3.11.7");
    expect(plan).toMatchObject({ configDir: "" });
    expect(plan.requirements).toBeUndefined();
  });
});
