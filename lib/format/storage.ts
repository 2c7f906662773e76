import { formatBytes } from "../policy/quantity";

// When a server's storage is worth a warning: on the dashboard, in the server list and in /admin.
// Shared by the services (which send the level with each server) and the pages (which word it).

/** The share of its storage from which a server is warned about. */
export const STORAGE_WARN_AT = 0.9;

/**
 * From this share a server counts as full: ext4 keeps a few blocks back for metadata and pending
 * writes, so a filesystem that already refused a write can still show a sliver free.
 */
export const STORAGE_FULL_AT = 0.99;

export type StorageLevel = "ok" | "almost-full" | "full";

export function storageLevel(used: number | null, limit: number): StorageLevel {
  if (used === null || !(limit > 0)) return "ok";
  if (used >= limit * STORAGE_FULL_AT) return "full";
  return used / limit >= STORAGE_WARN_AT ? "almost-full" : "ok";
}

/** Whole percent used, 0–100 (what the bar and the warning show). */
export function storagePercent(used: number | null, limit: number): number {
  if (used === null || !(limit > 0)) return 0;
  return Math.min(100, Math.floor((used / limit) * 100));
}

/** The warning for a server whose storage is almost full or full; null otherwise. */
export function storageWarning(s: { storageUsed: number | null; storageLimit: number; storageLevel: StorageLevel }): string | null {
  if (s.storageLevel === "ok" || s.storageUsed === null) return null;
  const of = `${formatBytes(s.storageUsed)} of ${formatBytes(s.storageLimit)}`;
  if (s.storageLevel === "full") {
    return `Storage full (${of}): saving files fails. The server still starts — open it and delete files you no longer need.`;
  }
  return `Storage almost full: ${storagePercent(s.storageUsed, s.storageLimit)} % used (${of}). Delete files you no longer need before saving fails.`;
}
