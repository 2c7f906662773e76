import { describe, expect, it } from "vitest";
import { StorageMeter } from "./storage-meter";

// A measurement the test finishes by hand, so what a read answers while one runs is observable.
function manualMeasure() {
  const calls: { id: string; finish: (bytes: number) => void; fail: (err: Error) => void }[] = [];
  let active = 0;
  let most = 0;
  const measure = (id: string) =>
    new Promise<number>((resolve, reject) => {
      active++;
      most = Math.max(most, active);
      const done = () => active--;
      calls.push({ id, finish: (b) => (done(), resolve(b)), fail: (e) => (done(), reject(e)) });
    });
  return { measure, calls, most: () => most };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("StorageMeter", () => {
  it("answers at once with no figure, measures in the background, then answers from memory", async () => {
    const m = manualMeasure();
    const meter = new StorageMeter({ measure: m.measure });
    expect(meter.read("a")).toEqual({ bytes: null, measuring: true, at: null });
    await tick();
    expect(m.calls.map((c) => c.id)).toEqual(["a"]);
    // Polled again while the walk runs: no second walk of the same server.
    expect(meter.read("a").measuring).toBe(true);
    await tick();
    expect(m.calls).toHaveLength(1);
    m.calls[0].finish(4096);
    await meter.idle();
    expect(meter.read("a")).toMatchObject({ bytes: 4096, measuring: false });
    await tick();
    expect(m.calls).toHaveLength(1);
  });

  it("keeps answering the last figure while a stale one is measured again", async () => {
    let now = 1_000_000;
    const m = manualMeasure();
    const meter = new StorageMeter({ measure: m.measure, maxAgeMs: 30_000, now: () => now });
    meter.read("a");
    await tick();
    m.calls[0].finish(100);
    await meter.idle();
    now += 29_000;
    expect(meter.read("a")).toMatchObject({ bytes: 100, measuring: false });
    now += 2_000;
    expect(meter.read("a")).toMatchObject({ bytes: 100, measuring: true });
    await tick();
    m.calls[1].finish(200);
    await meter.idle();
    expect(meter.read("a")).toMatchObject({ bytes: 200, measuring: false });
  });

  it("bounds the walks running at once across servers", async () => {
    const m = manualMeasure();
    const meter = new StorageMeter({ measure: m.measure, concurrency: 2 });
    for (const id of ["a", "b", "c", "d", "e"]) meter.read(id);
    await tick();
    expect(m.calls).toHaveLength(2);
    for (let i = 0; i < 5; i++) {
      await tick();
      m.calls[i].finish(i);
      await tick();
    }
    await meter.idle();
    expect(m.calls).toHaveLength(5);
    expect(m.most()).toBe(2);
    expect(["a", "b", "c", "d", "e"].map((id) => meter.peek(id)?.bytes)).toEqual([0, 1, 2, 3, 4]);
  });

  it("drops a forgotten server, and a walk in flight does not bring its figure back", async () => {
    const m = manualMeasure();
    const meter = new StorageMeter({ measure: m.measure });
    meter.read("gone");
    await tick();
    meter.forget("gone");
    m.calls[0].finish(999);
    await meter.idle();
    expect(meter.peek("gone")).toBeUndefined();
  });

  it("forgets servers nobody asked about for a long time", async () => {
    let now = 0;
    const meter = new StorageMeter({ measure: async () => 1, forgetAfterMs: 600_000, now: () => now });
    meter.read("old");
    await meter.idle();
    now = 700_000;
    meter.read("new");
    expect(meter.peek("old")).toBeUndefined();
    expect(meter.peek("new")).toBeDefined();
  });

  it("refreshes on request and waits for a figure when asked for a fresh one", async () => {
    const m = manualMeasure();
    const meter = new StorageMeter({ measure: m.measure });
    const fresh = meter.fresh("a");
    await tick();
    m.calls[0].finish(10);
    expect(await fresh).toBe(10);
    // Recent enough: no walk.
    expect(await meter.fresh("a")).toBe(10);
    expect(m.calls).toHaveLength(1);
    meter.refresh("a");
    expect(meter.peek("a")).toMatchObject({ bytes: 10, measuring: true });
    await tick();
    m.calls[1].finish(20);
    await meter.idle();
    expect(meter.peek("a")?.bytes).toBe(20);
  });

  it("keeps the last figure when a walk fails", async () => {
    let now = 0;
    const m = manualMeasure();
    const meter = new StorageMeter({ measure: m.measure, maxAgeMs: 10, now: () => now });
    meter.read("a");
    await tick();
    m.calls[0].finish(5);
    await meter.idle();
    now = 100;
    meter.read("a");
    await tick();
    m.calls[1].fail(new Error("EACCES"));
    await meter.idle();
    expect(meter.read("a").bytes).toBe(5);
  });
});
