import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireBuildLock } from "./build-lock";

const made: string[] = [];
function lockPath() {
  const dir = mkdtempSync(path.join(tmpdir(), "berth-lock-"));
  made.push(dir);
  return path.join(dir, "builds", "abc.lock");
}
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("acquireBuildLock", () => {
  it("lets one holder in at a time; the next one gets in after release", async () => {
    const lock = lockPath();
    const release = await acquireBuildLock(lock, { timeoutMs: 10_000, pollMs: 10 });
    const order: string[] = [];
    let waited = false;
    const second = acquireBuildLock(lock, { timeoutMs: 10_000, pollMs: 10, onWait: () => (waited = true) }).then((r) => {
      order.push("second in");
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(waited).toBe(true);
    order.push("first out");
    release();
    (await second)();
    expect(order).toEqual(["first out", "second in"]);
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock whose holder process is gone", async () => {
    const lock = lockPath();
    mkdirSync(lock, { recursive: true });
    // pid 2^22 + 1 is above Linux's pid_max limit, so no process has it.
    writeFileSync(path.join(lock, "owner.json"), JSON.stringify({ pid: 4194305 }));
    const release = await acquireBuildLock(lock, { timeoutMs: 1_000, pollMs: 10 });
    release();
  });

  it("gives up with a clear error when the holder never lets go", async () => {
    const lock = lockPath();
    const release = await acquireBuildLock(lock, { timeoutMs: 1_000 });
    await expect(acquireBuildLock(lock, { timeoutMs: 0, pollMs: 10 })).rejects.toMatchObject({ status: 504, details: { reason: "build_busy" } });
    release();
  });
});
