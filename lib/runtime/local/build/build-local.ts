import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config, type Config } from "../../../config";
import { AppError } from "../../../errors";
import { log } from "../../../log";
import { checkGitUrl } from "../../../http/git-url";
import { baseEnv, copyBaseEnv } from "./base-env";
import { acquireBuildLock } from "./build-lock";
import { detectConfig, type BuildPlan } from "./detect-config";
import { checkCommit, fetchCommit } from "./fetch-commit";
import { asksForPackages } from "./requirements-file";
import { runCommand, type RunResult } from "./run-command";

// A build on the local runtime: the commit's files plus the Python environment its configuration
// asks for, in <dataDir>/builds/<commit>/{repo,env,home}. An environment is built once per commit
// and reused, as BinderHub reuses an image. `built.json` is written last, so only a finished
// build counts as built; a failed one is removed whole (postBuild may have changed the checkout,
// so not even the checkout is kept for a retry). One build per commit at a time: callers in this
// process share the running build, other processes wait on a lock folder.

export type LocalBuildSettings = Pick<Config, "dataDir" | "launch" | "hostEnv" | "localBuild">;

export interface BuildLocalOptions {
  commit: string;
  fetchUrl: string;
  onLog?: (line: string) => void;
  settings?: LocalBuildSettings;
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
  /** Aborting stops the build (its processes are killed) and removes what it made. */
  signal?: AbortSignal;
  /** Build again although the commit is built (an administrator's rebuild). */
  force?: boolean;
}

export interface BuiltMarker {
  commit: string;
  fetchUrl: string;
  builtAt: string;
  python: string;
  configDir: BuildPlan["configDir"];
  steps: string[];
  notes: string[];
}

export interface LocalBuild {
  /** True when the environment already existed (or another caller built it while this one waited). */
  cached: boolean;
  commit: string;
  buildDir: string;
  repoDir: string;
  envDir: string;
  /** The HOME postBuild ran with; what it wrote there belongs to the environment. */
  homeDir: string;
  marker: BuiltMarker;
  /** The stored (capped) log of this call's build; empty for a cached one. */
  log: string;
}

const inFlight = new Map<string, Promise<LocalBuild>>();

export function buildPaths(dataDir: string, commit: string) {
  const buildDir = path.join(dataDir, "builds", checkCommit(commit));
  return { buildDir, repoDir: path.join(buildDir, "repo"), envDir: path.join(buildDir, "env"), homeDir: path.join(buildDir, "home"), markerFile: path.join(buildDir, "built.json") };
}

/** The finished build of `commit`, or undefined. */
export function readBuilt(dataDir: string, commit: string): LocalBuild | undefined {
  const p = buildPaths(dataDir, commit);
  if (!existsSync(p.markerFile)) return undefined;
  try {
    const marker = JSON.parse(readFileSync(p.markerFile, "utf8")) as BuiltMarker;
    if (marker.commit !== commit) return undefined;
    return { cached: true, commit, buildDir: p.buildDir, repoDir: p.repoDir, envDir: p.envDir, homeDir: p.homeDir, marker, log: "" };
  } catch {
    return undefined;
  }
}

export async function buildLocal(opts: BuildLocalOptions): Promise<LocalBuild> {
  const settings = opts.settings ?? config();
  const commit = checkCommit(opts.commit);
  const say = (l: string) => opts.onLog?.(l);
  // The address is held to its shape even when nothing will be fetched, so a hostile one is
  // refused the same way whether or not the commit happens to be built already.
  checkGitUrl(opts.fetchUrl);
  const done = opts.force ? undefined : readBuilt(settings.dataDir, commit);
  if (done) {
    say(`Reusing the environment already built for ${commit}.`);
    return done;
  }
  const { buildDir } = buildPaths(settings.dataDir, commit);
  const running = inFlight.get(buildDir);
  if (running) {
    say(`This commit is being built for another launch; waiting for that build.`);
    return { ...(await running), cached: true, log: "" };
  }
  const p = buildUnderLock({ ...opts, commit }, settings).finally(() => inFlight.delete(buildDir));
  inFlight.set(buildDir, p);
  return p;
}

async function buildUnderLock(opts: BuildLocalOptions, settings: LocalBuildSettings): Promise<LocalBuild> {
  const say = (l: string) => opts.onLog?.(l);
  const release = await acquireBuildLock(path.join(settings.dataDir, "builds", `${opts.commit}.lock`), {
    onWait: () => say("Another Berth process is building this commit; waiting for it."),
    timeoutMs: settings.localBuild.timeoutMs * 3 + settings.launch.gitTimeoutMs * 4,
  });
  try {
    // Whoever held the lock may have finished the build meanwhile.
    const done = opts.force ? undefined : readBuilt(settings.dataDir, opts.commit);
    if (done) {
      say(`Reusing the environment already built for ${opts.commit}.`);
      return done;
    }
    return await build(opts, settings);
  } finally {
    release();
  }
}

async function build(opts: BuildLocalOptions, settings: LocalBuildSettings): Promise<LocalBuild> {
  const { commit, fetchUrl } = opts;
  const paths = buildPaths(settings.dataDir, commit);
  const stored = cappedLog(settings.localBuild.logMaxBytes);
  const hide = hideHostPaths(settings.dataDir);
  const say = (l: string) => {
    const shown = hide(l);
    stored.add(shown);
    opts.onLog?.(shown);
  };
  // Left by a build that died without cleaning up (the process was killed): never reused.
  rmSync(paths.buildDir, { recursive: true, force: true });
  try {
    const cancelled = () => {
      if (opts.signal?.aborted) throw buildCancelled();
    };
    cancelled();
    await fetchCommit({ commit, fetchUrl, buildDir: paths.buildDir, onLog: say, settings, resolve: opts.resolve, signal: opts.signal });
    cancelled();
    const python = await hostPythonVersion(settings);
    const plan = detectConfig(paths.repoDir, python);
    for (const n of plan.notes) say(`Note: ${n}`);
    mkdirSync(paths.homeDir, { recursive: true });
    // The build's own temporary folder, removed when it ends: what the steps leave in a temp
    // folder (pip, postBuild, ipykernel's kernelspec staging) must not pile up in /tmp.
    const tmpDir = path.join(paths.buildDir, "tmp");
    mkdirSync(tmpDir, { recursive: true });
    const steps: string[] = [];
    const env: Record<string, string> = {
      PATH: `${path.join(paths.envDir, "bin")}:${settings.hostEnv.PATH}`,
      HOME: paths.homeDir,
      LANG: settings.hostEnv.LANG ?? "C.UTF-8",
      VIRTUAL_ENV: paths.envDir,
      // The names repo2docker gives postBuild scripts, so scripts written for Binder find things.
      REPO_DIR: paths.repoDir,
      NB_PYTHON_PREFIX: paths.envDir,
      KERNEL_PYTHON_PREFIX: paths.envDir,
      PYTHONUNBUFFERED: "1",
      // debugpy's warning about frozen modules is noise in a build log.
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
      TMPDIR: tmpDir,
    };
    const step = async (what: string, command: string, args: string[]) => {
      say(`$ ${[command, ...args].join(" ")}`);
      const r = await runCommand(command, args, { cwd: paths.repoDir, env, timeoutMs: settings.localBuild.timeoutMs, onLine: say, signal: opts.signal });
      cancelled();
      if (r.code !== 0) throw stepFailed(what, r, settings.localBuild.timeoutMs);
      steps.push(what);
    };

    say(`Creating a Python ${python} environment`);
    // A copy of the base environment made once for this Python (base-env.ts): the same venv
    // (--system-site-packages: the host's packages, Jupyter among them, are there as in Binder's
    // base image; --without-pip: the host's pip serves it) with its own python3 kernelspec, so
    // notebooks run in this environment. What `python -m venv` and `ipykernel install` would make.
    const base = await baseEnv({ dataDir: settings.dataDir, python: buildPython(settings), hostPath: settings.hostEnv.PATH, lang: settings.hostEnv.LANG, timeoutMs: settings.localBuild.timeoutMs, onLog: say, signal: opts.signal });
    cancelled();
    await copyBaseEnv(base, paths.envDir);
    steps.push("python -m venv");
    if (base.hasIpykernel) steps.push("ipykernel install");
    else say("Note: this host's Python has no ipykernel, so notebooks use the host's kernel, not this environment.");
    if (!base.prepared) say(`Copied the base environment prepared for this Python${base.hasIpykernel ? " (with its python3 kernel)" : ""}.`);
    const envPython = path.join(paths.envDir, "bin", "python");
    // Only a host Python without pip seeds one; installing nothing needs none, but the person may
    // install packages in their server later.
    if (!base.hasPip) await step("python -m ensurepip", envPython, ["-m", "ensurepip", "--default-pip"]);
    const pip = [envPython, "-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--no-cache-dir"];
    if (plan.requirements) {
      // A file with no requirements (empty, comments only) is not given to pip: it would install
      // nothing, after seconds of start-up and index look-ups.
      if (asksForPackages(readFileSync(path.join(paths.repoDir, plan.requirements), "utf8"))) await step(`pip install -r ${plan.requirements}`, pip[0], [...pip.slice(1), "-r", plan.requirements]);
      else say(`${plan.requirements} lists no packages; nothing to install.`);
    }
    if (plan.installRepo) await step("pip install .", pip[0], [...pip.slice(1), "."]);
    if (plan.postBuild) {
      // As repo2docker: made executable and run as ./postBuild, so its #! line picks the
      // interpreter; bash runs one without a #! line, as /bin/sh does in a Docker RUN.
      chmodSync(path.join(paths.repoDir, plan.postBuild), 0o755);
      await step(plan.postBuild, "bash", ["-c", '"$0"', `./${plan.postBuild}`]);
    }
    if (!plan.requirements && !plan.installRepo && !plan.postBuild) say("No requirements.txt or postBuild: the environment has this host's Python packages.");

    rmSync(tmpDir, { recursive: true, force: true });
    const marker: BuiltMarker = { commit, fetchUrl, builtAt: new Date().toISOString(), python, configDir: plan.configDir, steps, notes: plan.notes };
    const tmp = `${paths.markerFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(marker, null, 2) + "\n");
    renameSync(tmp, paths.markerFile);
    say(`Built ${commit}.`);
    return { cached: false, commit, buildDir: paths.buildDir, repoDir: paths.repoDir, envDir: paths.envDir, homeDir: paths.homeDir, marker, log: stored.text() };
  } catch (err) {
    rmSync(paths.buildDir, { recursive: true, force: true });
    if (err instanceof AppError) {
      // The message's first line: the lines after it are the log's own tail, already shown.
      const shown = hide(err.message);
      say(`Build failed: ${shown.split("\n")[0]}`);
      throw shown === err.message ? err : new AppError(err.code, shown, err.details, err.headers);
    }
    log.error("local build failed", { commit, error: (err as Error).message });
    say("Build failed: Berth could not build this commit (an internal error); try again.");
    throw new AppError("start_failed", "Berth could not build this commit because of an internal error; try again, or ask your administrator to look at Berth's log.", { reason: "build_failed" });
  }
}

/** The error a cancelled build ends with; the launch page shows its message. */
export function buildCancelled(by?: string | null): AppError {
  return new AppError("build_cancelled", `The build was cancelled by an administrator${by ? ` (${by})` : ""}. Launch again to build it, or ask them why.`, { reason: "build_cancelled" });
}

function stepFailed(what: string, r: RunResult, timeoutMs: number): AppError {
  if (r.timedOut) {
    return new AppError("timeout", `${what} took longer than ${Math.round(timeoutMs / 1000)} seconds; Berth stopped the build.`, { reason: "build_timeout", step: what });
  }
  const last = r.tail.filter((l) => l.trim()).slice(-5).join("\n");
  const how = r.code === null ? `was stopped (${r.signal ?? "could not start"})` : `exited with status ${r.code}`;
  return new AppError("invalid_input", `The build step “${what}” ${how}. Fix the repository's configuration and launch again.${last ? `\n${last}` : ""}`, { reason: "build_failed", step: what });
}

/** Keeps log lines up to `maxBytes`, then one line saying it stopped. */
export function cappedLog(maxBytes: number) {
  const lines: string[] = [];
  let size = 0;
  let full = false;
  return {
    add(l: string) {
      if (full) return;
      size += Buffer.byteLength(l) + 1;
      if (size > maxBytes) {
        full = true;
        lines.push(`… (log cut at ${maxBytes} bytes)`);
        return;
      }
      lines.push(l);
    },
    text: () => lines.join("\n"),
  };
}

const pythonVersions = new Map<string, Promise<string>>();

/**
 * The Python that makes build environments: the configured one, else the one that runs this
 * host's Jupyter (the interpreter named by the jupyter script's #! line). A launched server runs
 * Jupyter with the environment's Python, and an environment made with --system-site-packages
 * sees the packages of the Python it was made from, so this is the one that has Jupyter.
 */
export function buildPython(settings: Pick<Config, "localBuild" | "hostEnv">): string {
  if (settings.localBuild.python) return settings.localBuild.python;
  for (const script of ["jupyter-lab", "jupyter-notebook"]) {
    for (const dir of settings.hostEnv.PATH.split(":")) {
      if (!dir) continue;
      const file = path.join(dir, script);
      if (!existsSync(file)) continue;
      try {
        const first = readFileSync(file, "utf8").slice(0, 200).split("\n")[0];
        const m = first.match(/^#!\s*(\/\S+python[0-9.]*)\s*$/);
        if (m && existsSync(m[1])) return m[1];
      } catch {
        // unreadable: try the next
      }
      break;
    }
  }
  return "python3";
}

/** X.Y.Z of the Python that creates build environments (asked once per process). */
export function hostPythonVersion(settings: Pick<Config, "localBuild" | "hostEnv">): Promise<string> {
  const cmd = buildPython(settings);
  let v = pythonVersions.get(cmd);
  if (!v) {
    v = runCommand(cmd, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], { cwd: "/", env: { PATH: settings.hostEnv.PATH, LANG: "C" }, timeoutMs: 30_000 }).then((r) => {
      const out = r.tail.find((l) => /^\d+\.\d+\.\d+$/.test(l.trim()));
      if (r.code !== 0 || !out) {
        pythonVersions.delete(cmd);
        throw new AppError("start_failed", `The local runtime cannot build environments: ${cmd} did not run on this host. An administrator sets BERTH_LOCAL_BUILD_PYTHON to a Python 3 with the venv module.`, { reason: "no_python" });
      }
      return out.trim();
    });
    pythonVersions.set(cmd, v);
  }
  return v;
}

/**
 * Rewrites the host folders a build's lines name (pip, git and venv print where they work) into
 * what a person can read and act on, without showing where this host keeps its data: the
 * checkout's files relative to it (`requirements.txt`), the environment, HOME and TMPDIR by the
 * variables the build sets to them, anything else of Berth's data folder as `<data folder>`.
 */
export function hideHostPaths(dataDir: string): (line: string) => string {
  let real = dataDir;
  try {
    real = realpathSync(dataDir);
  } catch {
    // not made yet: its name is all a line can hold
  }
  const end = "(?=$|[/\\s'\"`:;,)\\]])";
  const rules: [RegExp, string][] = [];
  for (const root of new Set([dataDir.replace(/\/+$/, ""), real.replace(/\/+$/, "")])) {
    const r = root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // A checkout is fetched in a temporary folder (fetch-commit.ts) and renamed to repo/.
    const build = `${r}/builds/[0-9a-f]{40}/(?:\\.fetch-[^/\\s'"]+/)?`;
    const base = `${r}/base-envs/[^/\\s'"]+/`;
    rules.push(
      [new RegExp(`${build}repo/(?=[^\\s'"\`])`, "g"), ""],
      [new RegExp(`${build}repo${end}`, "g"), "."],
      [new RegExp(`${build}env${end}`, "g"), "$NB_PYTHON_PREFIX"],
      [new RegExp(`(?:${build}|${base})home${end}`, "g"), "$HOME"],
      [new RegExp(`(?:${build}|${base})tmp${end}`, "g"), "$TMPDIR"],
      [new RegExp(`${base}env${end}`, "g"), "<base environment>"],
      [new RegExp(`${r}${end}`, "g"), "<data folder>"],
    );
  }
  return (line) => rules.reduce((l, [re, to]) => l.replace(re, () => to), line);
}
