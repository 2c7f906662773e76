import dns from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { config, type Config } from "../config";
import { AppError } from "../errors";

// A launch makes Berth fetch from an address a user typed. Without these checks anyone could make
// Berth (or, later, a build pod) talk to the cloud metadata service, the database or the cluster's
// internal services. The check is made where the connection is opened (the lookup hook below), so
// a host name that resolves to a public address when checked and a private one when used
// (DNS rebinding) gains nothing.

export type HostPolicy = Pick<Config["launch"], "allowPrivateHosts" | "allowedHosts">;


/**
 * The answer when a host's name cannot be looked up. It says Berth cannot reach the host rather
 * than that the repository does not exist: the same error comes from a mistyped address and from
 * a Berth whose network or DNS is down, and only the person can tell which.
 */
export function hostUnreachable(host: string, err?: unknown): AppError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === "EAI_AGAIN"
      ? "looking up its name failed for now (EAI_AGAIN: no DNS server answered)"
      : `its name does not resolve${typeof code === "string" && code ? ` (${code})` : ""}`;
  return new AppError(
    "upstream_failed",
    `Berth cannot reach ${host}: ${why}. Check the host name in the repository's address; if it is right, Berth's network or DNS is not working at the moment: try again later, or tell an administrator.`,
    { reason: "host_unreachable", host },
  );
}
export type AddressClass = "unspecified" | "loopback" | "private" | "shared" | "link-local" | "metadata" | "reserved" | "multicast";

const describe: Record<AddressClass, string> = {
  unspecified: "an unspecified address (0.0.0.0 or ::)",
  loopback: "a loopback address (this machine)",
  private: "a private network address",
  shared: "a carrier-grade NAT address (private)",
  "link-local": "a link-local address",
  metadata: "a cloud metadata service address",
  reserved: "a reserved address",
  multicast: "a multicast address",
};

function blockList(v4: [string, number][], v6: [string, number][]): BlockList {
  const b = new BlockList();
  for (const [a, n] of v4) b.addSubnet(a, n, "ipv4");
  for (const [a, n] of v6) b.addSubnet(a, n, "ipv6");
  return b;
}

// Order matters: the first class that contains an address names it (metadata before link-local).
const classes: [AddressClass, BlockList][] = [
  ["metadata", blockList([["169.254.169.254", 32], ["169.254.170.2", 32], ["100.100.100.200", 32]], [["fd00:ec2::254", 128]])],
  ["unspecified", blockList([["0.0.0.0", 8]], [["::", 128]])],
  ["loopback", blockList([["127.0.0.0", 8]], [["::1", 128]])],
  ["private", blockList([["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16]], [["fc00::", 7], ["fec0::", 10]])],
  ["shared", blockList([["100.64.0.0", 10]], [])],
  ["link-local", blockList([["169.254.0.0", 16]], [["fe80::", 10]])],
  ["multicast", blockList([["224.0.0.0", 4]], [["ff00::", 8]])],
  [
    "reserved",
    blockList(
      [["192.0.0.0", 24], ["192.0.2.0", 24], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24], ["240.0.0.0", 4]],
      [["100::", 64], ["2001:db8::", 32], ["2001::", 23]],
    ),
  ],
];

/** Eight 16-bit groups of an IPv6 address (zone id ignored), or undefined. */
function ipv6Groups(ip: string): number[] | undefined {
  let s = ip.replace(/%.*$/, "");
  const v4 = s.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const o = v4[1].split(".").map(Number);
    s = s.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail, extra] = s.split("::");
  if (extra !== undefined) return undefined;
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array(fill).fill("0"), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * IPv4 address carried inside an IPv6 one, where the network would deliver to that IPv4 address:
 * IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
 */
function embeddedIPv4(ip: string): string | undefined {
  const g = ipv6Groups(ip);
  if (!g) return undefined;
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return quad(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return quad(g[6], g[7]);
  if (g[0] === 0x2002) return quad(g[1], g[2]);
  return undefined;
}

/** What kind of non-public address `ip` is, or undefined for a public one. */
export function classifyAddress(ip: string): AddressClass | undefined {
  const family = isIP(ip.replace(/%.*$/, ""));
  if (family === 0) return "reserved";
  if (family === 6) {
    const v4 = embeddedIPv4(ip);
    if (v4) return classifyAddress(v4);
  }
  const bare = ip.replace(/%.*$/, "");
  for (const [cls, list] of classes) if (list.check(bare, family === 6 ? "ipv6" : "ipv4")) return cls;
  return undefined;
}

function matchesPattern(pattern: string, host: string, ip: string | undefined): boolean {
  const [addr, bits] = pattern.split("/");
  if (bits !== undefined) {
    if (!ip) return false;
    const b = new BlockList();
    const fam = isIP(addr) === 6 ? "ipv6" : "ipv4";
    b.addSubnet(addr, Number(bits), fam);
    return b.check(ip.replace(/%.*$/, ""), isIP(ip.replace(/%.*$/, "")) === 6 ? "ipv6" : "ipv4");
  }
  if (isIP(addr)) {
    const target = ip ?? host;
    return isIP(target) !== 0 && normalizeIp(target) === normalizeIp(addr);
  }
  if (addr.startsWith("*.")) return host.endsWith(addr.slice(1)) && host.length > addr.length - 1;
  return host === addr;
}

// One spelling per address, so "::ffff:127.0.0.1", "::ffff:7f00:1" and "127.0.0.1" compare equal.
function normalizeIp(ip: string): string {
  const bare = ip.replace(/%.*$/, "").toLowerCase();
  if (isIP(bare) !== 6) return bare;
  const g = ipv6Groups(bare)!;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return embeddedIPv4(bare)!;
  return g.map((x) => x.toString(16)).join(":");
}

/** The bare host of a URL: lower-case, without the brackets of an IPv6 literal or a final dot. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
}

/**
 * Why connecting to `ip` (which `host` resolved to) is refused, as a sentence for the person who
 * asked, or undefined when it is allowed. Metadata addresses stay refused even when an operator
 * allows private hosts in general; only an explicit entry in the allowed hosts opens them.
 */
export function addressRefusal(host: string, ip: string, policy: HostPolicy): string | undefined {
  const cls = classifyAddress(ip);
  if (!cls) return undefined;
  if (policy.allowedHosts.some((p) => matchesPattern(p, host, ip))) return undefined;
  if (policy.allowPrivateHosts && cls !== "metadata") return undefined;
  const shown = host === normalizeIp(ip) || host === ip ? host : `${host} (${ip})`;
  return `Berth does not fetch repositories from ${shown}: it is ${describe[cls]}. Only repositories on the public internet can be launched here; an administrator can allow this host.`;
}

export class RefusedAddressError extends Error {
  readonly code = "EBERTHREFUSED";
}

type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;
const systemResolver: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/**
 * Resolves the URL's host (every address it has) and throws AppError 403 if any of them is
 * refused, AppError 422 if the host does not exist. Used for friendly early answers; the lookup
 * hook below enforces the same rule when the connection is actually made.
 */
export async function checkUrlHost(url: URL, policy: HostPolicy = config().launch, resolve: Resolver = systemResolver): Promise<void> {
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AppError("invalid_input", `Berth fetches repositories over https:// (or http://) only, not ${url.protocol}. Enter the repository's https address.`, { reason: "unsafe_url" });
  }
  const host = urlHost(url);
  let addresses: { address: string }[];
  if (isIP(host)) addresses = [{ address: host }];
  else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw hostUnreachable(host, err);
    }
  }
  for (const { address } of addresses) {
    const refusal = addressRefusal(host, address, policy);
    if (refusal) throw new AppError("forbidden", refusal, { reason: "private_host" });
  }
}

/**
 * A `lookup` for http(s).request that resolves like the system does and fails the connection with
 * RefusedAddressError when any address of the host is refused. Connections to address literals
 * do not call lookup; callers check those with checkUrlHost first.
 */
export function safeLookup(policy: HostPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    const host = hostname.replace(/\.$/, "").toLowerCase();
    resolve(host).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        for (const { address } of all) {
          const refusal = addressRefusal(host, address, policy);
          if (refusal) return callback(new RefusedAddressError(refusal), "", 0);
        }
        if (wanted.length === 0) return callback(Object.assign(new Error(`${host} has no usable address`), { code: "ENOTFOUND" }), "", 0);
        if (options.all) return (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, wanted);
        callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };
}
