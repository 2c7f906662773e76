import { relativeSegments } from "../http/safe-redirect";
import type { OpenPath } from "./repo-spec";

// Where inside the server a launch opens (DESIGN.md §4): labpath opens lab/tree/<path>, filepath
// tree/<path>, urlpath is used as given; labpath wins. A server that runs the classic Notebook
// (the local runtime with Debian's Notebook 6.4) has no lab/: a notebook opens in notebooks/, any
// other file or folder in tree/. Paths are escaped segment by segment; "." and ".." segments, in
// any decoded form ("%2e%2e", "%252e%252e"), are dropped so a path cannot climb out of the
// server's URL space; a path with control characters or backslashes opens the server's root.
// The launch checks the result once more with safeRedirectPath (lib/http/safe-redirect.ts).

const segments = (p: string) => relativeSegments(p, false) ?? "";

export function openPath(open: OpenPath, ui: "lab" | "notebook"): string {
  const labpath = open.labpath?.trim();
  const filepath = open.filepath?.trim();
  if (labpath) {
    const p = segments(labpath);
    if (!p) return ui === "lab" ? "lab" : "tree";
    if (ui === "lab") return `lab/tree/${p}`;
    return p.toLowerCase().endsWith(".ipynb") ? `notebooks/${p}` : `tree/${p}`;
  }
  if (filepath) return `tree/${segments(filepath)}`;
  const urlpath = open.urlpath?.trim();
  if (urlpath) {
    // Relative to the server; a scheme or host would send the person elsewhere.
    const rel = urlpath.replace(/^\/+/, "");
    if (/^[a-z][a-z0-9+.-]*:/i.test(rel) || rel.startsWith("\\")) return "";
    const [pathPart, query] = rel.split(/\?(.*)/s, 2);
    const cleaned = relativeSegments(pathPart, true);
    if (cleaned === null) return "";
    return query ? `${cleaned}?${new URLSearchParams(query).toString()}` : cleaned;
  }
  return "";
}
