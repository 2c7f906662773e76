import { describe, expect, it } from "vitest";
import { loadConfig as load } from "../config";

// The launch and registry settings of lib/config.ts.
const loadConfig = (env: Record<string, string>) => load(env as unknown as NodeJS.ProcessEnv);

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
