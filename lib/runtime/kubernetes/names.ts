import { createHash } from "node:crypto";

// Object names for a person's server: `jupyter-<user>--<server>` and `claim-<user>--<server>`
// (default server: `jupyter-<user>`), valid DNS-1123 labels of at most 63 characters.
//
// The readable form is used only when both parts are already lowercase letters and digits with
// single inner hyphens: then the name holds exactly one "--" (none for a default server) and
// never "---", so the pair can be read back. Anything else — other characters, "--" inside a
// part, or too long — becomes `<prefix>-<stem>---<hash>`: the "---" can never occur in a readable
// name, and the hash is over the raw pair, so two different servers never share a name.

const CANONICAL = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX = 63;

function hash(parts: string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 10);
}

export function objectName(prefix: "jupyter" | "claim", user: string, server: string): string {
  const readable = server === "" ? `${prefix}-${user}` : `${prefix}-${user}--${server}`;
  if (CANONICAL.test(user) && (server === "" || CANONICAL.test(server)) && readable.length <= MAX) return readable;
  const h = hash([user, server]);
  const stem = `${user}${server ? `-${server}` : ""}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const room = MAX - prefix.length - 1 - 3 - h.length;
  const cut = stem.slice(0, room).replace(/-+$/, "");
  return cut ? `${prefix}-${cut}---${h}` : `${prefix}---${h}`;
}

/** A label value (≤ 63, alphanumeric at both ends, [-_.] inside) standing for `raw`. */
export function labelValue(raw: string): string {
  if (raw === "") return "";
  if (/^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/i.test(raw)) return raw;
  const h = hash([raw]);
  const stem = raw.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, MAX - h.length - 3).replace(/-+$/, "");
  return stem ? `${stem}---${h}` : h;
}

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
