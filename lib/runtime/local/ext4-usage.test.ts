import { describe, expect, it } from "vitest";
import { usageFromStatfs, usageFromSuperblock } from "./ext4-usage";

/** A superblock as mke2fs writes one, with the fields the reading looks at. */
function superblock(f: { blocks: number; rootReserved: number; free: number; logBlockSize: number; overhead: number; extents?: boolean; wide?: boolean }): Buffer {
  const sb = Buffer.alloc(1024);
  sb.writeUInt32LE(f.blocks % 2 ** 32, 0x04);
  sb.writeUInt32LE(f.rootReserved, 0x08);
  sb.writeUInt32LE(f.free % 2 ** 32, 0x0c);
  sb.writeUInt32LE(f.logBlockSize, 0x18);
  sb.writeUInt32LE(f.logBlockSize, 0x1c);
  sb.writeUInt16LE(0xef53, 0x38);
  sb.writeUInt32LE((f.extents === false ? 0 : 0x40) | (f.wide ? 0x80 : 0), 0x60);
  if (f.wide) {
    sb.writeUInt32LE(Math.floor(f.blocks / 2 ** 32), 0x150);
    sb.writeUInt32LE(Math.floor(f.free / 2 ** 32), 0x158);
  }
  sb.writeUInt32LE(f.overhead, 0x248);
  return sb;
}

describe("storage use from an ext4 filesystem", () => {
  it("reads what df shows from statfs: used, and used + available to a user", () => {
    expect(usageFromStatfs({ bsize: 1024, blocks: 60_000, bfree: 50_000, bavail: 45_000 })).toEqual({ used: 10_000 * 1024, capacity: 55_000 * 1024 });
    // Full for a user while root's reserve is left: capacity is what was used.
    expect(usageFromStatfs({ bsize: 4096, blocks: 1000, bfree: 10, bavail: -5 })).toEqual({ used: 990 * 4096, capacity: 990 * 4096 });
  });

  it("reads the same from an unmounted image's superblock, as the kernel's statfs counts", () => {
    // 64 MiB in 1 KiB blocks: overhead out of the size; root's reserve and the kernel's 2 % reserve out of what a user can still write.
    const sb = superblock({ blocks: 65_536, rootReserved: 3276, free: 50_000, logBlockSize: 0, overhead: 6_000 });
    const kernelReserve = Math.floor(65_536 / 50);
    expect(usageFromSuperblock(sb)).toEqual({ used: (65_536 - 6_000 - 50_000) * 1024, capacity: (65_536 - 6_000 - 50_000 + 50_000 - 3276 - kernelReserve) * 1024 });
    // Full: nothing left to a user.
    const full = usageFromSuperblock(superblock({ blocks: 65_536, rootReserved: 3276, free: 1000, logBlockSize: 0, overhead: 6_000 }))!;
    expect(full.capacity).toBe(full.used);
  });

  it("reads 64-bit block counts and caps the kernel's reserve at 4096 blocks", () => {
    const blocks = 2 ** 32 + 10;
    const u = usageFromSuperblock(superblock({ blocks, rootReserved: 0, free: 2 ** 32, logBlockSize: 2, overhead: 0, wide: true }))!;
    expect(u.used).toBe(10 * 4096);
    expect(u.capacity).toBe((10 + 2 ** 32 - 4096) * 4096);
  });

  it("refuses what is not an ext4 superblock", () => {
    expect(usageFromSuperblock(Buffer.alloc(1024))).toBeUndefined();
    expect(usageFromSuperblock(Buffer.alloc(10))).toBeUndefined();
  });
});
