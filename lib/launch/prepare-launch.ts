import { config, type Config } from "../config";
import { checkAllowed } from "./allow-deny";
import { imageName } from "../registry/image-name";
import { imageExists } from "../registry/registry";
import { parseLaunchInput, parseSpec, sourceFor, type RepoSource } from "./repo-spec";
import { resolveRef } from "./resolve-ref";

// Everything a launch knows before it builds or starts anything, in the order that refuses
// cheapest first: the spec's shape, the operator's lists (no network), the commit (the Git
// server), then whether that commit's image is in the registry. A repository that redirects is
// judged by the operator's lists again where it landed, so a redirect (or GitHub's www. host, or
// a URL shortener) does not lead round a deny rule.

export interface PreparedLaunch {
  source: RepoSource;
  commit: string;
  /** The full ref the requested one matched (refs/heads/main), or the commit. */
  resolvedRef: string;
  /** Where to fetch the commit from: the repository's address after redirects. */
  fetchUrl: string;
  imageName: string;
  /** Whether the image is already in the registry; undefined when no registry is configured. */
  built: boolean | undefined;
}

export async function prepareLaunch(provider: string, spec: string, settings: Pick<Config, "launch" | "registry"> = config()): Promise<PreparedLaunch> {
  const source = parseSpec(provider, spec, settings.launch.providers);
  checkAllowed(source, settings.launch);
  const { commit, ref, repoUrl } = await resolveRef(source, settings.launch);
  if (repoUrl !== source.repoUrl) checkAllowed(landedAt(repoUrl, source, settings.launch.providers), settings.launch);
  const name = imageName(source, commit, settings.registry);
  const built = settings.registry.url ? await imageExists(name, settings.registry) : undefined;
  return { source, commit, resolvedRef: ref, fetchUrl: repoUrl, imageName: name, built };
}

// The repository a redirect landed on, named by the provider whose host it is on where possible.
function landedAt(repoUrl: string, source: RepoSource, providers: Config["launch"]["providers"]): RepoSource {
  try {
    return parseLaunchInput({ repository: repoUrl, ref: source.ref }, providers);
  } catch {
    return sourceFor("git", repoUrl, source.ref, providers);
  }
}
