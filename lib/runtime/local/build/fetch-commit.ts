import dns from "node:dns";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { config, type Config } from "../../../config";
import { AppError } from "../../../errors";
import { checkGitUrl } from "../../../http/git-url";
import { addressRefusal, checkUrlHost, hostUnreachable, urlHost } from "../../../http/url-safety";
import { runCommand } from "./run-command";

// Fetches one commit of a public repository into <dataDir>/builds/<commit>/repo. The address was
// typed by someone on the internet, so:
//  - it is held to the same shape (checkGitUrl) and address rules (url-safety) as every other
//    launch fetch, and git is then pinned to the address that was checked (http.curloptResolve),
//    so a name that resolves elsewhere when git connects (DNS rebinding) gains nothing, and git
//    follows no redirects (the launch already followed and judged them; fetchUrl is where it landed);
//  - git itself refuses every transport but http(s) (protocol.allow=never), so file://, ext:: and
//    ssh stay closed even if something slipped past the checks above;
//  - neither the address nor the commit can become an option: the commit must be 40 hex digits,
//    the address starts with http(s):, and `--` ends the options of every command that takes them;
//  - git runs from an argv array with an environment made from nothing (no system or global git
//    config, no credential prompts, no askpass), under a deadline.

export const COMMIT = /^[0-9a-f]{40}$/;

export interface FetchCommitOptions {
  commit: string;
  fetchUrl: string;
  /** <dataDir>/builds/<commit>; the checkout ends up in its `repo` folder. */
  buildDir: string;
  onLog?: (line: string) => void;
  settings?: Pick<Config, "launch" | "hostEnv">;
  /** How the host name is resolved (tests); the system resolver otherwise. */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
  /** Aborting kills git (the build was cancelled). */
  signal?: AbortSignal;
}

export function checkCommit(commit: string): string {
  if (!COMMIT.test(commit)) {
    throw new AppError("invalid_input", "A local build needs the full 40-character commit id (lower-case hexadecimal); the launch resolves the ref to one first.", { reason: "invalid_commit" });
  }
  return commit;
}

/** Checks the address and returns it with the one IP address git must connect to. */
export async function pinAddress(fetchUrl: string, settings: Pick<Config, "launch">, resolve = systemResolve): Promise<{ url: URL; host: string; port: string; ip: string }> {
  const url = new URL(checkGitUrl(fetchUrl));
  await checkUrlHost(url, settings.launch, resolve);
  const host = urlHost(url);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  if (isIP(host)) return { url, host, port, ip: host };
  // checkUrlHost judged every address the name had a moment ago; judge the ones git will get too.
  let addresses: { address: string; family: number }[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    throw hostUnreachable(host, err);
  }
  for (const { address } of addresses) {
    const refusal = addressRefusal(host, address, settings.launch);
    if (refusal) throw new AppError("forbidden", refusal, { reason: "private_host" });
  }
  if (addresses.length === 0) throw new AppError("invalid_input", `The host ${host} has no address. Check the repository's address.`, { reason: "unknown_host" });
  return { url, host, port, ip: addresses[0].address };
}

const systemResolve = (host: string) => dns.promises.lookup(host, { all: true, verbatim: true });

/**
 * Fetches `commit` from `fetchUrl` into `<buildDir>/repo` (created atomically: a temporary folder
 * renamed into place, so a half-fetched checkout never looks like one). Returns the repo folder.
 * The caller holds the build lock for this commit.
 */
export async function fetchCommit(opts: FetchCommitOptions): Promise<string> {
  const settings = opts.settings ?? config();
  const commit = checkCommit(opts.commit);
  const pin = await pinAddress(opts.fetchUrl, settings, opts.resolve);
  const repoDir = path.join(opts.buildDir, "repo");
  if (existsSync(path.join(repoDir, ".git"))) return repoDir;

  mkdirSync(opts.buildDir, { recursive: true });
  const tmp = mkdtempSync(path.join(opts.buildDir, ".fetch-"));
  const work = path.join(tmp, "repo");
  const home = path.join(tmp, "home");
  mkdirSync(work);
  mkdirSync(home);
  const log = (l: string) => opts.onLog?.(l);
  const bracket = isIP(pin.ip) === 6 ? `[${pin.ip}]` : pin.ip;
  // An address literal needs no pinning; a name is pinned to the address that was judged.
  const pinning = isIP(pin.host) ? [] : ["-c", `http.curloptResolve=${pin.host}:${pin.port}:${bracket}`];
  const env: Record<string, string> = {
    PATH: settings.hostEnv.PATH,
    HOME: home,
    LANG: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    SSH_ASKPASS: "/bin/false",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_PROTOCOL_FROM_USER: "0",
  };
  // Transport rules go on the command line (not in a config file the repository could touch).
  const safety = [
    "-c", "protocol.allow=never",
    "-c", "protocol.https.allow=always",
    "-c", "protocol.http.allow=always",
    "-c", "http.followRedirects=false",
    ...pinning,
    "-c", "core.hooksPath=/dev/null",
    "-c", "advice.detachedHead=false",
  ];
  const timeoutMs = settings.launch.gitTimeoutMs;
  const git = async (args: string[], what: string) => {
    const r = await runCommand("git", [...safety, ...args], { cwd: work, env, timeoutMs, onLine: log, signal: opts.signal });
    return { ok: r.code === 0, r, what };
  };
  const fail = (what: string, r: Awaited<ReturnType<typeof runCommand>>) => {
    if (r.timedOut) {
      return new AppError("timeout", `Fetching ${pin.url.host} took longer than ${Math.round(timeoutMs / 1000)} seconds (${what}); Berth gave up. Try again later.`, { reason: "git_unreachable" });
    }
    return new AppError("upstream_failed", `Berth could not fetch commit ${commit} from ${pin.url.host} (${what}): ${r.tail.slice(-3).join(" ").trim() || `git exited with ${r.code ?? r.signal}`}`, { reason: "fetch_failed" });
  };

  try {
    const url = pin.url.toString();
    log(`Fetching ${url} at ${commit}`);
    const init = await git(["init", "-q", "--", "."], "git init");
    if (!init.ok) throw fail(init.what, init.r);
    // Most servers (GitHub, GitLab, and git itself with protocol v2) hand out any reachable commit.
    let got = await git(["fetch", "-q", "--no-tags", "--depth", "1", "--", url, commit], "git fetch");
    if (!got.ok && !got.r.timedOut) {
      // Older servers only serve what they advertise: fetch every branch and tag, whole.
      log("The server does not hand out single commits; fetching all branches and tags instead.");
      got = await git(["fetch", "-q", "--tags", "--", url, "+refs/heads/*:refs/remotes/origin/*"], "git fetch");
    }
    if (!got.ok) throw fail(got.what, got.r);
    const out = await git(["checkout", "-q", "--detach", commit, "--"], "git checkout");
    if (!out.ok) {
      if (out.r.timedOut) throw fail(out.what, out.r);
      throw new AppError("not_found", `The repository ${pin.url.host}${pin.url.pathname} has no commit ${commit}.`, { reason: "unknown_commit" });
    }
    renameSync(work, repoDir);
    log(`Checked out ${commit}`);
    return repoDir;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
