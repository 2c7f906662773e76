// Whether a requirements file asks pip for anything. pip reads a file as logical lines (a line
// ending in a backslash continues on the next) and drops comments (`#` at the start or after white
// space; a `#` inside a word, such as a URL fragment, is not one). A file with nothing left —
// empty, blank lines, comments only — installs nothing, and running pip for it costs seconds.
// Anything else, options included (`-r other.txt`, `-e .`, `--index-url …`), is pip's to read.

const COMMENT = /(^|\s+)#.*$/;

/** The logical lines pip would act on, comments and blank lines removed (pip's join_lines, then ignore_comments). */
export function requirementLines(text: string): string[] {
  const logical: string[] = [];
  let pending: string[] = [];
  for (let line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const comment = /^\s*#/.test(line);
    if (line.endsWith("\\") && !comment) {
      pending.push(line.replace(/^\\+|\\+$/g, ""));
      continue;
    }
    // A comment inside a continued line ends it, and is dropped with the comment rule below.
    if (comment) line = ` ${line}`;
    logical.push([...pending, line].join(""));
    pending = [];
  }
  if (pending.length) logical.push(pending.join(""));
  return logical.map((l) => l.replace(COMMENT, "").trim()).filter(Boolean);
}

/** True when pip has something to do with this file. */
export const asksForPackages = (text: string) => requirementLines(text).length > 0;
