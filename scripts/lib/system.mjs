// Helpers shared by `npm run up` and `npm test`: install npm dependencies when the lock file
// changed, and Debian packages when their programs are missing and we may install them.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const root = path.resolve(new URL("../..", import.meta.url).pathname);

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  return r.status ?? 1;
}

export function must(cmd, args, opts) {
  const code = run(cmd, args, opts);
  if (code !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(" ")} failed (exit ${code}).`);
    process.exit(code);
  }
}

export function onPath(bin) {
  return (process.env.PATH ?? "").split(path.delimiter).some((d) => d && existsSync(path.join(d, bin)));
}

export function ensureNpmDependencies() {
  const lock = path.join(root, "package-lock.json");
  const marker = path.join(root, "node_modules", ".berth-lock-hash");
  const hash = existsSync(lock) ? createHash("sha256").update(readFileSync(lock)).digest("hex") : "none";
  if (existsSync(marker) && readFileSync(marker, "utf8") === hash) return;
  console.log("▸ Installing npm dependencies");
  must("npm", [existsSync(lock) ? "ci" : "install", "--no-audit", "--no-fund"]);
  writeFileSync(marker, hash);
}

/** packages: { bin: debianPackage } — installs the missing ones when running as root. */
export function ensureDebianPackages(packages, why) {
  const missing = Object.entries(packages).filter(([bin]) => !onPath(bin) && !existsSync(bin));
  if (missing.length === 0) return true;
  const names = [...new Set(missing.map(([, pkg]) => pkg))];
  if (process.getuid?.() !== 0 || !onPath("apt-get")) {
    console.warn(`⚠ ${why} needs ${names.join(", ")}. Install them (e.g. sudo apt-get install ${names.join(" ")}) and run again.`);
    return false;
  }
  console.log(`▸ Installing Debian packages: ${names.join(", ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (run("apt-get", ["install", "-y", "--no-install-recommends", ...names], { env }) !== 0) {
    must("apt-get", ["update"], { env });
    must("apt-get", ["install", "-y", "--no-install-recommends", ...names], { env });
  }
  return true;
}
