import { createHash } from "node:crypto";
import { config, type Config } from "../config";
import type { RepoSource } from "../launch/repo-spec";

// One image per commit, named so that the same commit always gives the same name on every
// replica and in every release: <registry host>/<prefix><slug>:<commit>. The slug is the
// repository escaped as BinderHub escapes it (escapism: letters and digits stay, every other byte
// becomes -XX in hex), lower-cased; a name that would not fit, or would not start with a letter
// or digit, is cut and given a hash of the unescaped repository, so distinct repositories keep
// distinct names.

// The OCI distribution spec's repository name and tag grammars.
export const REPOSITORY_NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
export const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
// Clients limit <host>/<name> to 255 characters (OCI distribution spec, "Pulling manifests").
const MAX_REFERENCE_NAME = 255;
const HASH_LENGTH = 8;

/** escapism.escape(s, safe=letters+digits, escape_char="-"), lower-cased. */
export function escapeSlug(raw: string): string {
  let out = "";
  for (const ch of raw) {
    if (/^[A-Za-z0-9]$/.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += `-${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out.toLowerCase();
}

/** The slug for `raw` in at most `limit` characters. */
export function safeSlug(raw: string, limit: number): string {
  const escaped = escapeSlug(raw);
  if (escaped.length <= limit && /^[a-z0-9]/.test(escaped)) return escaped;
  const hash = createHash("sha256").update(raw, "utf8").digest("hex").slice(0, HASH_LENGTH);
  const head = escaped.slice(0, Math.max(0, limit - HASH_LENGTH - 1)).replace(/-+$/, "");
  // Always starts with a letter or digit: a component may not start with a separator.
  return /^[a-z0-9]/.test(head) ? `${head}-${hash}` : `${hash}${head ? `-${head.replace(/^-+/, "")}` : ""}`.slice(0, limit);
}

/** The host that goes in front of image names for this registry (docker.io for Docker Hub). */
export function registryImageHost(registryUrl: string | undefined): string | undefined {
  if (!registryUrl) return undefined;
  const host = new URL(registryUrl).host;
  return host === "registry-1.docker.io" || host === "index.docker.io" ? "docker.io" : host;
}

export function imageName(source: RepoSource, commit: string, settings: Config["registry"] = config().registry): string {
  const tag = commit.toLowerCase();
  if (!TAG.test(tag)) throw new Error(`image tag must be a commit id, got ${JSON.stringify(commit)}`);
  const host = registryImageHost(settings.url);
  const used = (host ? host.length + 1 : 0) + settings.imagePrefix.length;
  const slug = safeSlug(source.repo, MAX_REFERENCE_NAME - used);
  const repository = `${settings.imagePrefix}${slug}`;
  if (!REPOSITORY_NAME.test(repository)) throw new Error(`image repository name ${repository} is not valid; check BERTH_IMAGE_PREFIX`);
  return `${host ? `${host}/` : ""}${repository}:${tag}`;
}
