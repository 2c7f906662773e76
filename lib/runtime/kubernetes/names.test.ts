import { describe, expect, it } from "vitest";
import { DNS1123_LABEL, labelValue, objectName } from "./names";

// A deterministic pseudo-random generator, so a failure can be replayed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const ALPHABET = "abcz09-._@+ÄéX -";

function randomName(next: () => number, max: number): string {
  const len = Math.floor(next() * max);
  let out = "";
  for (let i = 0; i < len; i++) out += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return out;
}

describe("objectName", () => {
  it("is readable when the names already fit", () => {
    expect(objectName("jupyter", "alice", "analysis")).toBe("jupyter-alice--analysis");
    expect(objectName("claim", "alice", "")).toBe("claim-alice");
    expect(objectName("jupyter", "bob-smith", "run-2")).toBe("jupyter-bob-smith--run-2");
  });

  it("escapes other characters and adds a hash", () => {
    const n = objectName("jupyter", "Ann.Lee@corp", "x");
    expect(n).toMatch(/^jupyter-ann-lee-corp-x---[0-9a-f]{10}$/);
  });

  it("cuts long names to 63 characters with a hash", () => {
    const n = objectName("claim", "a".repeat(60), "analysis");
    expect(n.length).toBeLessThanOrEqual(63);
    expect(n).toMatch(/---[0-9a-f]{10}$/);
  });

  it("keeps apart pairs that would read the same", () => {
    // user "a--b" (default server) against user "a", server "b"
    expect(objectName("jupyter", "a--b", "")).not.toBe(objectName("jupyter", "a", "b"));
    expect(objectName("jupyter", "a-", "b")).not.toBe(objectName("jupyter", "a", "-b"));
  });

  it("property: always a valid DNS-1123 label of at most 63 characters, and injective", () => {
    const next = rng(20261125);
    const seen = new Map<string, string>();
    const invalid: string[] = [];
    const collisions: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const user = randomName(next, 70) || "u";
      const server = next() < 0.2 ? "" : randomName(next, 25);
      const key = JSON.stringify([user, server]);
      for (const prefix of ["jupyter", "claim"] as const) {
        const n = objectName(prefix, user, server);
        if (n.length > 63 || !DNS1123_LABEL.test(n)) invalid.push(`${key} → ${n}`);
      }
      const n = objectName("jupyter", user, server);
      const prior = seen.get(n);
      if (prior !== undefined && prior !== key) collisions.push(`${n} from ${prior} and ${key}`);
      seen.set(n, key);
    }
    expect(invalid).toEqual([]);
    expect(collisions).toEqual([]);
    expect(seen.size).toBeGreaterThan(15000);
  });
});

describe("labelValue", () => {
  it("keeps valid values and makes the rest valid", () => {
    expect(labelValue("alice")).toBe("alice");
    const v = labelValue("Ann Lee@corp!");
    expect(v).toMatch(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/);
    expect(v.length).toBeLessThanOrEqual(63);
    expect(labelValue("x".repeat(80)).length).toBeLessThanOrEqual(63);
  });
});
