import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ServerUids, UID_FILE } from "./server-uids";

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "berth-uids-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const A = "3a6d4100-04c5-4cda-9c6d-b316f4a0a901";
const B = "9b1e2c33-7d4f-4e21-8a55-0c2f6b7d8e90";
const C = "c0ffee00-1111-4222-8333-444455556666";

describe("ServerUids", () => {
  it("gives each server its own uid from the base, the same one again, and after a restart of Berth", () => {
    const dir = dataDir();
    const uids = new ServerUids(dir, 500_000);
    expect(uids.known(A)).toBeUndefined();
    expect(uids.uidFor(A)).toBe(500_000);
    expect(uids.uidFor(B)).toBe(500_001);
    expect(uids.uidFor(A)).toBe(500_000);
    const again = new ServerUids(dir, 500_000);
    expect(again.known(A)).toBe(500_000);
    expect(again.uidFor(B)).toBe(500_001);
    // Only Berth reads the record.
    expect(statSync(path.join(dir, UID_FILE)).mode & 0o777).toBe(0o600);
  });

  it("never hands a deleted server's number to another server", () => {
    const dir = dataDir();
    const uids = new ServerUids(dir, 1000);
    uids.uidFor(A);
    uids.uidFor(B);
    uids.forget(B);
    expect(uids.known(B)).toBeUndefined();
    expect(new ServerUids(dir, 1000).uidFor(C)).toBe(1002);
  });

  it("moves every server with the base: offsets are recorded, not uids", () => {
    const dir = dataDir();
    new ServerUids(dir, 1000).uidFor(A);
    expect(new ServerUids(dir, 7000).uidFor(A)).toBe(7000);
    expect(JSON.parse(readFileSync(path.join(dir, UID_FILE), "utf8"))).toEqual({ version: 1, next: 1, servers: { [A]: 0 } });
  });

  it("refuses a damaged record, saying what it is for and what to do, rather than reuse numbers", () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, UID_FILE), JSON.stringify({ version: 1, next: 1, servers: { [A]: 0, [B]: 3 } }));
    expect(() => new ServerUids(dir, 1000).uidFor(C)).toThrow(/is damaged\. It records the uid each local server runs as; restore it from a backup, or remove it/);
    writeFileSync(path.join(dir, UID_FILE), "{ not json");
    expect(() => new ServerUids(dir, 1000).known(A)).toThrow(/cannot be read/);
  });

  it("never gives one uid to servers of two Berths on the same host (host-wide claims)", () => {
    const claims = path.join(dataDir(), "claims");
    const one = new ServerUids(dataDir(), 4000, claims);
    const two = new ServerUids(dataDir(), 4000, claims);
    expect(one.uidFor(A)).toBe(4000);
    // The other Berth counts from the same base but skips the number already claimed.
    expect(two.uidFor(A)).toBe(4001);
    expect(one.uidFor(B)).toBe(4002);
    expect(two.uidFor(B)).toBe(4003);
    // Each keeps its numbers across restarts, and claims say whose they are.
    expect(new ServerUids(two["dataDir"], 4000, claims).uidFor(A)).toBe(4001);
    expect(readFileSync(path.join(claims, "4000", "owner"), "utf8").trim()).toBe(one["dataDir"]);
    expect(statSync(claims).mode & 0o777).toBe(0o700);
  });
});
