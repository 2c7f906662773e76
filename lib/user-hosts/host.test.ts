import { describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { hostLabel, matchUserHost, userHost, userOrigin } from "./host";

const setting = { suffix: "notebooks.example.org", port: undefined, scheme: "https" as const };
const local = { suffix: "localhost", port: "3000", scheme: "http" as const };
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

describe("hostLabel", () => {
  it("keeps a name that already is a DNS label", () => {
    expect(hostLabel("alice")).toBe("alice");
    expect(hostLabel("bob-2")).toBe("bob-2");
  });

  it.each(["a.b", "a@example.org", "x+y", "Alice", "_x", "-x", "x-", "ab--cd", "xn--80ak6aa92e", "a".repeat(64), "", "é"])("escapes %j into a valid label with a --", (name) => {
    const label = hostLabel(name);
    expect(label).toMatch(DNS_LABEL);
    expect(label.length).toBeLessThanOrEqual(63);
    expect(label).toContain("--");
    // never punycode-shaped (xn--), which browsers would try to decode
    expect(label.slice(2, 4)).not.toBe("--");
  });

  it("keeps a readable stem and is deterministic", () => {
    expect(hostLabel("jane.doe")).toMatch(/^h[a-z2-7]{16}--jane-doe$/);
    expect(hostLabel("jane.doe")).toBe(hostLabel("jane.doe"));
  });

  it("gives names that read alike different labels", () => {
    const names = ["jane.doe", "jane-doe", "jane_doe", "jane@doe", "jane+doe", "jane--doe", "Jane.doe", "jane.doe.", "h-jane-doe"];
    const labels = names.map(hostLabel);
    expect(new Set(labels).size).toBe(names.length);
  });

  it("cannot be made to equal an escaped label by choosing a plain name", () => {
    // a plain name is only ever used as is when it has no "--"; every escaped label has one
    const escaped = hostLabel("jane.doe");
    expect(hostLabel(escaped)).not.toBe(escaped);
  });
});

describe("user hosts", () => {
  it("builds the host and origin with the configured port and scheme", () => {
    expect(userHost("alice", setting)).toBe("alice.notebooks.example.org");
    expect(userOrigin("alice", local)).toBe("http://alice.localhost:3000");
  });

  it.each([
    ["alice.notebooks.example.org", setting, "alice"],
    ["ALICE.Notebooks.Example.org", setting, "alice"],
    ["alice.localhost:3000", local, "alice"],
  ])("matches %s", (host, s, label) => {
    expect(matchUserHost(host, s)).toBe(label);
  });

  it.each([
    ["notebooks.example.org", setting],
    ["a.b.notebooks.example.org", setting],
    ["alice.notebooks.example.org:443", setting],
    ["alice.notebooks.example.org.evil.org", setting],
    ["alicenotebooks.example.org", setting],
    ["-x.notebooks.example.org", setting],
    ["alice.localhost", local],
    ["alice.localhost:3001", local],
    ["localhost:3000", local],
    ["", local],
  ])("does not match %j", (host, s) => {
    expect(matchUserHost(host, s)).toBeNull();
  });
});

describe("BERTH_USER_SERVERS_HOST", () => {
  const env = (e: Record<string, string>) => ({ PATH: "/usr/bin", ...e }) as unknown as NodeJS.ProcessEnv;

  it("is read with its port and the public address's scheme", () => {
    expect(loadConfig(env({ BERTH_PUBLIC_URL: "https://berth.example.org", BERTH_USER_SERVERS_HOST: "*.Notebooks.example.org" })).userServersHost).toEqual(setting);
    expect(loadConfig(env({ BERTH_PUBLIC_URL: "http://localhost:3000", BERTH_USER_SERVERS_HOST: "*.localhost:3000" })).userServersHost).toEqual(local);
    expect(loadConfig(env({})).userServersHost).toBeUndefined();
  });

  it.each(["notebooks.example.org", "*.", "*.-bad.org", "a.*.example.org", "*.example.org:99999", "https://*.example.org", "*.example.org/path"])("refuses %j and says what to write", (v) => {
    expect(() => loadConfig(env({ BERTH_USER_SERVERS_HOST: v }))).toThrow(/BERTH_USER_SERVERS_HOST: .*is not a wildcard host; write \*\. and a domain/);
  });

  it("refuses a Berth address that would itself be a user host", () => {
    expect(() => loadConfig(env({ BERTH_PUBLIC_URL: "https://berth.example.org", BERTH_USER_SERVERS_HOST: "*.example.org" }))).toThrow(/falls under BERTH_USER_SERVERS_HOST/);
    expect(loadConfig(env({ BERTH_PUBLIC_URL: "https://example.org", BERTH_USER_SERVERS_HOST: "*.example.org" })).userServersHost?.suffix).toBe("example.org");
  });
});
