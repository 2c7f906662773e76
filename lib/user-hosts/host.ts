import { createHash } from "node:crypto";
import { config } from "../config";

// With BERTH_USER_SERVERS_HOST each person's servers are served from their own host,
// <label>.<suffix>, so a notebook's pages never share an origin with Berth or with another
// person (JupyterHub's subdomain_host). The path stays /user/<name>/…, so Jupyter's base URL is
// the same in both modes.

export interface UserHostsSetting {
  suffix: string;
  port: string | undefined;
  scheme: "http" | "https";
}

const PLAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

function base32(bytes: Buffer, chars: number): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/**
 * The DNS label of a person's host. A name that already is a label without "--" is used as it
 * is; any other (dots, @, +, upper case, too long) becomes "h<hash>--<readable stem>". Escaped
 * labels always contain "--" and plain ones never do, so the two kinds cannot collide, and two
 * escaped names collide only if 80 bits of SHA-256 do. The hash comes first so that "--" never
 * lands at positions 3–4, where browsers would take the label for punycode ("xn--").
 */
export function hostLabel(user: string): string {
  if (PLAIN.test(user) && !user.includes("--")) return user;
  const stem = user
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  const hash = base32(createHash("sha256").update(user, "utf8").digest(), 16);
  return `h${hash}--${stem || "user"}`;
}

/** The Host header value of a person's host ("alice.notebooks.example.org", "alice.localhost:3000"). */
export function userHost(user: string, s: UserHostsSetting = setting()): string {
  return `${hostLabel(user)}.${s.suffix}${s.port ? `:${s.port}` : ""}`;
}

export function userOrigin(user: string, s: UserHostsSetting = setting()): string {
  return `${s.scheme}://${userHost(user, s)}`;
}

/**
 * The label when a Host header names a user host, else null. Only the exact form is accepted:
 * one label, the suffix, and the configured port (none when none is configured).
 */
export function matchUserHost(hostHeader: string | undefined, s: UserHostsSetting | undefined = config().userServersHost): string | null {
  if (!s || !hostHeader) return null;
  const host = hostHeader.toLowerCase();
  const tail = `.${s.suffix}${s.port ? `:${s.port}` : ""}`;
  if (!host.endsWith(tail)) return null;
  const label = host.slice(0, -tail.length);
  return PLAIN.test(label) ? label : null;
}

export function userHostsEnabled(): boolean {
  return Boolean(config().userServersHost);
}

function setting(): UserHostsSetting {
  const s = config().userServersHost;
  if (!s) throw new Error("BERTH_USER_SERVERS_HOST is not set");
  return s;
}
