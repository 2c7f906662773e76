import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
// @ts-expect-error — a plain .mjs helper shared with `npm run up` and `npm test` (no types).
import { ensureDebianPackages } from "../../scripts/lib/system.mjs";

// The anchors the benchmarks compare Berth with, installed by the bench itself: Debian's JupyterHub
// 3.0 (with its configurable-http-proxy), configurable-http-proxy 5.x from npm, Debian's wrk as the
// HTTP load generator, and the Jupyter that servers run.

const CACHE = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "berth", "bench");

/** Installs Debian packages a benchmark needs ({ program or path: package }); throws if it cannot. */
export function needDebian(packages: Record<string, string>, why: string): void {
  if (!ensureDebianPackages(packages, why)) throw new Error(`${why} needs: ${Object.values(packages).join(", ")}.`);
}

/** configurable-http-proxy 5.x from npm, in a cache outside the repository; returns its program. */
export function chpProgram(): string {
  const dir = path.join(CACHE, "chp5");
  const bin = path.join(dir, "node_modules", ".bin", "configurable-http-proxy");
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  process.stdout.write("Installing configurable-http-proxy 5.x from npm (the proxy anchor)…\n");
  const r = spawnSync("npm", ["install", "--prefix", dir, "--no-save", "--no-audit", "--no-fund", "--no-package-lock", "configurable-http-proxy@5"], { stdio: "inherit" });
  if (r.status !== 0 || !existsSync(bin)) throw new Error("Could not install configurable-http-proxy 5.x from npm.");
  return bin;
}

/** Debian's JupyterHub 3.0 and Jupyter Notebook (the hub and spawner anchors). */
export function needJupyterHub(): void {
  needDebian({ jupyterhub: "jupyterhub", "jupyter-notebook": "jupyter-notebook", "/usr/lib/python3/dist-packages/ipykernel": "python3-ipykernel" }, "The JupyterHub anchor");
}

/** Debian's wrk, the HTTP load generator (C, so the load costs less CPU than the thing measured). */
export function needWrk(): void {
  needDebian({ wrk: "wrk" }, "The HTTP load generator");
}
