import { config, type Config } from "../config";
import { checkGitUrl, invalidRepository, REPO_HINT } from "../http/git-url";

export { checkGitUrl };

// What a person types into the launch form, and the BinderHub spec strings that name the same
// repository in launch URLs (/v2/<provider>/<spec>) and build streams (/build/<provider>/<spec>).
// The spec formats and their escaping are BinderHub's, so existing badges and links keep working:
//   gh    owner/repo/ref
//   gl    url-escaped namespace, then /ref          (group%2Fsub%2Frepo/main)
//   gist  user/gist-id/ref
//   git   url-escaped clone URL, then /ref          (https%3A%2F%2Fexample.org%2Frepo.git/main)
// Nothing here reaches a command line, but later steps (the build's git fetch) will: names, refs
// and URLs are held to shapes that cannot be read as options or as non-HTTP transports.

export const PROVIDERS = ["gh", "gl", "gist", "git"] as const;
export type Provider = (typeof PROVIDERS)[number];

export type ProviderUrls = Config["launch"]["providers"];

export interface RepoSource {
  provider: Provider;
  /** The BinderHub spec, escaped as it appears in a URL path. */
  spec: string;
  /** Where Git fetches the repository from. */
  repoUrl: string;
  /** The ref as asked for, unresolved ("HEAD" when none was given). */
  ref: string;
  /**
   * The repository without the ref, as operators' allow/deny rules see it: owner/repo (gh),
   * group/sub/repo (gl), user/gist-id (gist), or the clone URL without a final .git (git).
   */
  repo: string;
}

/** What /api/repoproviders lists, in the shape BinderHub's own endpoint uses. */
export const REPO_PROVIDERS: { id: Provider; displayName: string; repoLabel: string; refLabel: string; example: string }[] = [
  { id: "gh", displayName: "GitHub", repoLabel: "GitHub repository name or URL", refLabel: "Git ref (branch, tag, or commit)", example: "jupyterhub/binder-examples" },
  { id: "gl", displayName: "GitLab.com", repoLabel: "GitLab.com repository or URL", refLabel: "Git ref (branch, tag, or commit)", example: "https://gitlab.com/group/project" },
  { id: "gist", displayName: "Gist", repoLabel: "Gist ID (username/gistId) or URL", refLabel: "Git commit SHA", example: "https://gist.github.com/user/0123456789abcdef" },
  { id: "git", displayName: "Git repository", repoLabel: "Arbitrary git repository URL (https://example.com/repo.git)", refLabel: "Git ref (branch, tag, or commit)", example: "https://example.org/group/repo.git" },
];

const PROVIDER_NAMES: Record<Provider, string> = { gh: "GitHub", gl: "GitLab", gist: "Gist", git: "Git" };
export const providerName = (p: Provider) => PROVIDER_NAMES[p];

const REF_HINT = "Enter a branch, a tag or a commit, for example main, v1.0 or HEAD.";

const invalid = invalidRepository;

const isProvider = (p: string): p is Provider => (PROVIDERS as readonly string[]).includes(p);

// --- refs -------------------------------------------------------------------------------------

/**
 * The ref as Git would accept it (git check-ref-format, plus HEAD and commit hashes), trimmed,
 * "HEAD" when empty. A leading "-" is refused outright: a ref must never look like an option.
 */
export function checkRef(raw: string | undefined): string {
  const ref = (raw ?? "").trim();
  if (ref === "") return "HEAD";
  const bad = (why: string) => invalid(`“${ref.length > 80 ? `${ref.slice(0, 80)}…` : ref}” is not a Git ref: ${why}. ${REF_HINT}`, "invalid_ref");
  if (ref.length > 255) throw bad("it is longer than 255 characters");
  if (ref.startsWith("-")) throw bad("it starts with “-”");
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) throw bad("it contains a space or one of ~ ^ : ? * [ \\");
  if (ref.includes("..")) throw bad("it contains “..”");
  if (ref.includes("@{") || ref === "@") throw bad("it contains “@{”");
  if (ref.startsWith("/") || ref.endsWith("/") || ref.includes("//")) throw bad("it has an empty part between slashes");
  if (ref.endsWith(".")) throw bad("it ends with “.”");
  for (const part of ref.split("/")) {
    if (part.startsWith(".")) throw bad("a part of it starts with “.”");
    if (part.endsWith(".lock")) throw bad("a part of it ends with “.lock”");
  }
  return ref;
}

// Escaped the way a browser leaves a path segment readable: letters, digits and -._~ stay.
function escapeRef(ref: string): string {
  return ref.split("/").map(encodeURIComponent).join("/");
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(`The ${what} in this launch link is not validly escaped (a “%” not followed by two hex digits). Copy the link again from its source.`, "invalid_spec");
  }
}

// --- names ------------------------------------------------------------------------------------

const OWNER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const REPO = /^[A-Za-z0-9_.-]{1,100}$/;
const GIST_ID = /^[A-Za-z0-9]{1,64}$/;
const GL_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

const stripGit = (s: string) => s.replace(/\.git$/i, "");

function checkGithubName(owner: string, repo: string, provider: "gh" | "gist" = "gh"): void {
  if (!OWNER.test(owner)) {
    throw invalid(`“${owner}” is not a ${providerName(provider)} user or organisation name (letters, digits and hyphens, not starting with a hyphen). ${REPO_HINT}`);
  }
  if (provider === "gist") {
    if (!GIST_ID.test(repo)) throw invalid(`“${repo}” is not a gist id (letters and digits, as in https://gist.github.com/user/0123abcd).`);
    return;
  }
  if (!REPO.test(repo) || repo === "." || repo === "..") {
    throw invalid(`“${repo}” is not a repository name (letters, digits, “-”, “_” and “.”). ${REPO_HINT}`);
  }
}

function checkNamespace(ns: string): void {
  const parts = ns.split("/");
  if (parts.length < 2 || parts.length > 20 || !parts.every((p) => GL_PART.test(p) && p !== "." && p !== "..")) {
    throw invalid(`“${ns}” is not a GitLab project path; it should look like group/project or group/subgroup/project. ${REPO_HINT}`);
  }
}

// --- building and parsing specs ----------------------------------------------------------------

function make(provider: Provider, repo: string, ref: string, urls: ProviderUrls): RepoSource {
  switch (provider) {
    case "gh": {
      const [owner, name] = repo.split("/");
      return { provider, repo, ref, spec: `${owner}/${name}/${escapeRef(ref)}`, repoUrl: `${urls.gh}/${owner}/${name}` };
    }
    case "gl":
      return { provider, repo, ref, spec: `${encodeURIComponent(repo)}/${escapeRef(ref)}`, repoUrl: `${urls.gl}/${repo}.git` };
    case "gist": {
      const [user, id] = repo.split("/");
      return { provider, repo, ref, spec: `${user}/${id}/${escapeRef(ref)}`, repoUrl: `${urls.gist}/${user}/${id}.git` };
    }
    case "git":
      return { provider, repo: stripGit(repo), ref, spec: `${encodeURIComponent(repo)}/${escapeRef(ref)}`, repoUrl: repo };
  }
}

/** The source for a repository already split into its provider's parts; validates everything. */
export function sourceFor(provider: Provider, repo: string, ref?: string, urls: ProviderUrls = config().launch.providers): RepoSource {
  const r = checkRef(ref);
  switch (provider) {
    case "gh":
    case "gist": {
      const parts = repo.split("/");
      if (parts.length !== 2) throw invalid(`“${repo}” should be ${provider === "gh" ? "owner/repo" : "user/gist-id"}. ${REPO_HINT}`);
      const name = stripGit(parts[1]);
      checkGithubName(parts[0], name, provider);
      return make(provider, `${parts[0]}/${name}`, r, urls);
    }
    case "gl": {
      const ns = stripGit(repo.replace(/^\/+|\/+$/g, ""));
      checkNamespace(ns);
      return make("gl", ns, r, urls);
    }
    case "git":
      return make("git", checkGitUrl(repo), r, urls);
  }
}

/**
 * Parses the spec part of /v2/<provider>/<spec> or /build/<provider>/<spec>, given raw (still
 * URL-escaped, as in the request path: the gl and git forms depend on %2F surviving). A missing
 * ref means HEAD.
 */
export function parseSpec(provider: string, spec: string, urls: ProviderUrls = config().launch.providers): RepoSource {
  if (!isProvider(provider)) {
    throw invalid(`“${provider}” is not a repository provider Berth knows; use one of ${PROVIDERS.join(", ")}.`, "unknown_provider");
  }
  const s = spec.replace(/^\/+/, "");
  if (provider === "gh" || provider === "gist") {
    const [owner = "", name = "", ...rest] = s.split("/");
    if (!owner || !name) throw invalid(`A ${providerName(provider)} launch link names ${provider === "gh" ? "owner/repo" : "user/gist-id"}/ref; this one has “${s}”.`, "invalid_spec");
    return sourceFor(provider, `${decode(owner, "owner")}/${decode(name, "repository name")}`, decode(rest.join("/"), "ref"), urls);
  }
  const slash = s.indexOf("/");
  const head = slash < 0 ? s : s.slice(0, slash);
  const ref = slash < 0 ? "" : decode(s.slice(slash + 1), "ref");
  const repo = decode(head, provider === "gl" ? "project path" : "address");
  if (provider === "git" && /^https?:$/i.test(repo)) {
    throw invalid("In a git launch link the repository address must be URL-escaped (https%3A%2F%2Fexample.org%2Frepo.git/main), so its slashes are not read as the ref.", "invalid_spec");
  }
  return sourceFor(provider, repo, ref, urls);
}

/** The spec string for a repository and ref, exactly as BinderHub's form would build it. */
export function buildSpec(provider: Provider, repo: string, ref?: string, urls: ProviderUrls = config().launch.providers): string {
  return sourceFor(provider, repo, ref, urls).spec;
}

// --- the launch form ----------------------------------------------------------------------------

export interface LaunchInput {
  /** owner/repo, or any repository URL (GitHub, GitLab, gist or another Git host). */
  repository: string;
  ref?: string;
  /** Forces a provider; otherwise detected from the address. */
  provider?: Provider;
}

/** Path below `base` (a provider's configured address), or undefined when the URL is elsewhere. */
function below(url: string, base: string): string | undefined {
  const b = new URL(base);
  const u = new URL(url);
  // http://github.com/… is taken for the https address the provider is configured with.
  const same = u.host === b.host && (u.protocol === b.protocol || (u.protocol === "http:" && b.protocol === "https:"));
  const bpath = b.pathname.replace(/\/+$/, "");
  if (!same || !(u.pathname === bpath || u.pathname.startsWith(`${bpath}/`))) return undefined;
  return u.pathname.slice(bpath.length).replace(/^\/+|\/+$/g, "");
}

const HOSTLIKE = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?$/;

function fromProviderPath(provider: "gh" | "gl" | "gist", path: string, typedRef: string | undefined, urls: ProviderUrls): RepoSource {
  const pageInside = (own: string) =>
    invalid(`Enter the repository's own address (${own}), not a page inside it, and choose the branch or tag in the ref field.`);
  if (provider === "gist") {
    const [user, id, ...rest] = path.split("/");
    if (!user || !id) throw invalid(`Enter the gist's full address, with the user name: ${urls.gist}/<user>/<gist-id>.`);
    return sourceFor("gist", `${user}/${id}`, typedRef ?? (rest.length ? rest.join("/") : undefined), urls);
  }
  if (provider === "gh") {
    const [owner, name, kind, ...rest] = path.split("/");
    if (!owner || !name) throw invalid(`Enter the repository's address with owner and name, for example ${urls.gh}/jupyterhub/binder-examples.`);
    if (kind !== undefined && !((kind === "tree" || kind === "commit") && rest.length)) throw pageInside(`${urls.gh}/${owner}/${name}`);
    return sourceFor("gh", `${owner}/${name}`, typedRef ?? (rest.length ? rest.join("/") : undefined), urls);
  }
  const [ns, inside] = path.split(/\/-\//, 2);
  let ref: string | undefined;
  if (inside !== undefined) {
    const m = inside.match(/^(?:tree|commit)\/(.+)$/);
    if (!m) throw pageInside(`${urls.gl}/${ns}`);
    ref = m[1];
  }
  return sourceFor("gl", ns, typedRef ?? ref, urls);
}

/**
 * Reads the launch form: owner/repo, a GitHub, GitLab or gist address (with /tree/<ref> where
 * the host uses it; the scheme may be left out), or any other https Git address. A ref typed in
 * the form wins over one in the address; none at all means HEAD.
 */
export function parseLaunchInput(input: LaunchInput, urls: ProviderUrls = config().launch.providers): RepoSource {
  let repository = input.repository.trim();
  const typedRef = input.ref?.trim() ? input.ref : undefined;
  const forced = input.provider;
  if (repository === "") throw invalid(`Enter a repository. ${REPO_HINT}`, "missing_repository");
  if (/[\x00-\x20\x7f]/.test(repository)) throw invalid(`A repository cannot contain spaces or control characters. ${REPO_HINT}`);
  if (repository.startsWith("-")) throw invalid(`A repository cannot start with “-”. ${REPO_HINT}`);
  if (/^(\/|\.{1,2}\/|~)/.test(repository)) throw invalid(`Berth launches repositories from Git hosts, not folders on its own machine. ${REPO_HINT}`);

  const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(repository);
  const scpLike = /^[^/]*@[^/]+:/.test(repository);
  if (!hasScheme && !scpLike) {
    const parts = repository.replace(/^\/+|\/+$/g, "").split("/");
    const first = parts[0].toLowerCase();
    const knownHost = Object.values(urls).some((b) => new URL(b).host === first);
    // GitHub names have no dots, so "example.org/…" is a host; a GitLab group may, so for a
    // forced gl only the configured host counts.
    if (parts.length >= 2 && (knownHost || (forced !== "gl" && HOSTLIKE.test(first)))) {
      repository = `https://${repository}`;
    } else if (forced === "git") {
      throw invalid(`Enter the repository's full address, starting with https://. ${REPO_HINT}`);
    } else if (forced) {
      return sourceFor(forced, parts.join("/"), typedRef, urls);
    } else if (parts.length === 2) {
      return sourceFor("gh", parts.join("/"), typedRef, urls);
    } else {
      throw invalid(`“${repository}” is neither owner/repo nor an address. ${REPO_HINT}`);
    }
  }

  const url = checkGitUrl(repository);
  if (forced === "git") return sourceFor("git", url, typedRef, urls);
  // The most specific configured address first: providers may share a host under different paths.
  const bases = (["gist", "gl", "gh"] as const).map((p) => ({ p, base: urls[p] })).sort((a, b) => b.base.length - a.base.length);
  for (const { p, base } of bases) {
    const path = below(url, base);
    if (path === undefined) continue;
    if (forced && forced !== p) break;
    return fromProviderPath(p, path, typedRef, urls);
  }
  if (forced) throw invalid(`That address is not on ${providerName(forced)} (${urls[forced]}). Choose “Git repository” for other hosts.`);
  return sourceFor("git", url, typedRef, urls);
}

// --- links --------------------------------------------------------------------------------------

export interface OpenPath {
  /** Opens lab/tree/<labpath> (wins over the others). */
  labpath?: string;
  /** Opens tree/<filepath> in the classic interface. */
  filepath?: string;
  /** Used as given, relative to the server. */
  urlpath?: string;
}

/** /v2/<provider>/<spec>?labpath=… — the shareable, BinderHub-compatible launch path. */
export function launchPath(source: RepoSource, open: OpenPath = {}): string {
  const base = `/v2/${source.provider}/${source.spec}`;
  const q = new URLSearchParams();
  const labpath = open.labpath?.replace(/^\/+/, "");
  const filepath = open.filepath?.replace(/^\/+/, "");
  if (labpath) q.set("labpath", labpath);
  else if (filepath) q.set("filepath", filepath);
  else if (open.urlpath?.trim()) q.set("urlpath", open.urlpath.trim());
  const qs = q.toString();
  return qs ? `${base}?${qs}` : base;
}

export function launchUrl(source: RepoSource, open: OpenPath = {}, publicUrl: string = config().publicUrl): string {
  return `${publicUrl.replace(/\/+$/, "")}${launchPath(source, open)}`;
}

export interface BadgeSnippets {
  /** The badge image's address (/badge.svg). */
  image: string;
  /** The launch URL the badge links to. */
  target: string;
  markdown: string;
  rst: string;
  html: string;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The badge (/badge.svg linking to the launch URL) as a README snippet in each markup BinderHub offers. */
export function badgeSnippets(source: RepoSource, open: OpenPath = {}, publicUrl: string = config().publicUrl): BadgeSnippets {
  const base = publicUrl.replace(/\/+$/, "");
  const image = `${base}/badge.svg`;
  const target = launchUrl(source, open, base);
  // Parentheses would end a Markdown link early; a space or a backquote would end an rST target.
  const md = target.replace(/\(/g, "%28").replace(/\)/g, "%29");
  const rst = target.replace(/ /g, "%20").replace(/`/g, "%60").replace(/</g, "%3C").replace(/>/g, "%3E");
  return {
    image,
    target,
    markdown: `[![Launch in Berth](${image})](${md})`,
    rst: `.. image:: ${image}\n   :alt: Launch in Berth\n   :target: ${rst}`,
    html: `<a href="${escapeHtml(target)}"><img src="${escapeHtml(image)}" alt="Launch in Berth"></a>`,
  };
}

/** Markdown for a README: the badge image (/badge.svg) linking to the launch URL. */
export function badgeMarkdown(source: RepoSource, open: OpenPath = {}, publicUrl: string = config().publicUrl): string {
  return badgeSnippets(source, open, publicUrl).markdown;
}

/** Where a person can browse the repository at a commit (BinderHub's binder_ref_url). */
export function refUrl(source: RepoSource, commit: string, urls: ProviderUrls = config().launch.providers): string {
  switch (source.provider) {
    case "gh":
      return `${source.repoUrl}/tree/${commit}`;
    case "gl":
      return `${urls.gl}/${source.repo}/-/tree/${commit}`;
    case "gist":
      return `${urls.gist}/${source.repo}/${commit}`;
    case "git":
      return source.repoUrl;
  }
}
