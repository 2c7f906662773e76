import { config, type Config } from "../config";
import { AppError } from "../errors";
import { providerName, type Provider, type ProviderUrls, type RepoSource } from "./repo-spec";

// Operators' allow and deny lists: regular expressions per provider (BERTH_LAUNCH_ALLOW,
// BERTH_LAUNCH_DENY), tested case-insensitively against the repository without its ref —
// owner/repo for gh, group/sub/project for gl, user/gist-id for gist, the clone URL without a
// final .git for git. Deny wins. A provider missing from the allow list is not limited by it;
// one listed with [] is switched off.
//
// The same repository can be named two ways: gh "evil/x" and git "https://github.com/evil/x". A
// deny rule is applied to every name the repository has, so switching provider does not escape
// it; an allow list is applied to the name given and, for a git address on GitHub, GitLab or
// gist, also to that provider's name, so an allow list for gh cannot be bypassed through git.

type Rules = Pick<Config["launch"], "allow" | "deny" | "providers">;

interface Name {
  provider: Provider;
  repo: string;
}

const stripGit = (s: string) => s.replace(/\.git$/i, "");

/** The provider name a git address has when it is on a configured provider's host. */
function providerNameOf(url: string, urls: ProviderUrls): Name | undefined {
  const u = new URL(url);
  const bases = (["gist", "gl", "gh"] as const).map((p) => ({ p, b: new URL(urls[p]) })).sort((a, b) => b.b.pathname.length - a.b.pathname.length);
  for (const { p, b } of bases) {
    const bpath = b.pathname.replace(/\/+$/, "");
    if (u.host !== b.host || !u.pathname.startsWith(`${bpath}/`)) continue;
    const parts = stripGit(u.pathname.slice(bpath.length + 1).replace(/\/+$/, "")).split("/");
    if (p === "gl" ? parts.length >= 2 : parts.length === 2) return { provider: p, repo: parts.join("/") };
    return undefined;
  }
  return undefined;
}

function names(source: RepoSource, urls: ProviderUrls): { given: Name; canonical: Name; all: Name[] } {
  const given = { provider: source.provider, repo: source.repo };
  if (source.provider === "git") {
    const other = providerNameOf(source.repoUrl, urls);
    return { given, canonical: other ?? given, all: other ? [given, other] : [given] };
  }
  const asGit = { provider: "git" as const, repo: stripGit(source.repoUrl) };
  return { given, canonical: given, all: [given, asGit] };
}

// RegExp#source writes "/" as "\/"; operators wrote it plain.
const shown = (r: RegExp) => r.source.replace(/\\\//g, "/");
const describe = (patterns: RegExp[]) => patterns.map(shown).join(" or ");

/** Throws AppError 403 when the operator's lists do not allow launching `source`. */
export function checkAllowed(source: RepoSource, rules: Rules = config().launch): void {
  const n = names(source, rules.providers);
  for (const name of n.all) {
    const hit = rules.deny[name.provider]?.find((r) => r.test(name.repo));
    if (hit) {
      throw new AppError("forbidden", `This Berth does not launch ${name.repo}: an administrator has excluded ${providerName(name.provider)} repositories matching ${shown(hit)}.`, { reason: "denied" });
    }
  }
  const toCheck = n.canonical === n.given ? [n.given] : [n.given, n.canonical];
  for (const name of toCheck) {
    const allow = rules.allow[name.provider];
    if (!allow) continue;
    if (allow.length === 0) {
      throw new AppError("forbidden", `This Berth does not launch ${providerName(name.provider)} repositories. Choose a repository from a provider it allows.`, { reason: "not_allowed" });
    }
    if (!allow.some((r) => r.test(name.repo))) {
      throw new AppError("forbidden", `This Berth only launches ${providerName(name.provider)} repositories matching ${describe(allow)}; ${name.repo} does not match. Choose one of those repositories.`, { reason: "not_allowed" });
    }
  }
}
