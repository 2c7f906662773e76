import { getUpstreamJson } from "./upstream-json";

// JupyterLab's addresses on a classic Notebook (6) server. BinderHub clients (and people's
// bookmarks) open `labpath=P` as `doc/tree/P` or `lab/tree/P`, which Notebook 6 answers with 404.
// The proxy sends those to Notebook's own address for the same thing: `notebooks/P` for a file
// (Notebook opens a notebook there and sends any other file on to `files/P`), `tree/P` for a
// folder. The server's contents API says which it is; when it cannot (no such path yet, or no
// answer), a last segment with an extension is taken for a file.

/** The part of `rest` after lab/tree/ or doc/tree/ ("" for lab, doc and the bare trees); null otherwise. */
function treeRest(rest: string): string | null {
  if (rest === "lab" || rest === "lab/" || rest === "doc" || rest === "doc/") return "";
  for (const p of ["lab/tree", "doc/tree"]) {
    if (rest === p) return "";
    if (rest.startsWith(`${p}/`)) return rest.slice(p.length + 1);
  }
  return null;
}

/**
 * The path inside the server that a JupyterLab address names, as decoded segments; null when
 * `rest` (the request path after the server's prefix) is not `lab`, `doc`, `lab/tree/…` or
 * `doc/tree/…`, or names something that cannot be a path (".." segments, bad escapes).
 */
export function labTreeSegments(rest: string): string[] | null {
  const tail = treeRest(rest);
  if (tail === null) return null;
  const segments: string[] = [];
  for (const raw of tail.split("/")) {
    if (raw === "") continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (seg === "." || seg === ".." || seg.includes("/") || seg.includes("\\") || /\p{Cc}/u.test(seg)) return null;
    segments.push(seg);
  }
  return segments;
}

/** Each segment escaped once, for a URL path (a file may be called "my notes #1?.ipynb"). */
export function encodeSegments(segments: string[]): string {
  return segments.map(encodeURIComponent).join("/");
}

/**
 * Where a classic Notebook shows `segments`: "notebooks/<p>" or "tree/<p>" (relative to the
 * server's prefix). `upstreamBase` is the server's Jupyter with its base URL ("http://127.0.0.1:p/user/a/").
 */
export async function classicPath(segments: string[], upstreamBase: string, token: string, timeoutMs = 3000): Promise<string> {
  const path = encodeSegments(segments);
  if (segments.length === 0) return "tree";
  const r = await getUpstreamJson(`${upstreamBase}api/contents/${path}?content=0`, token, timeoutMs);
  const type = r.ok ? (r.body as { type?: unknown } | null)?.type : undefined;
  const folder = type === "directory" || (type === undefined && !/\.[^./]+$/.test(segments[segments.length - 1]));
  return `${folder ? "tree" : "notebooks"}/${path}`;
}
