import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";

// `npm run bench`: runs every bench/*.bench.ts, one after another, each in its own process (so one
// benchmark's caches and connections do not colour the next). Benchmarks print figures; none of
// them passes or fails on a time. `npm run bench -- users` runs only files whose name contains "users".
const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts") && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
let failed = 0;
for (const f of files) {
  process.stdout.write(`\n▸ ${f}\n`);
  const r = spawnSync("npx", ["tsx", path.join(dir, f)], { stdio: "inherit", env: process.env });
  if (r.status !== 0) failed++;
}
if (!files.length) process.stdout.write("No benchmarks matched.\n");
process.exit(failed ? 1 : 0);
