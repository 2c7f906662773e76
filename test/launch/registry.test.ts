import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config";
import { imageName } from "../../lib/registry/image-name";
import { prepareLaunch } from "../../lib/launch/prepare-launch";
import { clearRegistryCache, imageExists, parseImageName } from "../../lib/registry/registry";
import { parseSpec } from "../../lib/launch/repo-spec";
import { startGitServer, type GitServerDouble } from "../doubles/git-server";
import { startRegistry, type ManifestKind, type RegistryDouble } from "../doubles/registry";
import { expectRefusal } from "./expect-refusal";

// imageExists against Debian's docker-registry: open, behind htpasswd, and behind the token flow
// with a token service of our own; plus a small fake registry for what a real one will not do on
// demand (reject a token it issued, refuse HEAD).

const urls = { gh: "https://github.com", gl: "https://gitlab.com", gist: "https://gist.github.com" };
const sha = (n: number) => n.toString(16).padStart(40, "0");
let serial = 0;
/** A fresh image name on `reg` for a repository no other test uses. */
function freshImage(reg: { url: string }, env: Record<string, string> = {}) {
  const settings = registrySettings(reg.url, env);
  serial += 1;
  const name = imageName(parseSpec("gh", `tests/repo-${serial}/HEAD`, urls), sha(serial), settings);
  return { name, ...parseImageName(name), settings };
}
function registrySettings(url: string, env: Record<string, string> = {}) {
  return loadConfig({ BERTH_REGISTRY_URL: url, BERTH_REGISTRY_TIMEOUT_SECONDS: "5", ...env } as unknown as NodeJS.ProcessEnv).registry;
}

beforeEach(() => clearRegistryCache());

describe("an open registry", () => {
  let reg: RegistryDouble;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => {
    await reg?.close();
  });

  it.each<ManifestKind>(["docker", "oci", "docker-list", "oci-index"])("sees a %s image once it is pushed", async (kind) => {
    const img = freshImage(reg);
    expect(img.name.startsWith(`${reg.host}/berth/tests-2frepo-`)).toBe(true);
    expect(await imageExists(img.name, img.settings)).toBe(false);
    await reg.pushImage(img.repository, img.reference, kind);
    expect(await imageExists(img.name, img.settings)).toBe(true);
    // Another commit of the same repository is another image.
    expect(await imageExists(`${img.host}/${img.repository}:${sha(99999)}`, img.settings)).toBe(false);
  });

  it("remembers a found image briefly, and never an absent one", async () => {
    const img = freshImage(reg);
    expect(await imageExists(img.name, img.settings)).toBe(false);
    await reg.pushImage(img.repository, img.reference);
    expect(await imageExists(img.name, img.settings)).toBe(true);
    await reg.deleteImage(img.repository, img.reference);
    expect(await imageExists(img.name, img.settings)).toBe(true);
    clearRegistryCache();
    expect(await imageExists(img.name, img.settings)).toBe(false);
  });

  it("asks only the configured registry", async () => {
    const img = freshImage(reg);
    await expect(imageExists(`other.example.org/${img.repository}:${img.reference}`, img.settings)).rejects.toThrow(/not on the configured registry/);
  });
});

describe("a registry behind htpasswd (Basic)", () => {
  let reg: RegistryDouble;
  beforeAll(async () => {
    reg = await startRegistry({ auth: "basic" });
  });
  afterAll(async () => {
    await reg?.close();
  });

  it("answers with Berth's credentials", async () => {
    const img = freshImage(reg, { BERTH_REGISTRY_USERNAME: reg.username, BERTH_REGISTRY_PASSWORD: reg.password });
    expect(await imageExists(img.name, img.settings)).toBe(false);
    await reg.pushImage(img.repository, img.reference, "oci");
    expect(await imageExists(img.name, img.settings)).toBe(true);
  });

  it("says what the operator must set when it has none, and when they are wrong", async () => {
    const img = freshImage(reg);
    const none = await expectRefusal(imageExists(img.name, img.settings), "unavailable", 503);
    expect(none.message).toMatch(/^Berth cannot reach its container registry right now \(it asks for a user name and password; set BERTH_REGISTRY_USERNAME and BERTH_REGISTRY_PASSWORD\)/);
    expect(none.details).toEqual({ reason: "registry_unreachable" });
    const wrong = freshImage(reg, { BERTH_REGISTRY_USERNAME: reg.username, BERTH_REGISTRY_PASSWORD: "wrong" });
    const e = await expectRefusal(imageExists(wrong.name, wrong.settings), "unavailable", 503);
    expect(e.message).toMatch(/it refused Berth's credentials/);
    expect(e.message).not.toContain("wrong");
  });
});

describe("a registry with token authentication (Bearer)", () => {
  let reg: RegistryDouble;
  let anon: RegistryDouble;
  beforeAll(async () => {
    [reg, anon] = await Promise.all([startRegistry({ auth: "token" }), startRegistry({ auth: "token", anonymousPull: true })]);
  });
  afterAll(async () => {
    await Promise.all([reg?.close(), anon?.close()]);
  });

  it("gets a pull token for the repository with Berth's credentials, then asks", async () => {
    const img = freshImage(reg, { BERTH_REGISTRY_USERNAME: reg.username, BERTH_REGISTRY_PASSWORD: reg.password });
    const before = reg.tokenRequests.length;
    expect(await imageExists(img.name, img.settings)).toBe(false);
    expect(reg.tokenRequests.slice(before)).toEqual([
      { account: reg.username, scope: [`repository:${img.repository}:pull`], service: "berth-test-registry", authenticated: true },
    ]);
    await reg.pushImage(img.repository, img.reference, "docker");
    expect(await imageExists(img.name, img.settings)).toBe(true);
    // The token was reused: one token request for both questions.
    expect(reg.tokenRequests.length).toBe(before + 1);
  });

  it("asks with a token straight away once it knows the registry wants one", async () => {
    const env = { BERTH_REGISTRY_USERNAME: reg.username, BERTH_REGISTRY_PASSWORD: reg.password };
    const a = freshImage(reg, env);
    const b = freshImage(reg, env);
    await imageExists(a.name, a.settings);
    const before = reg.tokenRequests.length;
    await reg.pushImage(b.repository, b.reference, "oci-index");
    expect(await imageExists(b.name, b.settings)).toBe(true);
    expect(reg.tokenRequests.slice(before).map((t) => t.scope)).toEqual([[`repository:${b.repository}:pull`]]);
  });

  it("works anonymously where the token service allows anonymous pulls", async () => {
    const img = freshImage(anon);
    expect(await imageExists(img.name, img.settings)).toBe(false);
    await anon.pushImage(img.repository, img.reference, "oci");
    expect(await imageExists(img.name, img.settings)).toBe(true);
    expect(anon.tokenRequests.every((t) => t.account === undefined && !t.authenticated)).toBe(true);
  });

  it("says what is wrong when the token service refuses", async () => {
    const img = freshImage(reg);
    expect((await expectRefusal(imageExists(img.name, img.settings), "unavailable", 503)).message).toMatch(/token service wants credentials; set BERTH_REGISTRY_USERNAME/);
    const wrong = freshImage(reg, { BERTH_REGISTRY_USERNAME: reg.username, BERTH_REGISTRY_PASSWORD: "nope" });
    expect((await expectRefusal(imageExists(wrong.name, wrong.settings), "unavailable", 503)).message).toMatch(/token service refused Berth's registry credentials/);
  });
});

describe("registries that misbehave", () => {
  // Accepts only the most recent token it issued, answers HEAD with 405, knows one manifest.
  let fake: http.Server;
  let fakeUrl = "";
  let issued = 0;
  const seen: string[] = [];
  beforeAll(async () => {
    fake = http.createServer((req, res) => {
      const u = new URL(req.url ?? "/", "http://fake");
      seen.push(`${req.method} ${u.pathname}`);
      if (u.pathname === "/token") {
        issued += 1;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: `t${issued}`, expires_in: 300 }));
        return;
      }
      if (req.headers.authorization !== `Bearer t${issued}`) {
        res.writeHead(401, { "www-authenticate": `Bearer realm="${fakeUrl}/token",service="fake",error="invalid_token"` }).end();
        return;
      }
      if (req.method === "HEAD") {
        res.writeHead(405).end();
        return;
      }
      if (u.pathname === "/v2/berth/known/manifests/v1") {
        res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end("{}");
        return;
      }
      if (u.pathname === "/v2/berth/broken/manifests/v1") {
        res.writeHead(500).end("boom");
        return;
      }
      res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  it("falls back to GET where HEAD is not allowed, and replaces a token the registry stopped accepting", async () => {
    const s = registrySettings(fakeUrl);
    const host = new URL(fakeUrl).host;
    expect(await imageExists(`${host}/berth/known:v1`, s)).toBe(true);
    expect(await imageExists(`${host}/berth/unknown:v1`, s)).toBe(false);
    // One token per repository (the scope names it).
    expect(issued).toBe(2);
    // Invalidate the cached token: the next question gets a new one instead of failing.
    issued += 1;
    seen.length = 0;
    expect(await imageExists(`${host}/berth/unknown:v2`, s)).toBe(false);
    expect(seen).toEqual(["HEAD /v2/berth/unknown/manifests/v2", "GET /token", "HEAD /v2/berth/unknown/manifests/v2", "GET /v2/berth/unknown/manifests/v2"]);
  });

  it("reports a registry error as the registry being unusable", async () => {
    const s = registrySettings(fakeUrl);
    const e = await expectRefusal(imageExists(`${new URL(fakeUrl).host}/berth/broken:v1`, s), "unavailable", 503);
    expect(e.message).toMatch(/\(it answered 500\)/);
  });

  it("reports a registry that is not there", async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const e = await expectRefusal(imageExists(`127.0.0.1:${port}/berth/x:v1`, registrySettings(`http://127.0.0.1:${port}`)), "unavailable", 503);
    expect(e.message).toMatch(/^Berth cannot reach its container registry right now \(ECONNREFUSED\)/);
  });
});

describe("a launch from repository to image", () => {
  let git: GitServerDouble;
  let reg: RegistryDouble;
  beforeAll(async () => {
    [git, reg] = await Promise.all([startGitServer(), startRegistry({ auth: "token" })]);
  });
  afterAll(async () => {
    await Promise.all([git?.close(), reg?.close()]);
  });

  it("finds the commit's image once a build has pushed it", async () => {
    const commit = await git.createRepo("octo/launch-me", { "requirements.txt": "numpy\n" });
    const settings = loadConfig({
      BERTH_GITHUB_URL: git.url,
      BERTH_LAUNCH_ALLOWED_HOSTS: "127.0.0.1",
      BERTH_REGISTRY_URL: reg.url,
      BERTH_REGISTRY_USERNAME: reg.username,
      BERTH_REGISTRY_PASSWORD: reg.password,
    } as unknown as NodeJS.ProcessEnv);
    const first = await prepareLaunch("gh", "octo/launch-me/HEAD", settings);
    expect(first).toMatchObject({ commit, resolvedRef: "refs/heads/main", imageName: `${reg.host}/berth/octo-2flaunch-2dme:${commit}`, built: false });
    const { repository, reference } = parseImageName(first.imageName);
    await reg.pushImage(repository, reference);
    expect((await prepareLaunch("gh", `octo/launch-me/${commit}`, settings)).built).toBe(true);
    // A new commit is a new image, not yet built.
    const next = await git.addCommit("octo/launch-me", { "requirements.txt": "numpy\npandas\n" });
    expect(await prepareLaunch("gh", "octo/launch-me/main", settings)).toMatchObject({ commit: next, built: false });
  });
});
