import { describe, expect, it } from "vitest";
import { followBuild, type HubEvent } from "./build-hub";

function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const p = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { p, open, fail };
}

describe("followBuild", () => {
  it("runs one upstream for every viewer; a late viewer gets the lines so far, then the live ones", async () => {
    let starts = 0;
    let push!: (e: HubEvent) => void;
    const finish = gate();
    const upstream = async (p: (e: HubEvent) => void) => {
      starts++;
      push = p;
      await finish.p;
    };
    const a: string[] = [];
    const b: string[] = [];
    const first = followBuild("img:1", upstream, (e) => a.push(e.message), new AbortController().signal);
    push({ phase: "waiting", message: "queued 2" });
    push({ phase: "waiting", message: "queued 1" });
    push({ phase: "building", message: "line 1" });
    const second = followBuild("img:1", upstream, (e) => b.push(e.message), new AbortController().signal);
    push({ phase: "building", message: "line 2" });
    finish.open();
    await Promise.all([first, second]);
    expect(starts).toBe(1);
    expect(a).toEqual(["queued 2", "queued 1", "line 1", "line 2"]);
    // Only the latest queue position is replayed.
    expect(b).toEqual(["queued 1", "line 1", "line 2"]);
  });

  it("a viewer who leaves stops following; the build goes on for the others and fails for all", async () => {
    const finish = gate();
    let viewers!: () => number;
    const upstream = async (_p: (e: HubEvent) => void, v: () => number) => {
      viewers = v;
      await finish.p;
    };
    const leaving = new AbortController();
    const left = followBuild("img:2", upstream, () => undefined, leaving.signal);
    const staying = followBuild("img:2", upstream, () => undefined, new AbortController().signal);
    expect(viewers()).toBe(2);
    leaving.abort(new Error("gone"));
    await expect(left).rejects.toThrow("gone");
    expect(viewers()).toBe(1);
    finish.fail(new Error("build failed"));
    await expect(staying).rejects.toThrow("build failed");
    // Over: the next viewer starts a new upstream.
    let again = 0;
    await followBuild("img:2", async () => void again++, () => undefined, new AbortController().signal);
    expect(again).toBe(1);
  });
});
