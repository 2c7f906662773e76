import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { addressRefusal, checkUrlHost, classifyAddress, hostUnreachable, RefusedAddressError, safeLookup } from "./url-safety";

const closed = { allowPrivateHosts: false, allowedHosts: [] as string[] };

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.254", "private"],
    ["192.168.1.1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["169.254.169.254", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["192.0.2.10", "reserved"],
    ["2001:db8::1", "reserved"],
    // IPv4 hidden in IPv6: mapped, NAT64, 6to4.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:10.1.2.3", "private"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["2002:7f00:1::", "loopback"],
    ["2002:c0a8:101::1", "private"],
    ["not-an-ip", "reserved"],
  ])("%s is %s", (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it.each(["8.8.8.8", "140.82.112.3", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "169.253.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])(
    "%s is public",
    (ip) => {
      expect(classifyAddress(ip)).toBeUndefined();
    },
  );
});

describe("addressRefusal", () => {
  it("refuses non-public addresses by default, naming what they are", () => {
    expect(addressRefusal("git.internal", "10.0.0.5", closed)).toMatch(/git\.internal \(10\.0\.0\.5\): it is a private network address/);
    expect(addressRefusal("127.0.0.1", "127.0.0.1", closed)).toMatch(/from 127\.0\.0\.1: it is a loopback address/);
    expect(addressRefusal("metadata.google.internal", "169.254.169.254", closed)).toMatch(/cloud metadata/);
    expect(addressRefusal("github.com", "140.82.112.3", closed)).toBeUndefined();
  });

  it("allows private addresses with the operator's flag, but never metadata through it", () => {
    const open = { allowPrivateHosts: true, allowedHosts: [] };
    expect(addressRefusal("localhost", "127.0.0.1", open)).toBeUndefined();
    expect(addressRefusal("x", "10.1.1.1", open)).toBeUndefined();
    expect(addressRefusal("x", "fe80::1", open)).toBeUndefined();
    expect(addressRefusal("x", "169.254.169.254", open)).toMatch(/metadata/);
  });

  it("allows listed hosts, wildcards, addresses and ranges only", () => {
    const policy = { allowPrivateHosts: false, allowedHosts: ["git.corp.example", "*.lab.example", "127.0.0.1", "10.20.0.0/16", "fd00:1::/32"] };
    expect(addressRefusal("git.corp.example", "10.0.0.1", policy)).toBeUndefined();
    expect(addressRefusal("other.corp.example", "10.0.0.1", policy)).toMatch(/private/);
    expect(addressRefusal("a.lab.example", "192.168.0.1", policy)).toBeUndefined();
    expect(addressRefusal("lab.example", "192.168.0.1", policy)).toMatch(/private/);
    expect(addressRefusal("evil-lab.example", "192.168.0.1", policy)).toMatch(/private/);
    expect(addressRefusal("127.0.0.1", "127.0.0.1", policy)).toBeUndefined();
    expect(addressRefusal("localhost", "127.0.0.1", policy)).toBeUndefined();
    expect(addressRefusal("::ffff:127.0.0.1", "::ffff:127.0.0.1", policy)).toBeUndefined();
    expect(addressRefusal("127.0.0.2", "127.0.0.2", policy)).toMatch(/loopback/);
    expect(addressRefusal("x", "10.20.3.4", policy)).toBeUndefined();
    expect(addressRefusal("x", "10.21.3.4", policy)).toMatch(/private/);
    expect(addressRefusal("x", "fd00:1:2::3", policy)).toBeUndefined();
    expect(addressRefusal("169.254.169.254", "169.254.169.254", { ...policy, allowedHosts: ["169.254.169.254"] })).toBeUndefined();
  });
});

describe("checkUrlHost", () => {
  const resolver = (table: Record<string, string[]>) => async (host: string) => {
    const list = table[host];
    if (!list) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

  async function refused(p: Promise<unknown>): Promise<AppError> {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }

  it("checks every address the host resolves to", async () => {
    const r = resolver({ "public.example": ["93.184.216.34"], "split.example": ["93.184.216.34", "10.0.0.1"], "v6.example": ["2606:4700::1", "::1"] });
    await expect(checkUrlHost(new URL("https://public.example/r.git"), closed, r)).resolves.toBeUndefined();
    const e = await refused(checkUrlHost(new URL("https://split.example/r.git"), closed, r));
    expect({ code: e.code, status: e.status }).toEqual({ code: "forbidden", status: 403 });
    expect(e.message).toMatch(/split\.example \(10\.0\.0\.1\)/);
    expect((await refused(checkUrlHost(new URL("https://v6.example/r"), closed, r))).message).toMatch(/loopback/);
  });

  it("judges address literals without resolving, in every spelling", async () => {
    const r = resolver({});
    for (const u of ["http://127.0.0.1/r", "http://[::1]/r", "http://[::ffff:127.0.0.1]/r", "http://0.0.0.0/r", "http://169.254.169.254/latest", "http://2130706433/r", "http://0x7f.1/r", "http://[fe80::1]/r"]) {
      expect((await refused(checkUrlHost(new URL(u), closed, r))).status).toBe(403);
    }
  });

  it("says Berth cannot reach a host whose name does not resolve, and refuses other schemes", async () => {
    const e = await refused(checkUrlHost(new URL("https://nowhere.invalid/r"), closed, resolver({})));
    expect({ code: e.code, status: e.status, details: e.details }).toEqual({ code: "upstream_failed", status: 502, details: { reason: "host_unreachable", host: "nowhere.invalid" } });
    expect(e.message).toBe("Berth cannot reach nowhere.invalid: its name does not resolve (ENOTFOUND). Check the host name in the repository's address; if it is right, Berth's network or DNS is not working at the moment: try again later, or tell an administrator.");
    expect(e.message).not.toMatch(/does not exist/);
    expect((await refused(checkUrlHost(new URL("file:///etc/passwd"), closed, resolver({})))).message).toMatch(/https/);
  });
});

describe("safeLookup", () => {
  const resolve = async (host: string) =>
    host === "mixed.example"
      ? [{ address: "93.184.216.34", family: 4 }, { address: "fd00::1", family: 6 }]
      : [{ address: "93.184.216.34", family: 4 }, { address: "2606:4700::1", family: 6 }];

  function run(host: string, options: { all?: boolean; family?: number }) {
    return new Promise<{ err: Error | null; address: unknown; family?: number }>((done) => {
      safeLookup(closed, resolve)(host, options as never, (err, address, family) => done({ err, address, family }));
    });
  }

  it("hands over the resolved addresses, one or all", async () => {
    expect(await run("public.example", {})).toEqual({ err: null, address: "93.184.216.34", family: 4 });
    expect(await run("public.example", { family: 6 })).toEqual({ err: null, address: "2606:4700::1", family: 6 });
    expect((await run("public.example", { all: true })).address).toEqual([
      { address: "93.184.216.34", family: 4 },
      { address: "2606:4700::1", family: 6 },
    ]);
  });

  it("fails the connection when any address is refused (no DNS-rebinding window)", async () => {
    const r = await run("mixed.example", { all: true });
    expect(r.err).toBeInstanceOf(RefusedAddressError);
    expect(r.err?.message).toMatch(/private network address/);
  });
});

describe("hostUnreachable", () => {
  it("tells a DNS server that did not answer from a name that does not exist, and says what to do", () => {
    const again = hostUnreachable("github.com", Object.assign(new Error("getaddrinfo EAI_AGAIN github.com"), { code: "EAI_AGAIN" }));
    expect(again.message).toMatch(/^Berth cannot reach github\.com: looking up its name failed for now \(EAI_AGAIN: no DNS server answered\)\. /);
    expect(again.message).toMatch(/try again later, or tell an administrator\.$/);
    expect(hostUnreachable("github.com").message).toMatch(/^Berth cannot reach github\.com: its name does not resolve\. Check the host name/);
    for (const e of [again, hostUnreachable("x.example", { code: "ENOTFOUND" })]) {
      expect(e.message).not.toMatch(/does not exist|not public/);
      expect(e.status).toBe(502);
    }
  });
});
