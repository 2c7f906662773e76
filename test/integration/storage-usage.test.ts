import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listAllServers } from "../../lib/admin/list-all-servers";
import { parseServersQuery } from "../../lib/admin/servers-query";
import { runtime } from "../../lib/runtime";
import type { LocalRuntime } from "../../lib/runtime/local/local-runtime";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import { listServers } from "../../lib/servers/list-servers";
import { makeUser } from "../helpers";

// listServers (what the spawn page polls every second) answers storage use from memory: the
// workspace walk runs in the background, one per workspace at a time, and its figure shows on a
// later call. Observed through the runtime's cache state, never through a time.

const local = () => runtime() as LocalRuntime;

/** A workspace with many small files in nested folders, as a real one has after a pip install. */
function fillWorkspace(serverId: string, files: number): number {
  const root = local().workspaceDir(serverId);
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `pkg${i % 40}`, `sub${i % 7}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `f${i}.py`), Buffer.alloc(1024, 97));
    bytes += 1024;
  }
  return bytes;
}

describe("storage use in listServers", () => {
  it("answers without walking, then shows the figure the background walk found", async () => {
    const carol = await makeUser("carol");
    const created = await createServer(carol, "carol", { name: "big" });
    const written = fillWorkspace(created.id, 3000);

    const first = await listServers(carol, "carol");
    const big = first.servers.find((s) => s.name === "big")!;
    // The call returned before any walk finished: no figure yet, and it says it is measuring.
    expect(big.storageUsed).toBeNull();
    expect(big.storageMeasuring).toBe(true);
    expect(local().storage.peek(created.id)).toMatchObject({ bytes: null, measuring: true, at: null });

    // Polled again meanwhile: the answer is still from memory (one walk per workspace at a
    // time is the meter's own test, lib/runtime/storage-meter.test.ts).
    await listServers(carol, "carol");

    await local().storage.idle();
    const reading = local().storage.peek(created.id)!;
    expect(reading.measuring).toBe(false);
    expect(reading.bytes).toBeGreaterThanOrEqual(written);

    const later = (await listServers(carol, "carol")).servers.find((s) => s.name === "big")!;
    expect(later.storageUsed).toBe(reading.bytes);
    expect(later.storageMeasuring).toBe(false);

    // The administrators' list reads the same cache.
    const all = await listAllServers({ ...carol, isAdmin: true }, parseServersQuery({ owner: "carol" }));
    expect(all.servers.find((s) => s.name === "big")?.storageUsed).toBe(reading.bytes);
  });

  it("measures again after a stop, and a deleted server drops out of the cache", async () => {
    const dave = await makeUser("dave");
    const created = await createServer(dave, "dave", { name: "scratch" });
    fillWorkspace(created.id, 50);
    await listServers(dave, "dave");
    await local().storage.idle();
    const before = local().storage.peek(created.id)!.bytes!;

    writeFileSync(path.join(local().workspaceDir(created.id), "more.bin"), Buffer.alloc(256 * 1024, 1));
    await runtime().stop(created.id);
    expect(local().storage.peek(created.id)?.measuring).toBe(true);
    await local().storage.idle();
    expect(local().storage.peek(created.id)!.bytes!).toBeGreaterThanOrEqual(before + 256 * 1024);

    await deleteServer(dave, "dave", "scratch");
    expect(local().storage.peek(created.id)).toBeUndefined();
    expect((await listServers(dave, "dave")).servers.map((s) => s.name)).toEqual([""]);
  });

  it("still waits for a figure where a confirmation names what a delete loses", async () => {
    const erin = await makeUser("erin");
    const created = await createServer(erin, "erin", { name: "notes" });
    const written = fillWorkspace(created.id, 20);
    expect(await runtime().storageUsed(created.id)).toBeGreaterThanOrEqual(written);
  });
});
