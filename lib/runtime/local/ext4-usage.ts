import { closeSync, openSync, readSync, type StatsFs } from "node:fs";

// A server's storage use read from its filesystem, never from a walk of its files: statfs on a
// mounted filesystem, the superblock of the image file of one that is not mounted (a stopped
// server). Both give what `df` shows: used, and used + available to a user other than root.

export interface VolumeUsage {
  /** Bytes in use (`df`'s Used). */
  used: number;
  /** Bytes the server can use in all: used + what is still available to it (`df`'s Used + Avail). */
  capacity: number;
}

export function usageFromStatfs(s: Pick<StatsFs, "bsize" | "blocks" | "bfree" | "bavail">): VolumeUsage {
  const used = (s.blocks - s.bfree) * s.bsize;
  return { used, capacity: used + Math.max(0, s.bavail) * s.bsize };
}

const MAGIC = 0xef53;
const INCOMPAT_64BIT = 0x80;
const INCOMPAT_EXTENTS = 0x40;
const RO_COMPAT_BIGALLOC = 0x200;

/**
 * The same figures from an unmounted image's superblock (1 KiB at offset 1024). ext4 writes its
 * free-block count there when it is unmounted, so the figure is exact for a cleanly stopped
 * server. The arithmetic is the kernel's ext4_statfs: blocks minus the metadata overhead mke2fs
 * recorded, and, for what a user may still write, minus the blocks reserved for root and the
 * kernel's own reserve (2 % of the blocks, at most 4096 clusters).
 */
export function usageFromSuperblock(sb: Buffer): VolumeUsage | undefined {
  if (sb.length < 1024 || sb.readUInt16LE(0x38) !== MAGIC) return undefined;
  const incompat = sb.readUInt32LE(0x60);
  const roCompat = sb.readUInt32LE(0x64);
  const wide = (incompat & INCOMPAT_64BIT) !== 0;
  const u64 = (lo: number, hi: number) => sb.readUInt32LE(lo) + (wide ? sb.readUInt32LE(hi) * 2 ** 32 : 0);
  const blockSize = 1024 * 2 ** sb.readUInt32LE(0x18);
  const clusterBlocks = roCompat & RO_COMPAT_BIGALLOC ? 2 ** (sb.readUInt32LE(0x1c) - sb.readUInt32LE(0x18)) : 1;
  const blocks = u64(0x04, 0x150);
  const rootReserved = u64(0x08, 0x154);
  const free = u64(0x0c, 0x158);
  const overhead = sb.readUInt32LE(0x248) * clusterBlocks;
  const kernelReserve = incompat & INCOMPAT_EXTENTS ? Math.min(Math.floor(blocks / clusterBlocks / 50), 4096) * clusterBlocks : 0;
  const used = (blocks - overhead - free) * blockSize;
  const available = Math.max(0, free - rootReserved - kernelReserve) * blockSize;
  return { used, capacity: used + available };
}

export function readSuperblockUsage(image: string): VolumeUsage | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(image, "r");
    const sb = Buffer.alloc(1024);
    if (readSync(fd, sb, 0, 1024, 1024) !== 1024) return undefined;
    return usageFromSuperblock(sb);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
