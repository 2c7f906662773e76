import { describe, expect, it } from "vitest";
import { mapLimit } from "./map-limit";

describe("mapLimit", () => {
  it("runs every item with at most `limit` in flight", async () => {
    let active = 0;
    let most = 0;
    const seen: number[] = [];
    await mapLimit([...Array(20).keys()], 3, async (n) => {
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setImmediate(r));
      seen.push(n);
      active--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(most).toBe(3);
  });

  it("finishes the rest before rejecting with the first error", async () => {
    const done: number[] = [];
    await expect(
      mapLimit([1, 2, 3, 4], 2, async (n) => {
        if (n === 2) throw new Error("two");
        done.push(n);
      }),
    ).rejects.toThrow("two");
    expect(done.sort()).toEqual([1, 3, 4]);
  });

  it("does nothing for no items", async () => {
    await mapLimit([], 4, async () => {
      throw new Error("never");
    });
  });
});
