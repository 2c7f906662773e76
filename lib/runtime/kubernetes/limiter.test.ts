import { describe, expect, it } from "vitest";
import { Limiter } from "./limiter";

const tick = () => new Promise((r) => setImmediate(r));

describe("Limiter", () => {
  it("runs at most `limit` tasks at once, the rest in arrival order", async () => {
    const l = new Limiter(2);
    const started: number[] = [];
    const release: (() => void)[] = [];
    const tasks = [0, 1, 2, 3].map((i) =>
      l.run(async () => {
        started.push(i);
        await new Promise<void>((r) => (release[i] = r));
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(l.running).toBe(2);
    expect(l.queued).toBe(2);
    release[1]();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    // A newcomer while one waits still queues behind it.
    const late = l.run(async () => "late");
    release[0]();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(l.running).toBe(2);
    release[2]();
    release[3]();
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3]);
    expect(await late).toBe("late");
    expect(l.running).toBe(0);
    expect(l.peak).toEqual({ active: 2, waiting: 2 });
  });

  it("frees the slot of a task that fails", async () => {
    const l = new Limiter(1);
    await expect(l.run(async () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(await l.run(async () => 1)).toBe(1);
    expect(l.running).toBe(0);
  });
});
