import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig as load } from "./config";

const loadConfig = (env: Record<string, string>) => load(env as unknown as NodeJS.ProcessEnv);

const dir = mkdtempSync(path.join(tmpdir(), "berth-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: unknown) => {
  const p = path.join(dir, name);
  writeFileSync(p, typeof body === "string" ? body : JSON.stringify(body));
  return p;
};

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const c = loadConfig({ PATH: "/usr/bin" });
    expect(c.policy).toEqual({ maxNamedServers: 5, serverNameMaxLength: 20, idleTimeoutSeconds: 7200, startTimeoutSeconds: 120 });
    expect(c.port).toBe(3000);
    expect(c.host).toBe("127.0.0.1");
    expect(c.publicUrl).toBe("http://localhost:3000");
    expect(c.secureCookies).toBe(false);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve("./data"));
    expect(c.profiles).toEqual([{ slug: "default", displayName: "Standard", description: "1 CPU, 2Gi memory, 2Gi storage", cpu: "1", memory: "2Gi", storage: "2Gi", default: true }]);
  });

  it("reads operator settings", () => {
    const c = loadConfig({
      BERTH_MAX_NAMED_SERVERS: "2",
      BERTH_IDLE_TIMEOUT_SECONDS: "0",
      BERTH_PUBLIC_URL: "https://berth.example.org/",
      BERTH_CPU_LIMIT: "500m",
      BERTH_MEMORY_LIMIT: "512Mi",
    });
    expect(c.policy.maxNamedServers).toBe(2);
    expect(c.policy.idleTimeoutSeconds).toBe(0);
    expect(c.publicUrl).toBe("https://berth.example.org");
    expect(c.secureCookies).toBe(true);
    expect(c.profiles[0]).toMatchObject({ cpu: "500m", memory: "512Mi" });
    expect(loadConfig({ BERTH_PUBLIC_URL: "https://x.example", BERTH_SECURE_COOKIES: "false" }).secureCookies).toBe(false);
  });

  it("names every invalid variable", () => {
    let message = "";
    try {
      loadConfig({ PORT: "http", BERTH_MEMORY_LIMIT: "2 GB", NEXTAUTH_SECRET: "short" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Berth's configuration is invalid/);
    expect(message).toContain("PORT");
    expect(message).toContain("BERTH_MEMORY_LIMIT: a Kubernetes quantity such as 2Gi or 512Mi");
    expect(message).toContain("NEXTAUTH_SECRET: at least 32 characters");
  });

  it("runs build Jobs in a namespace of their own: the servers' + -builds unless set, never the servers'", () => {
    expect(loadConfig({}).kubernetes).toMatchObject({ namespace: "berth", buildNamespace: "berth-builds" });
    expect(loadConfig({ BERTH_KUBE_NAMESPACE: "notebooks" }).kubernetes.buildNamespace).toBe("notebooks-builds");
    expect(loadConfig({ BERTH_KUBE_NAMESPACE: "notebooks", BERTH_KUBE_BUILD_NAMESPACE: "image-builds" }).kubernetes.buildNamespace).toBe("image-builds");
    expect(() => loadConfig({ BERTH_KUBE_NAMESPACE: "notebooks", BERTH_KUBE_BUILD_NAMESPACE: "notebooks" })).toThrow(/BERTH_KUBE_BUILD_NAMESPACE: must differ from BERTH_KUBE_NAMESPACE \("notebooks"\)/);
    expect(() => loadConfig({ BERTH_KUBE_BUILD_NAMESPACE: "Builds" })).toThrow(/BERTH_KUBE_BUILD_NAMESPACE: a Kubernetes namespace name/);
    expect(() => loadConfig({ BERTH_KUBE_NAMESPACE: "n".repeat(60) })).toThrow(/BERTH_KUBE_BUILD_NAMESPACE: .* longer than a namespace name may be \(63 characters\); set it/);
  });

  it("passes only PATH and LANG on to user code", () => {
    const c = loadConfig({ PATH: "/p", LANG: "C.UTF-8", DATABASE_URL: "postgresql://u:secret@db/x", NEXTAUTH_SECRET: "s".repeat(40) });
    expect(c.hostEnv).toEqual({ PATH: "/p", LANG: "C.UTF-8" });
    expect(c.databaseUrl).toBe("postgresql://u:secret@db/x");
  });

  it("reads profiles from a file, filling limits from the defaults", () => {
    const p = file("profiles.json", {
      profiles: [
        { slug: "small", displayName: "Small", cpu: "500m" },
        { slug: "big", displayName: "Big", memory: "8Gi", storage: "10Gi", image: "quay.io/x/y:1", default: true },
      ],
    });
    const c = loadConfig({ BERTH_PROFILES_FILE: p });
    expect(c.profiles).toEqual([
      { slug: "small", displayName: "Small", description: "", cpu: "500m", memory: "2Gi", storage: "2Gi", default: false },
      { slug: "big", displayName: "Big", description: "", cpu: "1", memory: "8Gi", storage: "10Gi", image: "quay.io/x/y:1", default: true },
    ]);
  });

  it("makes the first profile the default when none is marked", () => {
    const p = file("nodefault.json", { profiles: [{ slug: "a", displayName: "A" }, { slug: "b", displayName: "B" }] });
    expect(loadConfig({ BERTH_PROFILES_FILE: p }).profiles.map((x) => x.default)).toEqual([true, false]);
  });

  it("explains a broken profiles file", () => {
    expect(() => loadConfig({ BERTH_PROFILES_FILE: path.join(dir, "missing.json") })).toThrow(/does not exist/);
    expect(() => loadConfig({ BERTH_PROFILES_FILE: file("bad.json", "{nope") })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ BERTH_PROFILES_FILE: file("empty.json", { profiles: [] }) })).toThrow(/is invalid/);
    expect(() => loadConfig({ BERTH_PROFILES_FILE: file("slug.json", { profiles: [{ slug: "Big One", displayName: "x" }] }) })).toThrow(/slug: lowercase/);
    const dup = file("dup.json", { profiles: [{ slug: "a", displayName: "A" }, { slug: "a", displayName: "A2" }] });
    expect(() => loadConfig({ BERTH_PROFILES_FILE: dup })).toThrow(/repeats a profile slug/);
  });
});

// The launch and registry settings.
function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("launch settings", () => {
  it("has the documented defaults", () => {
    const c = loadConfig({});
    expect(c.launch).toEqual({
      providers: { gh: "https://github.com", gl: "https://gitlab.com", gist: "https://gist.github.com" },
      allow: {},
      deny: {},
      allowPrivateHosts: false,
      allowedHosts: [],
      gitTimeoutMs: 20_000,
    });
    expect(c.registry).toEqual({ url: undefined, username: undefined, password: undefined, timeoutMs: 10_000, imagePrefix: "berth/" });
  });

  it("reads operator settings", () => {
    const c = loadConfig({
      BERTH_GITHUB_URL: "https://ghe.example.org/",
      BERTH_LAUNCH_ALLOW: '{"gh": ["^myorg/"], "gist": []}',
      BERTH_LAUNCH_DENY: '{"git": ["^https://evil\\\\.example/"]}',
      BERTH_LAUNCH_ALLOW_PRIVATE_HOSTS: "true",
      BERTH_LAUNCH_ALLOWED_HOSTS: " git.corp.example, *.lab.example ,10.0.0.0/8,::1,fd00::/8",
      BERTH_GIT_TIMEOUT_SECONDS: "5",
      BERTH_IMAGE_PREFIX: "binder/build-",
      BERTH_REGISTRY_URL: "http://127.0.0.1:5000/",
      BERTH_REGISTRY_USERNAME: "robot",
      BERTH_REGISTRY_PASSWORD: "s3cret",
    });
    expect(c.launch.providers.gh).toBe("https://ghe.example.org");
    expect(c.launch.allow.gh?.[0].test("MyOrg/x")).toBe(true);
    expect(c.launch.allow.gist).toEqual([]);
    expect(c.launch.deny.git?.[0].test("https://evil.example/x")).toBe(true);
    expect(c.launch.allowPrivateHosts).toBe(true);
    expect(c.launch.allowedHosts).toEqual(["git.corp.example", "*.lab.example", "10.0.0.0/8", "::1", "fd00::/8"]);
    expect(c.launch.gitTimeoutMs).toBe(5000);
    expect(c.registry).toMatchObject({ url: "http://127.0.0.1:5000", username: "robot", password: "s3cret", imagePrefix: "binder/build-" });
  });

  it.each([
    [{ BERTH_LAUNCH_ALLOW: "gh=^x" }, /BERTH_LAUNCH_ALLOW: JSON such as/],
    [{ BERTH_LAUNCH_DENY: '{"github": ["x"]}' }, /BERTH_LAUNCH_DENY: an object from provider \(gh, gl, gist, git\)/],
    [{ BERTH_LAUNCH_DENY: '{"gh": "x"}' }, /BERTH_LAUNCH_DENY: an object/],
    [{ BERTH_LAUNCH_DENY: '{"gh": ["(unclosed"]}' }, /BERTH_LAUNCH_DENY: gh: "\(unclosed" is not a regular expression/],
    [{ BERTH_LAUNCH_ALLOWED_HOSTS: "http://x" }, /BERTH_LAUNCH_ALLOWED_HOSTS: "http:\/\/x" is not a host name/],
    [{ BERTH_LAUNCH_ALLOWED_HOSTS: "10.0.0.0/40" }, /BERTH_LAUNCH_ALLOWED_HOSTS/],
    [{ BERTH_LAUNCH_ALLOWED_HOSTS: "*" }, /BERTH_LAUNCH_ALLOWED_HOSTS/],
    [{ BERTH_IMAGE_PREFIX: "Berth/" }, /BERTH_IMAGE_PREFIX: lowercase path/],
    [{ BERTH_IMAGE_PREFIX: "registry.example.org:5000/x/" }, /BERTH_IMAGE_PREFIX/],
    [{ BERTH_IMAGE_PREFIX: "/x" }, /BERTH_IMAGE_PREFIX/],
    [{ BERTH_REGISTRY_URL: "ftp://x" }, /BERTH_REGISTRY_URL: an http/],
    [{ BERTH_GITHUB_URL: "github.com" }, /BERTH_GITHUB_URL/],
    [{ BERTH_REGISTRY_URL: "https://robot:pw@registry.example.org" }, /BERTH_REGISTRY_URL: no user name or password in the address/],
  ])("refuses %j", (env, message) => {
    expect(problem(env as Record<string, string>)).toMatch(message);
  });
});
