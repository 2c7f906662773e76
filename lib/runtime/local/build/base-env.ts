import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync, lstatSync } from "node:fs";
import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../../errors";
import { runCommand } from "./run-command";

// Every local build starts from the same thing: a venv of the host's Python with the host's
// packages visible (--system-site-packages) and the environment's own "python3" kernelspec. Made
// from scratch that takes seconds per build (`python -m venv`, then `python -m ipykernel install`,
// which imports IPython and debugpy). It is made once per Python instead — a base environment
// under <dataDir>/base-envs/<key>/ — and each build gets its own copy of it, with the base's path
// rewritten to the build's wherever venv and ipykernel wrote it (pyvenv.cfg, the activate scripts,
// kernel.json). The copy is what `python -m venv` and `ipykernel install` would have made in the
// build's folder, byte for byte; it is a copy, never a link, so what one build installs stays in
// that build's environment. The key covers what the result depends on (the Python, its version,
// and the versions of pip, ipykernel and debugpy it sees), so an upgrade on the host makes a new
// base rather than reusing a stale one.

export interface BaseEnv {
  /** The base's environment folder as its files name it (where it was made; rewritten in every copy). */
  envDir: string;
  /** Where its files are now. */
  folder: string;
  /** The environment's Python can import pip (else each build seeds one with ensurepip). */
  hasPip: boolean;
  /** ipykernel is there, so the base has the environment's own python3 kernelspec. */
  hasIpykernel: boolean;
  /** What making it ran, for the log of the build that made it. */
  prepared: boolean;
}

interface BaseMarker {
  envDir: string;
  hasPip: boolean;
  hasIpykernel: boolean;
  key: string;
}

export interface BaseEnvOptions {
  dataDir: string;
  /** The Python that makes environments (buildPython). */
  python: string;
  hostPath: string;
  lang?: string;
  timeoutMs: number;
  onLog: (line: string) => void;
  signal?: AbortSignal;
}

const made = new Map<string, Promise<BaseEnv>>();

// What the base depends on besides the interpreter file itself: asked once per process (fast: no
// package is imported, their metadata is read).
const FACTS = `import sys, importlib.metadata as m
def v(n):
    try: return m.version(n)
    except Exception: return "-"
print(sys.version, sys.executable, v("pip"), v("ipykernel"), v("debugpy"), v("jupyter_client"), sep="|")`;

const facts = new Map<string, Promise<string>>();

async function baseKey(opts: BaseEnvOptions): Promise<string> {
  let f = facts.get(opts.python);
  if (!f) {
    // -s: no user site, as in a build (its HOME is a fresh folder).
    f = runCommand(opts.python, ["-s", "-c", FACTS], { cwd: "/", env: { PATH: opts.hostPath, LANG: "C" }, timeoutMs: 30_000 }).then((r) => {
      const line = r.tail.find((l) => l.includes("|"));
      if (r.code !== 0 || !line) {
        facts.delete(opts.python);
        throw new AppError("start_failed", `The local runtime cannot build environments: ${opts.python} did not run on this host. An administrator sets BERTH_LOCAL_BUILD_PYTHON to a Python 3 with the venv module.`, { reason: "no_python" });
      }
      return line.trim();
    });
    facts.set(opts.python, f);
  }
  let real = opts.python;
  try {
    real = realpathSync(opts.python);
  } catch {
    // a name found on PATH: the facts name the executable
  }
  return createHash("sha256").update(JSON.stringify([real, await f])).digest("hex").slice(0, 24);
}

/** The base environment for `opts.python`, made now if this host has none yet. */
export async function baseEnv(opts: BaseEnvOptions): Promise<BaseEnv> {
  const key = await baseKey(opts);
  const root = path.join(opts.dataDir, "base-envs");
  const dir = path.join(root, key);
  const existing = readMarker(dir, key);
  if (existing) return existing;
  let p = made.get(dir);
  if (!p) {
    p = prepare(opts, root, dir, key).finally(() => made.delete(dir));
    made.set(dir, p);
  }
  return p;
}

function readMarker(dir: string, key: string): BaseEnv | undefined {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, "base.json"), "utf8")) as BaseMarker;
    const folder = path.join(dir, "env");
    if (m.key !== key || !existsSync(folder)) return undefined;
    return { envDir: m.envDir, folder, hasPip: m.hasPip, hasIpykernel: m.hasIpykernel, prepared: false };
  } catch {
    return undefined;
  }
}

async function prepare(opts: BaseEnvOptions, root: string, dir: string, key: string): Promise<BaseEnv> {
  // Made in a folder of its own and renamed into place whole, so a reader never sees half of
  // one, and two Berth processes preparing at once both end with a complete base.
  const work = `${dir}.${process.pid}.${randomBytes(4).toString("hex")}`;
  const envDir = path.join(work, "env");
  const home = path.join(work, "home");
  const tmp = path.join(work, "tmp");
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const env = { PATH: `${path.join(envDir, "bin")}:${opts.hostPath}`, HOME: home, LANG: opts.lang ?? "C.UTF-8", VIRTUAL_ENV: envDir, PYTHONUNBUFFERED: "1", PYDEVD_DISABLE_FILE_VALIDATION: "1", TMPDIR: tmp };
  const run = async (what: string, command: string, args: string[], show = true) => {
    if (show) opts.onLog(`$ ${[command, ...args].join(" ")}`);
    const r = await runCommand(command, args, { cwd: work, env, timeoutMs: opts.timeoutMs, onLine: show ? opts.onLog : undefined, signal: opts.signal });
    if (show && r.code !== 0) {
      throw new AppError("start_failed", `Preparing the base Python environment failed at “${what}”; ask your administrator to look at this host's Python (venv and ipykernel).\n${r.tail.slice(-5).join("\n")}`, { reason: "build_failed", step: what });
    }
    return r.code === 0;
  };
  try {
    opts.onLog("Preparing the base Python environment for this host's Python (once; later builds copy it)");
    // As every build made its own before: the host's packages visible, no private pip seeded.
    await run("python -m venv", opts.python, ["-m", "venv", "--system-site-packages", "--without-pip", "--", envDir]);
    const python = path.join(envDir, "bin", "python");
    const hasPip = await run("import pip", python, ["-c", "import pip"], false);
    const hasIpykernel = await run("import ipykernel", python, ["-c", "import ipykernel"], false);
    // The environment's own "python3" kernel, found before the host's (Jupyter searches
    // sys.prefix/share/jupyter before /usr/share/jupyter), so notebooks run in the environment.
    if (hasIpykernel) await run("ipykernel install", python, ["-m", "ipykernel", "install", "--prefix", envDir, "--name", "python3", "--display-name", "Python 3 (ipykernel)"]);
    rmSync(tmp, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    const marker: BaseMarker = { envDir, hasPip, hasIpykernel, key };
    writeFileSync(path.join(work, "base.json"), `${JSON.stringify(marker, null, 2)}\n`);
    mkdirSync(root, { recursive: true });
    try {
      renameSync(work, dir);
    } catch (err) {
      // Another process put its base in place first: use that one.
      rmSync(work, { recursive: true, force: true });
      const theirs = readMarker(dir, key);
      if (theirs) return theirs;
      throw err;
    }
    return { envDir, folder: path.join(dir, "env"), hasPip, hasIpykernel, prepared: true };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Copies the base into `envDir` (which must not exist) and rewrites the base's path to `envDir`
 * in every file that names it. Symbolic links are copied as they are (bin/python names the host's
 * interpreter; python3 and lib64 are relative).
 */
export async function copyBaseEnv(base: BaseEnv, envDir: string): Promise<void> {
  await cp(base.folder, envDir, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false });
  const from = Buffer.from(base.envDir);
  const stack = [envDir];
  while (stack.length) {
    const current = stack.pop()!;
    for (const name of readdirSync(current)) {
      const file = path.join(current, name);
      const st = lstatSync(file);
      if (st.isDirectory()) stack.push(file);
      else if (st.isFile() && st.size < 4 * 1024 * 1024) {
        const bytes = await readFile(file);
        if (bytes.includes(from)) await writeFile(file, bytes.toString("utf8").split(base.envDir).join(envDir));
      }
    }
  }
}
