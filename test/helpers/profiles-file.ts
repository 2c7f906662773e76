import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Writes `profiles` as the administrators' profiles file in a scratch folder and points
 * BERTH_PROFILES_FILE at it. Call it at the top of a test file, before anything reads the
 * configuration; returns the file (a test that edits the profiles writes there) and its folder.
 */
export function writeProfilesFile(prefix: string, profiles: unknown[]): { file: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = path.join(dir, "profiles.json");
  writeFileSync(file, JSON.stringify({ profiles }));
  process.env.BERTH_PROFILES_FILE = file;
  return { file, dir };
}
