import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

// The compatibility tests run Berth as it runs in production, on `next build`'s output. `npm test`
// builds before any suite; run alone (`npx vitest run --project compat`), the build is made here
// when there is none. An existing build is used as it is: rebuild after changing the code.
export default function setup() {
  const root = path.resolve(import.meta.dirname, "../..");
  if (existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  process.stdout.write("No Next.js build found: running `next build` for the compatibility tests (a few minutes)…\n");
  const r = spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (r.status !== 0) throw new Error("`next build` failed; the compatibility tests need Berth's production build.");
}
