import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

// Bytes on disk under dir (like `du -s`, counting allocated blocks), without following links.
export async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const current = stack.pop()!;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const full = path.join(current, e.name);
      try {
        const st = await lstat(full);
        total += st.blocks * 512;
        if (e.isDirectory()) stack.push(full);
      } catch {
        // vanished while walking
      }
    }
  }
  return total;
}
