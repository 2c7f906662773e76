import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config";
import { baseEnv, copyBaseEnv } from "../../lib/runtime/local/build/base-env";
import { buildLocal, buildPython } from "../../lib/runtime/local/build/build-local";
import { startGitServer, type GitServerDouble } from "../doubles/git-server";
import { expectRefusal } from "./expect-refusal";

// What a local build skips and reuses: no pip run for a requirements file that asks for nothing,
// and the venv + kernelspec copied from a base environment made once per Python. Real git server,
// real host Python; a path package (no index here) stands for a real requirement.

let git: GitServerDouble;
let dataDir: string;
let scratch: string;
const c: Record<string, string> = {};

const settings = () =>
  loadConfig({ BERTH_DATA_DIR: dataDir, BERTH_LAUNCH_ALLOWED_HOSTS: "127.0.0.1", BERTH_LOCAL_BUILD_TIMEOUT_SECONDS: "60", BERTH_GIT_TIMEOUT_SECONDS: "15", PATH: process.env.PATH } as unknown as NodeJS.ProcessEnv);

function build(name: string, commit: string, lines: string[] = []) {
  return buildLocal({ commit, fetchUrl: git.repoUrl(name), onLog: (l) => lines.push(l), settings: settings() });
}

const pkg = (name: string): Record<string, string> => ({
  [`${name}/pyproject.toml`]: '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
  [`${name}/backend.py`]: `import base64, hashlib, os, zipfile
DIST = "${name}-0.1"
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {"${name}/__init__.py": b"OK = True\\n", DIST + ".dist-info/METADATA": b"Metadata-Version: 2.1\\nName: ${name}\\nVersion: 0.1\\n", DIST + ".dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    record = []
    for p, d in files.items():
        h = base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (p, h, len(d)))
    record.append(DIST + ".dist-info/RECORD,,")
    files[DIST + ".dist-info/RECORD"] = ("\\n".join(record) + "\\n").encode()
    name = DIST + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for p, d in files.items():
            z.writestr(p, d)
    return name
`,
});

const imports = (envDir: string, mod: string) => {
  try {
    execFileSync(path.join(envDir, "bin", "python"), ["-c", `import ${mod}`], { stdio: "ignore", env: { ...process.env, PATH: "/usr/bin:/bin" } });
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  git = await startGitServer();
  dataDir = mkdtempSync(path.join(tmpdir(), "berth-local-build-base-"));
  scratch = mkdtempSync(path.join(tmpdir(), "berth-base-compare-"));
  c.comments = await git.createRepo("octo/comments", { "requirements.txt": "# nothing to install yet\n\n   \n# numpy\n", "README.md": "hi\n" });
  c.include = await git.createRepo("octo/include", { ...pkg("incpkg"), "requirements.txt": "# the real list is elsewhere\n-r more-requirements.txt\n", "more-requirements.txt": "./incpkg\n" });
  c.binderEmpty = await git.createRepo("octo/binder-empty", { "binder/requirements.txt": "\n\n", "requirements.txt": "./never\n" });
  c.conda = await git.createRepo("octo/conda-empty", { "environment.yml": "dependencies: [numpy]\n", "requirements.txt": "# none\n" });
});

afterAll(async () => {
  await git?.close();
  for (const d of [dataDir, scratch]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("local builds skip what has nothing to do", () => {
  it("runs no pip for a comments-only requirements.txt, and still gives the environment its own kernel", async () => {
    const lines: string[] = [];
    const b = await build("octo/comments", c.comments, lines);
    expect(b.marker.steps).toEqual(["python -m venv", "ipykernel install"]);
    expect(lines).toContain("requirements.txt lists no packages; nothing to install.");
    expect(lines.some((l) => l.includes("pip install"))).toBe(false);
    const kernel = JSON.parse(readFileSync(path.join(b.envDir, "share/jupyter/kernels/python3/kernel.json"), "utf8"));
    expect(kernel.argv[0]).toBe(path.join(b.envDir, "bin", "python"));
    expect(readFileSync(path.join(b.envDir, "pyvenv.cfg"), "utf8")).toContain(b.envDir);
    // The environment's Python is its own prefix, with the host's packages visible.
    expect(execFileSync(path.join(b.envDir, "bin", "python"), ["-c", "import sys, traitlets; print(sys.prefix)"], { encoding: "utf8" }).trim()).toBe(b.envDir);
  });

  it("gives pip a file whose only line is an -r include, and installs what it includes", async () => {
    const lines: string[] = [];
    const b = await build("octo/include", c.include, lines);
    expect(b.marker.steps).toContain("pip install -r requirements.txt");
    expect(imports(b.envDir, "incpkg")).toBe(true);
  });

  it("keeps one build's packages out of every other build's environment", async () => {
    const other = await build("octo/comments", c.comments);
    const withPkg = await build("octo/include", c.include);
    expect(imports(withPkg.envDir, "incpkg")).toBe(true);
    expect(imports(other.envDir, "incpkg")).toBe(false);
    const base = await baseEnv({ dataDir, python: buildPython(settings()), hostPath: process.env.PATH!, timeoutMs: 60_000, onLog: () => undefined });
    expect(existsSync(path.join(base.folder, "lib"))).toBe(true);
    expect(imports(base.folder, "incpkg")).toBe(false);
  });

  it("reads binder/requirements.txt (blank lines only) and ignores the top-level one", async () => {
    const lines: string[] = [];
    const b = await build("octo/binder-empty", c.binderEmpty, lines);
    expect(b.marker).toMatchObject({ configDir: "binder", steps: ["python -m venv", "ipykernel install"] });
    expect(lines).toContain("binder/requirements.txt lists no packages; nothing to install.");
  });

  it("still refuses environment.yml when requirements.txt asks for nothing", async () => {
    const e = await expectRefusal(build("octo/conda-empty", c.conda), "invalid_input", 422);
    expect(e.message).toContain("environment.yml (needs conda)");
  });
});

describe("the base environment", () => {
  it("copies to exactly what python -m venv and ipykernel install make in the same place", async () => {
    const python = buildPython(settings());
    const base = await baseEnv({ dataDir, python, hostPath: process.env.PATH!, timeoutMs: 60_000, onLog: () => undefined });
    const direct = path.join(scratch, "direct", "env");
    const copied = path.join(scratch, "copied", "env");
    execFileSync(python, ["-m", "venv", "--system-site-packages", "--without-pip", "--", direct]);
    execFileSync(path.join(direct, "bin", "python"), ["-m", "ipykernel", "install", "--prefix", direct, "--name", "python3", "--display-name", "Python 3 (ipykernel)"], { stdio: "ignore", env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1", HOME: scratch } });
    await copyBaseEnv(base, copied);
    const tree = (root: string) => {
      const out: Record<string, string> = {};
      const walk = (d: string) => {
        for (const n of readdirSync(d).sort()) {
          const f = path.join(d, n);
          const st = lstatSync(f);
          const rel = path.relative(root, f);
          if (st.isSymbolicLink()) out[rel] = `-> ${readlinkSync(f)}`;
          else if (st.isDirectory()) walk(f);
          else out[rel] = `${(st.mode & 0o777).toString(8)} ${readFileSync(f).toString("base64").length} ${readFileSync(f, "latin1").split(root).join("<ENV>")}`;
        }
      };
      walk(root);
      return out;
    };
    expect(tree(copied)).toEqual(tree(direct));
  });
});
