import { config, type Config } from "../config";
import { REPO_PROVIDERS, type Provider } from "../launch/repo-spec";

// /api/repoproviders in the shape BinderHub serves (a list of each provider's display config, as
// its React front end and @jupyterhub/binderhub-client read it): id, displayName, detect.regex
// (a JavaScript regular expression whose `repo` group is the spec's repository part),
// spec.validateRegex, repo.{label, placeholder, urlEncode}, ref.{enabled, default}. Berth adds
// ref.label. Addresses follow the configured provider URLs (a GitHub Enterprise, a private
// GitLab), and a provider an operator switched off (BERTH_LAUNCH_ALLOW {"gl": []}) is left out.

export interface RepoProviderInfo {
  id: Provider;
  displayName: string;
  detect: { regex: string };
  spec: { validateRegex: string };
  repo: { label: string; placeholder: string; urlEncode: boolean };
  ref: { enabled: true; default: "HEAD"; label: string };
}

const DEFAULT_HOSTS: Record<Exclude<Provider, "git">, string> = { gh: "github.com", gl: "gitlab.com", gist: "gist.github.com" };
const BRAND: Record<Exclude<Provider, "git">, string> = { gh: "GitHub", gl: "GitLab", gist: "Gist" };

// Escaped for a RegExp built from a string, valid with and without the u flag (so no "\-").
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** host[:port]/path of a configured provider address, without scheme or trailing slash. */
const hostPath = (base: string) => base.replace(/^https?:\/\//i, "").replace(/\/+$/, "");

const NAME = "[A-Za-z0-9][A-Za-z0-9_.-]*";
const GL_PART = "[A-Za-z0-9_][A-Za-z0-9_.-]*";

function detectRegex(id: Provider, urls: Config["launch"]["providers"]): string {
  if (id === "git") return "^(?<repo>https?://[^\\s?#]+?)/?$";
  // The address is optional: owner/repo alone is detected too, as the launch form accepts it.
  const prefix = `^(?:(?:https?://)?${esc(hostPath(urls[id]))}/)?`;
  switch (id) {
    case "gh":
      return `${prefix}(?<repo>${NAME}/[A-Za-z0-9_.-]+?)(?:\\.git)?(?:/(?:tree|commit)/.*)?/?$`;
    case "gl":
      return `${prefix}(?<repo>${GL_PART}(?:/${GL_PART})*/[A-Za-z0-9_][A-Za-z0-9_.-]*?)(?:\\.git)?(?:/-/.*)?/?$`;
    case "gist":
      return `${prefix}(?<repo>${NAME}/[A-Za-z0-9]+)(?:\\.git)?/?$`;
  }
}

function displayName(id: Provider, urls: Config["launch"]["providers"], fallback: string): string {
  if (id === "git") return fallback;
  const host = hostPath(urls[id]);
  return host === DEFAULT_HOSTS[id] ? fallback : `${BRAND[id]} (${host})`;
}

function placeholder(id: Provider, urls: Config["launch"]["providers"]): string {
  switch (id) {
    case "gh":
      return `example: jupyterhub/binder-examples or ${urls.gh}/jupyterhub/binder-examples`;
    case "gl":
      return `example: ${urls.gl}/group/project`;
    case "gist":
      return `example: ${urls.gist}/user/0123456789abcdef`;
    case "git":
      return "example: https://example.org/group/repo.git";
  }
}

/** The providers people may launch from, in BinderHub's /api/repoproviders shape. */
export function listRepoProviders(c: Pick<Config, "launch"> = config()): RepoProviderInfo[] {
  const urls = c.launch.providers;
  return REPO_PROVIDERS.filter((p) => c.launch.allow[p.id]?.length !== 0).map((p) => {
    const name = displayName(p.id, urls, p.displayName);
    return {
      id: p.id,
      displayName: name,
      detect: { regex: detectRegex(p.id, urls) },
      spec: { validateRegex: p.id === "gh" || p.id === "gist" ? "[^/]+/[^/]+/.+" : "[^/]+/.+" },
      repo: { label: p.id === "gl" ? p.repoLabel.replace("GitLab.com", name) : p.repoLabel, placeholder: placeholder(p.id, urls), urlEncode: p.id === "gl" || p.id === "git" },
      ref: { enabled: true, default: "HEAD", label: p.refLabel },
    };
  });
}
