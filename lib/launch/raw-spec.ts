import { AppError } from "../errors";

/** `<prefix><provider>/<spec>` from a raw (still escaped) path. */
export function rawSpec(pathname: string, prefix: string): { provider: string; spec: string } {
  if (!pathname.startsWith(prefix)) throw new AppError("bad_request", `Expected a path starting with ${prefix}.`);
  const rest = pathname.slice(prefix.length);
  const slash = rest.indexOf("/");
  if (slash <= 0) throw new AppError("bad_request", `Expected ${prefix}<provider>/<repository>/<ref>.`);
  return { provider: rest.slice(0, slash), spec: rest.slice(slash + 1) };
}
