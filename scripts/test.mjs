// `npm test`: installs what the tests need, then runs every suite — typecheck, lint, unit,
// integration, end-to-end — and ends with one "N passed, N failed" line over all tests.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ensureDebianPackages, ensureNpmDependencies, must, root } from "./lib/system.mjs";

ensureNpmDependencies();
const haveSystem = ensureDebianPackages(
  {
    chromium: "chromium",
    "jupyter-notebook": "jupyter-notebook",
    "/usr/lib/python3/dist-packages/ipykernel": "python3-ipykernel",
    // Local launches build a venv over the host's Python and install with its pip.
    "/usr/lib/python3/dist-packages/pip": "python3-pip",
    "/usr/share/doc/python3-venv": "python3-venv",
    "docker-registry": "docker-registry",
    // The JupyterHub REST API is compared with a real JupyterHub (3.0, with configurable-http-proxy);
    // its token-only script test is Python with requests (test/compat).
    jupyterhub: "jupyterhub",
    "/usr/lib/python3/dist-packages/requests": "python3-requests",
    openssl: "openssl",
  },
  "The test suites",
);
if (!haveSystem) process.exit(1);

const results = path.join(root, "test-results");
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", BERTH_LOG_LEVEL: process.env.BERTH_LOG_LEVEL ?? "warn" };

console.log("\n▸ build");
must("npx", ["next", "build"], { env });
// The Kubernetes suites run against a real kube-apiserver built from Debian's source package
// into a cache outside the repository: minutes the first time on a machine, instant after.
console.log("\n▸ Kubernetes control plane (cached build)");
must("bash", ["scripts/k8s/build-control-plane.sh"], { env });

const vitest = (name) => ({
  name,
  cmd: ["npx", "vitest", "run", "--project", name, "--reporter=default", "--reporter=json", `--outputFile.json=${results}/${name}.json`],
  json: `${name}.json`,
  kind: "vitest",
});

const suites = [
  { name: "typecheck", cmd: ["npx", "tsc", "--noEmit"] },
  { name: "lint", cmd: ["npx", "eslint", "--max-warnings", "0", "."] },
  vitest("unit"),
  vitest("integration"),
  vitest("launch"),
  vitest("compat"),
  vitest("kubernetes"),
  { name: "e2e", cmd: ["npx", "playwright", "test"], json: "e2e.json", kind: "playwright" },
];

function counts(suite) {
  const file = path.join(results, suite.json ?? "");
  if (!suite.json || !existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, "utf8"));
  if (suite.kind === "vitest") return { passed: data.numPassedTests ?? 0, failed: (data.numFailedTests ?? 0) + (data.numTotalTests === 0 ? 1 : 0), skipped: (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0) };
  const s = data.stats ?? {};
  return { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0), skipped: s.skipped ?? 0 };
}

const summary = [];
for (const suite of suites) {
  console.log(`\n▸ ${suite.name}`);
  const started = Date.now();
  const r = spawnSync(suite.cmd[0], suite.cmd.slice(1), { cwd: root, stdio: "inherit", env });
  const ok = r.status === 0;
  const c = counts(suite) ?? { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
  if (!ok && c.failed === 0) c.failed = 1; // a runner that crashed before reporting still failed
  summary.push({ name: suite.name, ok, seconds: Math.round((Date.now() - started) / 1000), ...c });
}

console.log("\nSuite         result   passed  failed  skipped  time");
for (const s of summary) {
  console.log(`${s.name.padEnd(13)} ${(s.ok ? "ok" : "FAILED").padEnd(8)} ${String(s.passed).padStart(6)}  ${String(s.failed).padStart(6)}  ${String(s.skipped).padStart(7)}  ${s.seconds}s`);
}
const passed = summary.reduce((n, s) => n + s.passed, 0);
const failed = summary.reduce((n, s) => n + s.failed, 0);
const skipped = summary.reduce((n, s) => n + s.skipped, 0);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(summary.every((s) => s.ok) && failed === 0 ? 0 : 1);
