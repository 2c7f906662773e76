import { checkServerName } from "../policy/server-name";

// A server name for a launch, derived from the repository so a person recognises it on the
// dashboard ("binder-examples" for jupyterhub/binder-examples). Pure: the launch form calls it in
// the browser as well as the launch flow on the server.

const FALLBACK = "repo";

/** The repository's last path component, without a trailing ".git" or slashes. */
function lastComponent(repo: string): string {
  let s = repo.trim().replace(/[?#].*$/, "");
  try {
    s = decodeURIComponent(s);
  } catch {
    // Not escaped after all: keep it as typed.
  }
  const parts = s.split(/[/:\\]+/).filter(Boolean);
  return (parts.at(-1) ?? "").replace(/\.git$/i, "");
}

/** Cut to `max` characters without leaving a hyphen at the end. */
function cut(s: string, max: number): string {
  return s.slice(0, Math.max(0, max)).replace(/-+$/, "");
}

function base(repo: string, maxLength: number): string {
  let s = lastComponent(repo)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (s === "") s = FALLBACK;
  if (!/^[a-z]/.test(s)) s = `r-${s}`;
  s = cut(s, maxLength);
  return s === "" || !/^[a-z]/.test(s) ? "r" : s;
}

// a, b, …, z, aa, ab, …: every name here is valid, so one is free unless all of them are taken.
function* letters(maxLength: number): Generator<string> {
  const abc = "abcdefghijklmnopqrstuvwxyz";
  for (let len = 1; len <= Math.min(maxLength, 3); len++) {
    const idx = new Array<number>(len).fill(0);
    for (;;) {
      yield idx.map((i) => abc[i]).join("");
      let k = len - 1;
      while (k >= 0 && idx[k] === abc.length - 1) idx[k--] = 0;
      if (k < 0) break;
      idx[k]++;
    }
  }
}

/**
 * A valid server name (per checkServerName with `maxLength`) from the repository's last path
 * component: lower-case, other characters turned into single hyphens, starting with a letter
 * ("r-" in front otherwise), cut to `maxLength`. A name in `taken` (or reserved by Jupyter) gets
 * a suffix -2, -3, … within the length. Only when every such name is taken (a tiny `maxLength`)
 * does the answer fall back to short letter names, and, if even those are all taken, to one
 * that is.
 */
export function suggestServerName(repo: string, maxLength = 20, taken: string[] = []): string {
  const max = Math.max(1, Math.floor(maxLength));
  const used = new Set(taken);
  const free = (name: string) => name !== "" && !used.has(name) && checkServerName(name, max).ok;
  const first = base(repo, max);
  if (free(first)) return first;
  for (let n = 2; n <= used.size + 25; n++) {
    const suffix = `-${n}`;
    const stem = cut(first, max - suffix.length);
    if (stem === "" || !/^[a-z]/.test(stem)) break;
    if (free(`${stem}${suffix}`)) return `${stem}${suffix}`;
  }
  let any: string | undefined;
  for (const name of letters(max)) {
    if (free(name)) return name;
    any ??= checkServerName(name, max).ok ? name : undefined;
  }
  return any ?? first;
}
