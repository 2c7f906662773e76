import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { hardenDataDir, NOT_ISOLATED_NOTE, processesOfUid, unreachableBecause } from "./isolation";
import { log } from "../../log";
import { LocalRuntime } from "./local-runtime";

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(path.join(tmpdir(), "berth-iso-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const mode = (p: string) => statSync(p).mode & 0o7777;

describe("hardenDataDir", () => {
  it("leaves servers a way to their own folders but closes everything else of Berth's", () => {
    const dir = path.join(scratch(), "data");
    mkdirSync(path.join(dir, "pgdata"), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(dir, "auth-secret"), "s", { mode: 0o644 });
    writeFileSync(path.join(dir, "db.json"), "{}", { mode: 0o664 });
    mkdirSync(path.join(dir, "builds"), { mode: 0o755 });
    const outside = path.join(path.dirname(dir), "outside");
    writeFileSync(outside, "not Berth's", { mode: 0o644 });
    symlinkSync(outside, path.join(dir, "link"));

    hardenDataDir(dir);

    expect(mode(dir)).toBe(0o711);
    for (const name of ["workspaces", "runtime", "builds"]) expect(mode(path.join(dir, name)), name).toBe(0o711);
    expect(mode(path.join(dir, "pgdata"))).toBe(0o700);
    expect(mode(path.join(dir, "auth-secret"))).toBe(0o600);
    expect(mode(path.join(dir, "db.json"))).toBe(0o600);
    // A link is not followed to a file that is not the data folder's.
    expect(mode(outside)).toBe(0o644);
  });
});

describe("unreachableBecause", () => {
  it("names the first folder above the data folder that others cannot pass", () => {
    const root = scratch();
    chmodSync(root, 0o755);
    const closed = path.join(root, "home");
    mkdirSync(path.join(closed, "berth", "data"), { recursive: true });
    chmodSync(closed, 0o700);
    expect(unreachableBecause(path.join(closed, "berth", "data"))).toBe(closed);
    chmodSync(closed, 0o711);
    expect(unreachableBecause(path.join(closed, "berth", "data"))).toBeUndefined();
  });
});

describe("processesOfUid", () => {
  it("finds a process by the uid it runs as, whatever its environment", async () => {
    const child = spawn("/bin/sleep", ["30"], { stdio: "ignore", env: {} as NodeJS.ProcessEnv });
    try {
      await new Promise((r) => child.once("spawn", r));
      expect(processesOfUid(process.getuid!())).toContain(child.pid);
      expect(processesOfUid(process.getuid!() + 1_234_567)).not.toContain(child.pid);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("LocalRuntime without root", () => {
  const options = (dataDir: string, asRoot: boolean) => ({ dataDir, cgroupRoot: path.join(dataDir, "no-cgroups"), startTimeoutMs: 1000, hostEnv: { PATH: "/usr/bin:/bin" }, uidBase: 1_900_000_000, asRoot });

  it("says on the dashboard and in the log that servers run as Berth's user and are not isolated", () => {
    const dataDir = scratch();
    const warn = vi.spyOn(log, "warn").mockImplementation(() => undefined);
    let rt: LocalRuntime;
    try {
      rt = new LocalRuntime(options(dataDir, false));
      expect(warn).toHaveBeenCalledWith(NOT_ISOLATED_NOTE, { dataDir });
    } finally {
      warn.mockRestore();
    }
    expect(rt.capabilities().isolationNote).toBe(NOT_ISOLATED_NOTE);
    expect(NOT_ISOLATED_NOTE).toMatch(/^Servers run as Berth's own user and are not isolated from each other/);
    // Nothing is re-moded when there is no uid to keep out.
    expect(mode(dataDir)).toBe(0o700);
  });

  it("as root, says nothing of the kind and closes the data folder at once", () => {
    const dataDir = scratch();
    writeFileSync(path.join(dataDir, "auth-secret"), "s", { mode: 0o644 });
    const warn = vi.spyOn(log, "warn");
    const rt = new LocalRuntime(options(dataDir, true));
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(rt.capabilities().isolationNote).toBeUndefined();
    expect(mode(dataDir)).toBe(0o711);
    expect(mode(path.join(dataDir, "auth-secret"))).toBe(0o600);
  });
});
