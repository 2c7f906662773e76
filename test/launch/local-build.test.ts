import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config";
import { buildLocal, buildPaths } from "../../lib/runtime/local/build/build-local";
import { startGitServer, type GitServerDouble } from "../doubles/git-server";
import { expectRefusal } from "./expect-refusal";

// Local builds against a real Git server (git http-backend on 127.0.0.1) and the host's real
// python3, venv and pip. There is no package index here, so requirements are ones pip can meet
// offline: a package already in the host's site-packages (traitlets, which Jupyter needs) and a path package whose
// pyproject names an in-tree build backend with no build requirements.

let git: GitServerDouble;
let dataDir: string;
let scratch: string;
const c: Record<string, string> = {};

function settings(env: Record<string, string> = {}) {
  return loadConfig({
    BERTH_DATA_DIR: dataDir,
    // The double is on loopback, which Berth refuses unless told otherwise.
    BERTH_LAUNCH_ALLOWED_HOSTS: "127.0.0.1",
    BERTH_LOCAL_BUILD_TIMEOUT_SECONDS: "60",
    BERTH_GIT_TIMEOUT_SECONDS: "15",
    PATH: process.env.PATH,
    ...env,
  } as unknown as NodeJS.ProcessEnv);
}

function build(name: string, commit: string, lines: string[] = [], env?: Record<string, string>) {
  return buildLocal({ commit, fetchUrl: git.repoUrl(name), onLog: (l) => lines.push(l), settings: settings(env) });
}

const uploadPacks = () => git.requests.filter((r) => r.url.includes("git-upload-pack")).length;

const tinyPackage: Record<string, string> = {
  "pkg/pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
  "pkg/tinypkg/__init__.py": 'GREETING = "hello from tinypkg"\n',
  // A PEP 517 backend in a few lines, so the package builds offline with nothing to download.
  "pkg/backend.py": `import base64, hashlib, os, zipfile

DIST = "tinypkg-0.1"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = DIST + "-py3-none-any.whl"
    files = {
        "tinypkg/__init__.py": open("tinypkg/__init__.py", "rb").read(),
        DIST + ".dist-info/METADATA": b"Metadata-Version: 2.1\\nName: tinypkg\\nVersion: 0.1\\n",
        DIST + ".dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: berth-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
    record.append(DIST + ".dist-info/RECORD,,")
    files[DIST + ".dist-info/RECORD"] = ("\\n".join(record) + "\\n").encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
    return name
`,
};

beforeAll(async () => {
  git = await startGitServer();
  dataDir = mkdtempSync(path.join(tmpdir(), "berth-local-build-"));
  scratch = mkdtempSync(path.join(tmpdir(), "berth-hostile-"));
  c.py = await git.createRepo("octo/py", {
    ...tinyPackage,
    "requirements.txt": "./pkg\ntraitlets\n",
    // No #! line: run by bash, as repo2docker's shell would. It sees the environment's python first.
    postBuild: 'python -c "import tinypkg, sys; print(tinypkg.GREETING, sys.prefix)" > built-by-postbuild.txt\necho "home=$HOME" >> built-by-postbuild.txt\nenv > postbuild-env.txt\n',
    "runtime.txt": "python-3.6\n",
  });
  c.binder = await git.createRepo("octo/binder", {
    "environment.yml": "dependencies: [python=3.10]\n",
    Dockerfile: "FROM scratch\n",
    postBuild: "#!/bin/sh\ntouch top-level-postbuild-ran\n",
    "binder/postBuild": "#!/usr/bin/env python3\nopen('binder-postbuild-ran', 'w').write('yes')\n",
  });
  c.conda = await git.createRepo("octo/conda", { "environment.yml": "dependencies: [numpy]\n", "requirements.txt": "traitlets\n" });
  c.docker = await git.createRepo("octo/docker", { ".binder/Dockerfile": "FROM python\n", "README.md": "hi\n" });
  c.broken = await git.createRepo("octo/broken", { postBuild: "echo about to fail\nexit 3\n" });
  c.twice = await git.createRepo("octo/twice", { "requirements.txt": "traitlets\n" });
  c.older = c.twice;
  c.newer = await git.addCommit("octo/twice", { "README.md": "newer\n" });
});

afterAll(async () => {
  await git?.close();
  for (const d of [dataDir, scratch]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("buildLocal", () => {
  it("fetches the commit, installs requirements.txt (a path package and a satisfied one), runs postBuild, and notes an unmet runtime.txt", async () => {
    const lines: string[] = [];
    const tmpBefore = new Set(readdirSync(tmpdir()));
    const b = await build("octo/py", c.py, lines);
    expect(b).toMatchObject({ cached: false, commit: c.py });
    // The steps' temporary files stayed in the build's own folder, which went with the build.
    expect(readdirSync(tmpdir()).filter((f) => !tmpBefore.has(f) && f.endsWith("_kernels"))).toEqual([]);
    expect(existsSync(path.join(b.buildDir, "tmp"))).toBe(false);
    expect(b.buildDir).toBe(buildPaths(dataDir, c.py).buildDir);
    const head = execFileSync("git", ["-C", b.repoDir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    expect(head).toBe(c.py);
    expect(b.marker.steps).toEqual(["python -m venv", "ipykernel install", "pip install -r requirements.txt", "postBuild"]);
    expect(b.marker.notes.join(" ")).toContain("runtime.txt asks for Python 3.6");
    expect(JSON.parse(readFileSync(path.join(b.buildDir, "built.json"), "utf8"))).toMatchObject({ commit: c.py, steps: b.marker.steps });
    // postBuild ran in the checkout, with the environment first on PATH and the build's HOME.
    const out = readFileSync(path.join(b.repoDir, "built-by-postbuild.txt"), "utf8");
    expect(out).toContain(`hello from tinypkg ${b.envDir}`);
    expect(out).toContain(`home=${b.homeDir}`);
    // …and with none of Berth's own environment.
    const env = readFileSync(path.join(b.repoDir, "postbuild-env.txt"), "utf8");
    expect(env).not.toMatch(/^(BERTH_|DATABASE_URL|NEXTAUTH_|NODE_ENV|VITEST)/m);
    expect(execFileSync(path.join(b.envDir, "bin", "python"), ["-c", "import tinypkg, traitlets; print(tinypkg.GREETING)"], { encoding: "utf8" }).trim()).toBe("hello from tinypkg");
    expect(lines.some((l) => /Successfully installed tinypkg/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith("Note: runtime.txt asks for Python 3.6"))).toBe(true);
    expect(b.log).toContain("Successfully installed tinypkg");
    // The log names the checkout's files relative to it and never the host's folders.
    expect(lines).toContain("$ $NB_PYTHON_PREFIX/bin/python -m pip install --no-input --disable-pip-version-check --no-cache-dir -r requirements.txt");
    for (const l of [...lines, b.log]) expect(l).not.toContain(dataDir);
  });

  it("reuses the environment for the same commit: no second fetch or build", async () => {
    const before = uploadPacks();
    const lines: string[] = [];
    const again = await build("octo/py", c.py, lines);
    expect(again).toMatchObject({ cached: true, commit: c.py, marker: { steps: ["python -m venv", "ipykernel install", "pip install -r requirements.txt", "postBuild"] } });
    expect(uploadPacks()).toBe(before);
    expect(lines).toEqual([`Reusing the environment already built for ${c.py}.`]);
  });

  it("uses only binder/ when it exists: top-level Dockerfile, environment.yml and postBuild are ignored", async () => {
    const b = await build("octo/binder", c.binder);
    expect(b.marker).toMatchObject({ configDir: "binder", steps: ["python -m venv", "ipykernel install", "binder/postBuild"] });
    expect(readFileSync(path.join(b.repoDir, "binder-postbuild-ran"), "utf8")).toBe("yes");
    expect(existsSync(path.join(b.repoDir, "top-level-postbuild-ran"))).toBe(false);
  });

  it("fails on environment.yml, naming it and the Kubernetes runtime, and keeps nothing", async () => {
    const lines: string[] = [];
    const e = await expectRefusal(build("octo/conda", c.conda, lines), "invalid_input", 422);
    expect(e.message).toContain("environment.yml (needs conda)");
    expect(e.message).toContain("The Kubernetes runtime builds it");
    expect(e.details).toMatchObject({ reason: "unsupported_config", file: "environment.yml" });
    expect(lines.at(-1)).toContain("Build failed: ");
    expect(existsSync(buildPaths(dataDir, c.conda).buildDir)).toBe(false);
  });

  it("fails on a Dockerfile in .binder/", async () => {
    const e = await expectRefusal(build("octo/docker", c.docker), "invalid_input", 422);
    expect(e.message).toContain(".binder/Dockerfile (needs a Docker build)");
    expect(e.message).toContain("The Kubernetes runtime builds it");
  });

  it("fails when postBuild fails, showing its output, and leaves no half-built environment", async () => {
    const lines: string[] = [];
    const e = await expectRefusal(build("octo/broken", c.broken, lines), "invalid_input", 422);
    expect(e.message).toContain("“postBuild” exited with status 3");
    expect(e.message).toContain("about to fail");
    expect(lines).toContain("about to fail");
    expect([e.message, ...lines].filter((l) => l.includes(dataDir))).toEqual([]);
    expect(existsSync(buildPaths(dataDir, c.broken).buildDir)).toBe(false);
    // Nothing counts as built: a retry builds (and fails) again rather than reusing anything.
    await expectRefusal(build("octo/broken", c.broken), "invalid_input", 422);
  });

  it("builds a commit once when two launches ask at the same time", async () => {
    const before = uploadPacks();
    const a: string[] = [];
    const b: string[] = [];
    const [one, two] = await Promise.all([build("octo/twice", c.newer, a), build("octo/twice", c.newer, b)]);
    expect([one.cached, two.cached].sort()).toEqual([false, true]);
    expect(one.envDir).toBe(two.envDir);
    const venvs = [...a, ...b].filter((l) => l.startsWith("Creating a Python")).length;
    expect(venvs).toBe(1);
    expect(b.some((l) => l.includes("being built for another launch"))).toBe(true);
    // One fetch: the commit itself, no second round trip.
    expect(uploadPacks() - before).toBeLessThanOrEqual(2);
  });

  it("fetches a commit no branch points at, by its id alone", async () => {
    const lines: string[] = [];
    const b = await build("octo/twice", c.older, lines);
    // git http-backend (protocol v2) hands out any reachable commit: no fallback to all refs.
    expect(lines.some((l) => l.includes("fetching all branches"))).toBe(false);
    expect(execFileSync("git", ["-C", b.repoDir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim()).toBe(c.older);
  });

  it("connects git to the address that was checked, not to whatever the name resolves to later", async () => {
    const commit = await git.createRepo("octo/pinned", { "README.md": "pinned\n" });
    const port = new URL(git.url).port;
    // git.example.test exists in no DNS: git can only reach the double through the pinned address.
    const b = await buildLocal({
      commit,
      fetchUrl: `http://git.example.test:${port}/octo/pinned.git`,
      settings: settings({ BERTH_LAUNCH_ALLOWED_HOSTS: "git.example.test" }),
      resolve: async () => [{ address: "127.0.0.1", family: 4 }],
    });
    expect(readFileSync(path.join(b.repoDir, "README.md"), "utf8")).toBe("pinned\n");
    expect(git.requests.at(-1)?.headers.host).toBe(`git.example.test:${port}`);
  });

  it("fails clearly for a commit the repository does not have", async () => {
    const e = await build("octo/twice", "0".repeat(40)).catch((err: unknown) => err);
    expect(e).toMatchObject({ details: { reason: expect.stringMatching(/fetch_failed|unknown_commit/) } });
    expect(existsSync(buildPaths(dataDir, "0".repeat(40)).buildDir)).toBe(false);
  });
});

describe("buildLocal refuses hostile input before running anything", () => {
  const marker = () => path.join(scratch, "pwned");

  it("refuses ext::, file:// and ssh addresses", async () => {
    const before = git.requests.length;
    for (const fetchUrl of [`ext::sh -c touch% ${marker()}`, `ext::sh -c "touch ${marker()}"`, `file://${git.root}/octo/py.git`, "ssh://git@127.0.0.1/octo/py.git", "git@github.com:octo/py.git"]) {
      const e = await expectRefusal(buildLocal({ commit: "a".repeat(40), fetchUrl, settings: settings() }), "invalid_input", 422);
      expect(e.details).toMatchObject({ reason: expect.stringMatching(/^(unsafe_url|invalid_repository)$/) });
    }
    expect(existsSync(marker())).toBe(false);
    expect(git.requests.length).toBe(before);
  });

  it("refuses a ref or an address that would be an option to git", async () => {
    for (const commit of [`--upload-pack=touch ${marker()}`, "-c", "HEAD", c.py.toUpperCase(), `${c.py} --upload-pack=x`]) {
      const e = await expectRefusal(buildLocal({ commit, fetchUrl: git.repoUrl("octo/py"), settings: settings() }), "invalid_input", 422);
      expect(e.details).toMatchObject({ reason: "invalid_commit" });
    }
    // Even for a commit that is built already.
    await expectRefusal(buildLocal({ commit: c.binder, fetchUrl: `--upload-pack=touch ${marker()}`, settings: settings() }), "invalid_input", 422);
    await expectRefusal(buildLocal({ commit: "c".repeat(40), fetchUrl: `--upload-pack=touch ${marker()}`, settings: settings() }), "invalid_input", 422);
    expect(existsSync(marker())).toBe(false);
  });

  it("refuses loopback, private and metadata addresses unless an operator allows them", async () => {
    const before = git.requests.length;
    const closed = settings({ BERTH_LAUNCH_ALLOWED_HOSTS: "" });
    for (const fetchUrl of [git.repoUrl("octo/py"), "http://10.0.0.1/x.git", "http://169.254.169.254/latest.git", "http://[::1]/x.git"]) {
      const e = await expectRefusal(buildLocal({ commit: "b".repeat(40), fetchUrl, settings: closed }), "forbidden", 403);
      expect(e.details).toMatchObject({ reason: "private_host" });
    }
    // A name is judged by what it resolves to, and git is pinned to that address.
    const e = await expectRefusal(
      buildLocal({ commit: "b".repeat(40), fetchUrl: "http://git.example.test/octo/py.git", settings: closed, resolve: async () => [{ address: "127.0.0.1", family: 4 }] }),
      "forbidden",
      403,
    );
    expect(e.message).toContain("git.example.test (127.0.0.1)");
    expect(git.requests.length).toBe(before);
  });
});
