import { config, type Config } from "../config";
import { AppError } from "../errors";
import { log } from "../log";
import { fetchPublic } from "./fetch-public";
import type { RepoSource } from "./repo-spec";

// A ref becomes a commit by asking the Git server itself, over the smart-HTTP protocol every
// public host speaks (GitHub, GitLab, Gitea, cgit, `git http-backend`): one GET of
// <repo>/info/refs?service=git-upload-pack lists every branch and tag with its commit. No provider
// API, no token, no command line.

export interface AdvertisedRefs {
  /** refname → object id, in the server's order. HEAD is included when the server sends it. */
  refs: Map<string, string>;
  /** refname → the commit an annotated tag points at (the "^{}" lines). */
  peeled: Map<string, string>;
  /** symref=HEAD:refs/heads/main and the like. */
  symrefs: Map<string, string>;
  capabilities: string[];
}

export interface ResolvedRef {
  commit: string;
  /** The full ref the request matched (refs/heads/main, refs/tags/v1), or the commit itself. */
  ref: string;
}

export interface ResolvedSource extends ResolvedRef {
  /**
   * Where the repository answered, after redirects (a renamed GitHub repository redirects). A
   * build should fetch from here: it is the address that was checked.
   */
  repoUrl: string;
}

const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const ZERO = /^0+$/;

export class PktLineError extends Error {}

/** Splits a pkt-line stream into its lines; a flush packet (0000) is returned as null. */
export function pktLines(body: Buffer): (string | null)[] {
  const out: (string | null)[] = [];
  let i = 0;
  while (i < body.length) {
    if (i + 4 > body.length) throw new PktLineError("truncated pkt-line length");
    const hex = body.subarray(i, i + 4).toString("latin1");
    if (!/^[0-9a-f]{4}$/i.test(hex)) throw new PktLineError(`bad pkt-line length ${JSON.stringify(hex)}`);
    const len = parseInt(hex, 16);
    if (len === 0 || len === 1 || len === 2) {
      out.push(null);
      i += 4;
      continue;
    }
    if (len < 4 || i + len > body.length) throw new PktLineError("pkt-line runs past the end of the answer");
    out.push(body.subarray(i + 4, i + len).toString("utf8").replace(/\n$/, ""));
    i += len;
  }
  return out;
}

/** Parses the answer to GET info/refs?service=git-upload-pack (protocol v0/v1). */
export function parseAdvertisement(body: Buffer): AdvertisedRefs {
  const lines = pktLines(body);
  let i = 0;
  // "# service=git-upload-pack" and its flush; old servers may leave them out.
  if (typeof lines[0] === "string" && lines[0].startsWith("# service=")) {
    i = 1;
    while (lines[i] === null) i++;
  }
  if (lines[i] === "version 1") i++;
  if (typeof lines[i] === "string" && (lines[i] as string).startsWith("version 2")) {
    throw new PktLineError("server answered with protocol v2 although v0 was asked for");
  }
  const adv: AdvertisedRefs = { refs: new Map(), peeled: new Map(), symrefs: new Map(), capabilities: [] };
  let first = true;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line === null) break;
    let entry = line;
    if (first) {
      const nul = line.indexOf("\0");
      if (nul >= 0) {
        entry = line.slice(0, nul);
        adv.capabilities = line.slice(nul + 1).split(" ").filter(Boolean);
        for (const cap of adv.capabilities) {
          const m = cap.match(/^symref=([^:]+):(.+)$/);
          if (m) adv.symrefs.set(m[1], m[2]);
        }
      }
      first = false;
    }
    const m = entry.match(/^([0-9a-f]{40}(?:[0-9a-f]{24})?) (.+)$/);
    if (!m) throw new PktLineError(`unexpected ref line ${JSON.stringify(entry.slice(0, 100))}`);
    const [, oid, name] = m;
    // An empty repository advertises only "0000… capabilities^{}".
    if (name === "capabilities^{}" && ZERO.test(oid)) continue;
    if (name.endsWith("^{}")) adv.peeled.set(name.slice(0, -3), oid);
    else adv.refs.set(name, oid);
  }
  return adv;
}

/** The commit a ref names (annotated tags peeled), or undefined when it is not advertised. */
function commitOf(adv: AdvertisedRefs, name: string): string | undefined {
  const oid = adv.refs.get(name);
  return oid && (adv.peeled.get(name) ?? oid);
}

/**
 * Picks the ref in the advertisement, in git's own order of precedence (gitrevisions(7)): the
 * exact name, refs/<name>, refs/tags/<name>, refs/heads/<name>, refs/remotes/<name>[/HEAD].
 * A full commit id is taken as is (the repository exists; the build fetches it); an abbreviated
 * one only when it uniquely starts an advertised commit.
 */
export function pickRef(adv: AdvertisedRefs, ref: string): ResolvedRef | undefined {
  const lower = ref.toLowerCase();
  if (OID.test(lower)) {
    // A tag object's id names the commit it points at.
    for (const [name, oid] of adv.refs) if (oid === lower && adv.peeled.has(name)) return { commit: adv.peeled.get(name)!, ref: lower };
    return { commit: lower, ref: lower };
  }
  if (ref === "HEAD") {
    const target = adv.symrefs.get("HEAD");
    const commit = commitOf(adv, "HEAD") ?? (target ? commitOf(adv, target) : undefined);
    return commit ? { commit, ref: target ?? "HEAD" } : undefined;
  }
  for (const name of [ref, `refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`, `refs/remotes/${ref}`, `refs/remotes/${ref}/HEAD`]) {
    const commit = commitOf(adv, name);
    if (commit) return { commit, ref: name };
  }
  if (/^[0-9a-f]{4,39}$/.test(lower)) {
    const matches = new Set([...adv.refs.keys()].map((n) => commitOf(adv, n)!).filter((c) => c.startsWith(lower)));
    if (matches.size === 1) return { commit: [...matches][0], ref: [...matches][0] };
  }
  return undefined;
}

/** A few refs to suggest: the default branch, other branches, then tags. */
export function suggestRefs(adv: AdvertisedRefs, max = 5): { shown: string[]; more: number } {
  const head = adv.symrefs.get("HEAD");
  const names = [...adv.refs.keys()];
  const heads = names.filter((n) => n.startsWith("refs/heads/")).sort((a, b) => Number(b === head) - Number(a === head));
  const tags = names.filter((n) => n.startsWith("refs/tags/")).reverse();
  const all = [...heads, ...tags].map((n) => n.replace(/^refs\/(heads|tags)\//, ""));
  return { shown: all.slice(0, max), more: Math.max(0, all.length - max) };
}

const notPublic = (source: RepoSource) =>
  new AppError(
    "not_found",
    `The repository ${source.repoUrl} does not exist or is not public. Berth launches public repositories only: check the address, or make the repository public.`,
    { reason: "repository_not_found" },
  );

/** Resolves the source's ref to a commit, or throws an AppError that says what to do instead. */
export async function resolveRef(source: RepoSource, settings: Config["launch"] = config().launch): Promise<ResolvedSource> {
  const url = new URL(`${source.repoUrl}/info/refs?service=git-upload-pack`);
  const res = await fetchPublic(url, {
    policy: settings,
    timeoutMs: settings.gitTimeoutMs,
    // Repositories with many tags or pull-request refs send megabytes here.
    maxBytes: 64 * 1024 * 1024,
    // Some hosts (GitLab among them) answer the smart protocol only to Git clients.
    headers: { "User-Agent": "git/2.43.0 (berth)", Accept: "*/*", "Cache-Control": "no-cache", Pragma: "no-cache" },
  });
  if (res.status === 401 || res.status === 403 || res.status === 404 || res.status === 410) throw notPublic(source);
  if (res.status !== 200) {
    log.warn("git server answered an unexpected status", { url: source.repoUrl, status: res.status });
    throw new AppError("upstream_failed", `The Git server at ${res.url.host} answered ${res.status} when Berth asked for the repository's branches. Try again later.`, { reason: "git_unreachable" });
  }
  const type = String(res.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/x-git-upload-pack-advertisement") {
    throw new AppError("invalid_input", `${source.repoUrl} is not a Git repository Berth can read: the server did not answer as a Git server over HTTP. Check that this is the repository's clone address.`, { reason: "not_a_repository" });
  }
  let adv: AdvertisedRefs;
  try {
    adv = parseAdvertisement(res.body);
  } catch (err) {
    log.warn("unreadable ref advertisement", { url: source.repoUrl, error: (err as Error).message });
    throw new AppError("invalid_input", `The Git server at ${res.url.host} sent a list of branches Berth could not read. Check the repository's address.`, { reason: "not_a_repository" });
  }
  if (adv.refs.size === 0) {
    throw new AppError("not_found", `The repository ${source.repoUrl} is empty: it has no commits to launch yet.`, { reason: "empty_repository" });
  }
  const picked = pickRef(adv, source.ref);
  const answered = new URL(res.url);
  answered.search = "";
  answered.pathname = answered.pathname.replace(/\/info\/refs$/, "");
  if (picked) return { ...picked, repoUrl: answered.toString().replace(/\/+$/, "") };
  if (source.ref === "HEAD") {
    throw new AppError("not_found", `The repository ${source.repoUrl} has no default branch (HEAD). Enter a branch or tag in the ref field.`, { reason: "unknown_ref" });
  }
  const { shown, more } = suggestRefs(adv);
  const list = shown.length ? ` It has ${shown.join(", ")}${more ? ` and ${more} more` : ""}.` : "";
  const abbreviated = /^[0-9a-f]{4,39}$/i.test(source.ref) ? " If you meant a commit, enter all 40 characters of its id." : "";
  throw new AppError("not_found", `The repository ${source.repoUrl} has no branch or tag “${source.ref}”.${list}${abbreviated} Enter one of those, a full commit id, or HEAD.`, { reason: "unknown_ref" });
}
