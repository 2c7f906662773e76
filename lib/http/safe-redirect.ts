// The one normaliser every redirect target goes through (DESIGN.md §8): after sign-in
// (callbackUrl), /spawn?next=, the launch pages and the path a launch opens inside a server.
// Pure: the sign-in form imports it too.
//
// Browsers are generous with what they accept as a path: they drop TAB/CR/LF anywhere in a URL
// (so "/\t/evil.example" becomes "//evil.example", another host), treat "\" as "/", and resolve
// "%2e%2e" as "..". Servers behind Berth may decode once more, so "%252e%252e" is a ".." one
// hop later. So a target is checked in every form it could take on the way: as given, and
// after each round of percent-decoding until nothing changes.

// Control characters (C0, DEL, C1), backslash, and every Unicode space but the plain one (a
// file may be called "my notes.ipynb"), separator and invisible formatting character (U+3000 made
// Node refuse the Location header: a 500).
const BAD_CHARS = /[\u0000-\u001f\u007f-\u009f\\\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/;

const MAX_LENGTH = 4096;
const MAX_DECODE_ROUNDS = 8;

/** The forms a string takes under repeated percent-decoding; null when it never settles. */
function decodings(s: string): string[] | null {
  const forms = [s];
  for (let i = 0; i < MAX_DECODE_ROUNDS; i++) {
    const last = forms[forms.length - 1];
    let next: string;
    try {
      next = decodeURIComponent(last);
    } catch {
      // A "%" that is not an escape: nothing further can be decoded from it.
      return forms;
    }
    if (next === last) return forms;
    forms.push(next);
  }
  return null;
}

const isDotSegment = (seg: string) => seg === "." || seg === "..";

/**
 * `raw` as a same-origin path ("/a/b?q#h"), or null when it is not one: an absolute or
 * protocol-relative URL, a control character, backslash or Unicode space in any decoded form,
 * a "." or ".." segment in any decoded form, or (with `within`) a path outside that prefix.
 */
export function checkRedirectPath(raw: unknown, opts: { within?: string } = {}): string | null {
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (typeof v !== "string" || v.length === 0 || v.length > MAX_LENGTH) return null;
  if (!v.startsWith("/") || v.startsWith("//")) return null;
  const cut = v.search(/[?#]/);
  const pathPart = cut < 0 ? v : v.slice(0, cut);
  const forms = decodings(pathPart);
  if (!forms) return null;
  for (const form of forms) {
    if (BAD_CHARS.test(form) || form.startsWith("//")) return null;
    if (form.split("/").some(isDotSegment)) return null;
  }
  // The query and fragment cannot change the origin, but a raw control character or space there
  // still breaks the Location header.
  if (cut >= 0 && BAD_CHARS.test(v.slice(cut))) return null;
  let url: URL;
  try {
    url = new URL(v, "http://berth.invalid");
  } catch {
    return null;
  }
  if (url.origin !== "http://berth.invalid") return null;
  // The URL parser escapes what a Location header cannot carry (non-ASCII, spaces).
  const out = url.pathname + url.search + url.hash;
  if (opts.within !== undefined) {
    const prefix = new URL(opts.within, "http://berth.invalid").pathname;
    const dir = prefix.endsWith("/") ? prefix : `${prefix}/`;
    const inside = url.pathname.startsWith(dir) || url.pathname === dir.slice(0, -1);
    if (!inside) return null;
  }
  return out;
}

/** `raw` as a same-origin path, or `fallback` when it is not a safe one (see checkRedirectPath). */
export function safeRedirectPath(raw: unknown, fallback: string, opts: { within?: string } = {}): string {
  return checkRedirectPath(raw, opts) ?? fallback;
}

/**
 * A path given by a person (a file in a repository, a path on the server) as URL path segments
 * relative to a server: each segment percent-escaped once, empty, "." and ".." segments (in any
 * decoded form) dropped, so the result cannot climb out of the server's URL space.
 * `escaped`: the input is already URL-escaped (urlpath) and is decoded once first.
 */
export function relativeSegments(p: string, escaped: boolean): string | null {
  const out: string[] = [];
  for (const seg of p.split("/")) {
    let plain = seg;
    if (escaped) {
      try {
        plain = decodeURIComponent(seg);
      } catch {
        plain = seg;
      }
    }
    const forms = decodings(plain);
    if (!forms) return null;
    if (forms.some((f) => BAD_CHARS.test(f))) return null;
    if (plain === "" || forms.some((f) => isDotSegment(f) || f.split("/").some(isDotSegment))) continue;
    out.push(encodeURIComponent(plain));
  }
  return out.join("/");
}
