import { AppError } from "../errors";

// The shape a repository's clone address must have before anything fetches from it: the launch
// form checks what a person typed, and the local build checks again right before git runs (a URL
// reaches its command line). Where it connects is url-safety.ts's concern.

export const REPO_HINT =
  "Enter a repository as owner/repo (GitHub) or as its https:// address, for example jupyterhub/binder-examples, https://gitlab.com/group/project or https://example.org/repo.git.";

export const invalidRepository = (message: string, reason = "invalid_repository") => new AppError("invalid_input", message, { reason });
const invalid = invalidRepository;

/**
 * A clone URL a person typed, held to: http(s) only, no user name or password (a public repository
 * needs none, and the launch link would publish them), no query or fragment, a path. Returns the
 * canonical spelling: lower-case host, default port dropped, no trailing slash.
 */
export function checkGitUrl(raw: string): string {
  const s = raw.trim();
  if (/[\x00-\x20\x7f]/.test(s)) throw invalid(`A repository address cannot contain spaces or control characters. ${REPO_HINT}`);
  if (s.startsWith("-")) throw invalid(`A repository address cannot start with “-”. ${REPO_HINT}`);
  const scp = s.match(/^(?:[A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,}):(?!\/\/)\/?(.+)$/);
  if (scp) {
    throw invalid(`Berth fetches repositories over https, not SSH. Enter https://${scp[1]}/${scp[2].replace(/^\//, "")} instead.`, "unsafe_url");
  }
  const scheme = s.match(/^([A-Za-z][A-Za-z0-9+.-]*):/)?.[1]?.toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    throw invalid(`Berth fetches repositories over https:// (or http://) only${scheme ? `, not ${scheme}:` : ""}. ${REPO_HINT}`, "unsafe_url");
  }
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw invalid(`“${s}” is not a valid address. ${REPO_HINT}`);
  }
  if (!/^https?:\/\/[^/]/i.test(s) || !url.hostname) throw invalid(`“${s}” has no host name. ${REPO_HINT}`);
  if (url.username || url.password) {
    throw invalid("Remove the user name and password from the address: Berth launches public repositories only, which need none, and the launch link would show them to everyone it is shared with.", "credentials_in_url");
  }
  if (url.search || url.hash || s.includes("?") || s.includes("#")) {
    throw invalid(`Remove the “?…” or “#…” part from the address; enter the repository's clone address, for example https://${url.host}/group/repo.git.`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (path === "") throw invalid(`Enter the repository's full address, for example https://${url.host}/group/repo.git, not just the host.`);
  return `${url.protocol}//${url.host}${path}`;
}
