import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { AppError } from "../../../errors";

// What repo2docker would do with a checkout, restricted to what the local runtime can do on this
// host. repo2docker's rules (buildpacks/base.py, binder_dir): if the repository has a `binder/` or
// a `.binder/` folder, only the configuration files in it count and those at the top level are
// ignored; having both folders is an error (repo2docker refuses: "they are exclusive"), so neither
// wins. A top-level setup.py is installed only when there is no such folder (python buildpack).
// Everything that needs another buildpack (conda, R, Julia, apt, Docker, Nix, pipenv) is refused
// by name, because building a Python-only environment for it would launch something that
// silently differs from what the repository asked for.

export type ConfigDir = "" | "binder" | ".binder";

export interface RuntimeWish {
  /** The line as written. */
  raw: string;
  /** "3.10" for python-3.10; undefined when runtime.txt does not ask for a Python version. */
  python?: string;
  /** Whether this host's Python satisfies it. */
  met: boolean;
  note?: string;
}

export interface BuildPlan {
  configDir: ConfigDir;
  /** Paths relative to the repository root. */
  requirements?: string;
  postBuild?: string;
  /** A top-level setup.py (no binder folder): repo2docker runs `pip install -e .`. */
  installRepo?: boolean;
  runtime?: RuntimeWish;
  /** Things the person should know although the build goes ahead. */
  notes: string[];
}

// In repo2docker's order of precedence, with what each needs.
const UNSUPPORTED: [file: string, needs: string][] = [
  ["Dockerfile", "a Docker build"],
  ["default.nix", "Nix"],
  ["environment.yml", "conda"],
  ["Pipfile", "pipenv"],
  ["Pipfile.lock", "pipenv"],
  ["Project.toml", "Julia"],
  ["JuliaProject.toml", "Julia"],
  ["REQUIRE", "Julia"],
  ["install.R", "R"],
  ["DESCRIPTION", "R"],
  ["apt.txt", "system packages installed with apt"],
  ["start", "a start script run when the server starts"],
];

// A repository can hold symbolic links; one named binder/ or requirements.txt that points out of
// the checkout (at /etc, say) must not make the build read or run files of the host.
function inside(repoDir: string, p: string): boolean {
  const root = realpathSync(repoDir);
  const real = realpathSync(p);
  return real === root || real.startsWith(root + path.sep);
}
const isFile = (repoDir: string, p: string) => existsSync(p) && inside(repoDir, p) && statSync(p).isFile();
const isDir = (repoDir: string, p: string) => existsSync(p) && inside(repoDir, p) && statSync(p).isDirectory();

/** Which folder's configuration files count. */
export function configDir(repoDir: string): ConfigDir {
  const binder = isDir(repoDir, path.join(repoDir, "binder"));
  const dotBinder = isDir(repoDir, path.join(repoDir, ".binder"));
  if (binder && dotBinder) {
    throw new AppError(
      "invalid_input",
      "The repository has both a binder/ and a .binder/ folder; repo2docker (and Berth) accept only one of them. Remove one, then launch again.",
      { reason: "unsupported_config", file: "binder/" },
    );
  }
  return binder ? "binder" : dotBinder ? ".binder" : "";
}

/**
 * Reads runtime.txt's first line. `python-X.Y` (or `python-X.Y.Z`, compared as X.Y) is met when
 * the host Python has that version; `r-…` needs R, which the caller refuses.
 */
export function parseRuntime(text: string, hostPython: string): RuntimeWish {
  const raw = (text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "").trim();
  const m = raw.match(/^python-(\d+)(?:\.(\d+))?(?:\.\d+)?$/);
  if (!m) {
    return { raw, met: true, note: `runtime.txt says “${raw}”, which is not a Python version (python-X.Y); it is ignored.` };
  }
  const wanted = m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`;
  const [hMajor, hMinor] = hostPython.split(".");
  const met = m[2] === undefined ? hMajor === m[1] : hMajor === m[1] && hMinor === m[2];
  return {
    raw,
    python: wanted,
    met,
    note: met
      ? undefined
      : `runtime.txt asks for Python ${wanted}, but this host has Python ${hostPython}; the environment uses ${hostPython}. The Kubernetes runtime builds the exact version.`,
  };
}

/** The plan for a checkout, or AppError 422 naming what the local runtime cannot build. */
export function detectConfig(repoDir: string, hostPython: string): BuildPlan {
  const dir = configDir(repoDir);
  const rel = (f: string) => (dir ? `${dir}/${f}` : f);
  const has = (f: string) => isFile(repoDir, path.join(repoDir, rel(f)));

  const found = UNSUPPORTED.filter(([f]) => has(f));
  let runtime: RuntimeWish | undefined;
  if (has("runtime.txt")) {
    const text = readFileSync(path.join(repoDir, rel("runtime.txt")), "utf8");
    if (/^\s*r-/.test(text)) found.push(["runtime.txt", "R"]);
    else runtime = parseRuntime(text, hostPython);
  }
  if (found.length > 0) {
    const names = found.map(([f, needs]) => `${rel(f)} (needs ${needs})`);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
    throw new AppError(
      "invalid_input",
      `This repository is configured with ${list}, which this Berth's local runtime cannot build: it builds Python environments only (requirements.txt, postBuild, runtime.txt). The Kubernetes runtime builds ${found.length === 1 ? "it" : "them"}; ask your administrator, or launch a repository configured with requirements.txt.`,
      { reason: "unsupported_config", file: rel(found[0][0]), files: found.map(([f]) => rel(f)) },
    );
  }

  const notes: string[] = [];
  if (runtime?.note) notes.push(runtime.note);
  return {
    configDir: dir,
    requirements: has("requirements.txt") ? rel("requirements.txt") : undefined,
    postBuild: has("postBuild") ? rel("postBuild") : undefined,
    installRepo: dir === "" && has("setup.py") ? true : undefined,
    runtime,
    notes,
  };
}
