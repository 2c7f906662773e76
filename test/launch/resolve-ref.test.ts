import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config";
import { prepareLaunch } from "../../lib/launch/prepare-launch";
import { parseLaunchInput, parseSpec, type Provider } from "../../lib/launch/repo-spec";
import { resolveRef } from "../../lib/launch/resolve-ref";
import { startGitServer, type GitServerDouble } from "../doubles/git-server";
import { expectRefusal } from "./expect-refusal";

// Refs resolved against a real Git server (git http-backend) through the same smart-HTTP request
// Berth makes of GitHub or GitLab. The "GitHub", "GitLab" and "gist" hosts are the double, under
// different paths, configured exactly as an operator would point Berth at a GitHub Enterprise.

let git: GitServerDouble;
const c: Record<string, string> = {};
let annotatedTagObject = "";

function settings(env: Record<string, string> = {}) {
  return loadConfig({
    BERTH_GITHUB_URL: git.url,
    BERTH_GITLAB_URL: `${git.url}/gitlab`,
    BERTH_GIST_URL: `${git.url}/gist`,
    // The double is on loopback, which Berth refuses unless told otherwise.
    BERTH_LAUNCH_ALLOWED_HOSTS: "127.0.0.1",
    ...env,
  } as unknown as NodeJS.ProcessEnv);
}
const launch = (env?: Record<string, string>) => settings(env).launch;
const resolve = (provider: Provider, spec: string, env?: Record<string, string>) => resolveRef(parseSpec(provider, spec, launch(env).providers), launch(env));

beforeAll(async () => {
  git = await startGitServer();
  c.first = await git.createRepo("octo/hello", { "README.md": "# Hello\n", "requirements.txt": "numpy\n" });
  c.second = await git.addCommit("octo/hello", { "index.ipynb": "{}" });
  c.dev = await git.addCommit("octo/hello", { "dev.txt": "dev" }, "dev");
  await git.addTag("octo/hello", "v1", { commit: c.first });
  annotatedTagObject = await git.addTag("octo/hello", "v2", { commit: c.second, message: "release 2" });
  c.gl = await git.createRepo("gitlab/team/sub/proj", { "environment.yml": "dependencies: [python]\n" });
  c.gist = await git.createRepo("gist/alice/0123abcd", { "notebook.ipynb": "{}" });
  c.trunk = await git.createRepo("plain/repo", { "x.py": "print(1)\n" }, { branch: "trunk" });
  await git.createEmptyRepo("plain/empty");
});

afterAll(async () => {
  await git?.close();
});

describe("resolveRef against a real Git server", () => {
  it("resolves HEAD to the default branch's commit, as git itself does", async () => {
    expect(await resolve("gh", "octo/hello/HEAD")).toEqual({ commit: c.second, ref: "refs/heads/main", repoUrl: `${git.url}/octo/hello` });
    expect(c.second).toBe(await git.revParse("octo/hello", "HEAD"));
    expect(await resolve("git", `${encodeURIComponent(git.repoUrl("plain/repo"))}/HEAD`)).toMatchObject({ commit: c.trunk, ref: "refs/heads/trunk" });
  });

  it("resolves branches, full ref names, tags (annotated ones to their commit) and commits", async () => {
    expect(await resolve("gh", "octo/hello/dev")).toMatchObject({ commit: c.dev, ref: "refs/heads/dev" });
    expect(await resolve("gh", "octo/hello/refs/heads/main")).toMatchObject({ commit: c.second, ref: "refs/heads/main" });
    expect(await resolve("gh", "octo/hello/v1")).toMatchObject({ commit: c.first, ref: "refs/tags/v1" });
    expect(annotatedTagObject).not.toBe(c.second);
    expect(await resolve("gh", "octo/hello/v2")).toMatchObject({ commit: c.second, ref: "refs/tags/v2" });
    // An older commit no ref points at is taken as given: the repository exists.
    expect(await resolve("gh", `octo/hello/${c.first}`)).toMatchObject({ commit: c.first, ref: c.first });
    expect(await resolve("gh", `octo/hello/${c.dev.slice(0, 10)}`)).toMatchObject({ commit: c.dev, ref: c.dev });
  });

  it("resolves GitLab, gist and plain Git specs, and what the launch form reads", async () => {
    expect((await resolve("gl", "team%2Fsub%2Fproj/main")).commit).toBe(c.gl);
    expect((await resolve("gist", "alice/0123abcd/HEAD")).commit).toBe(c.gist);
    const fromForm = parseLaunchInput({ repository: `${git.url}/gitlab/team/sub/proj/-/tree/main` }, launch().providers);
    expect(fromForm.provider).toBe("gl");
    expect((await resolveRef(fromForm, launch())).commit).toBe(c.gl);
    const ghForm = parseLaunchInput({ repository: `${git.url}/octo/hello`, ref: "dev" }, launch().providers);
    expect((await resolveRef(ghForm, launch())).commit).toBe(c.dev);
  });

  it("asks again every time, so a new commit is seen at once", async () => {
    await git.createRepo("octo/moving", { a: "1" });
    const next = await git.addCommit("octo/moving", { a: "2" });
    expect((await resolve("gh", "octo/moving/HEAD")).commit).toBe(next);
  });

  it("speaks to the server as a Git client and sends no credentials", async () => {
    const before = git.requests.length;
    await resolve("gh", "octo/hello/HEAD");
    const req = git.requests.slice(before);
    expect(req).toHaveLength(1);
    expect(req[0].url).toBe("/octo/hello/info/refs?service=git-upload-pack");
    expect(req[0].headers["user-agent"]).toMatch(/^git\//);
    expect(req[0].headers.authorization).toBeUndefined();
  });

  it("follows a redirect to a safe address, and says where the repository answered", async () => {
    const moved = git.redirect(git.url);
    expect(await resolve("git", `${encodeURIComponent(`${moved}/plain/repo.git`)}/HEAD`)).toEqual({ commit: c.trunk, ref: "refs/heads/trunk", repoUrl: git.repoUrl("plain/repo") });
  });
});

describe("refusals", () => {
  it("says a missing repository does not exist or is not public, also for a full commit id", async () => {
    const e = await expectRefusal(resolve("gh", "octo/nope/HEAD"), "not_found", 404);
    expect(e.message).toBe(`The repository ${git.url}/octo/nope does not exist or is not public. Berth launches public repositories only: check the address, or make the repository public.`);
    await expectRefusal(resolve("gh", `octo/nope/${c.first}`), "not_found", 404);
  });

  it("says the same of a repository that needs a login", async () => {
    const e = await expectRefusal(resolve("git", `${encodeURIComponent(`${git.url}/private/octo/hello.git`)}/HEAD`), "not_found", 404);
    expect(e.message).toMatch(/does not exist or is not public\. Berth launches public repositories only/);
    expect(e.details).toEqual({ reason: "repository_not_found" });
  });

  it("names some refs that do exist when the ref does not", async () => {
    const e = await expectRefusal(resolve("gh", "octo/hello/nope"), "not_found", 404);
    expect(e.message).toBe(`The repository ${git.url}/octo/hello has no branch or tag “nope”. It has main, dev, v2, v1. Enter one of those, a full commit id, or HEAD.`);
    expect(e.details).toEqual({ reason: "unknown_ref" });
    expect((await expectRefusal(resolve("gh", "octo/hello/abc123"), "not_found", 404)).message).toMatch(/enter all 40 characters/);
  });

  it("says an empty repository has nothing to launch", async () => {
    const e = await expectRefusal(resolve("git", `${encodeURIComponent(git.repoUrl("plain/empty"))}/HEAD`), "not_found", 404);
    expect(e.message).toMatch(/is empty: it has no commits to launch yet/);
  });

  it("says when an address is not a Git server", async () => {
    const e = await expectRefusal(resolve("git", `${encodeURIComponent(`${git.url}/html/some/page`)}/HEAD`), "invalid_input", 422);
    expect(e.message).toMatch(/is not a Git repository Berth can read/);
  });

  it("gives up on a server that does not answer", async () => {
    const e = await expectRefusal(resolve("git", `${encodeURIComponent(`${git.url}/hang/r.git`)}/HEAD`, { BERTH_GIT_TIMEOUT_SECONDS: "1" }), "timeout", 504);
    expect(e.message).toMatch(/did not answer within 1 seconds/);
  });

  it("says when nothing listens at the address", async () => {
    const e = await expectRefusal(resolve("git", `${encodeURIComponent("http://127.0.0.1:1/r.git")}/HEAD`), "upstream_failed", 502);
    expect(e.message).toMatch(/could not reach 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });

  it("says Berth cannot reach a host whose name does not resolve, not that the repository does not exist", async () => {
    // .invalid never resolves (RFC 6761): the system resolver fails as it does for any host when DNS is down.
    const e = await expectRefusal(resolve("git", `${encodeURIComponent("https://berth-nowhere.invalid/x.git")}/HEAD`), "upstream_failed", 502);
    expect(e.message).toMatch(/^Berth cannot reach berth-nowhere\.invalid: (its name does not resolve \(ENOTFOUND\)|looking up its name failed for now \(EAI_AGAIN)/);
    expect(e.message).toMatch(/Check the host name in the repository's address; .*try again later, or tell an administrator\.$/);
    expect(e.message).not.toMatch(/does not exist|not public/);
    expect(e.details).toEqual({ reason: "host_unreachable", host: "berth-nowhere.invalid" });
  });
});

describe("private and loopback addresses", () => {
  const closed = { BERTH_LAUNCH_ALLOWED_HOSTS: "" };

  it("refuses loopback by default, without connecting", async () => {
    const before = git.requests.length;
    const e = await expectRefusal(resolve("gh", "octo/hello/HEAD", closed), "forbidden", 403);
    expect(e.message).toBe("Berth does not fetch repositories from 127.0.0.1: it is a loopback address (this machine). Only repositories on the public internet can be launched here; an administrator can allow this host.");
    expect(git.requests.length).toBe(before);
  });

  it("refuses a host name that resolves to loopback, at connection time", async () => {
    const port = new URL(git.url).port;
    const before = git.requests.length;
    const e = await expectRefusal(resolve("git", `${encodeURIComponent(`http://localhost:${port}/plain/repo.git`)}/HEAD`, closed), "forbidden", 403);
    expect(e.message).toMatch(/localhost \((127\.0\.0\.1|::1)\): it is a loopback address/);
    expect(git.requests.length).toBe(before);
  });

  it("allows loopback with the operator's flag, or a host the operator lists by name", async () => {
    const port = new URL(git.url).port;
    expect((await resolve("gh", "octo/hello/HEAD", { BERTH_LAUNCH_ALLOWED_HOSTS: "", BERTH_LAUNCH_ALLOW_PRIVATE_HOSTS: "true" })).commit).toBe(c.second);
    const viaName = `${encodeURIComponent(`http://localhost:${port}/plain/repo.git`)}/HEAD`;
    expect((await resolve("git", viaName, { BERTH_LAUNCH_ALLOWED_HOSTS: "localhost" })).commit).toBe(c.trunk);
  });

  it("does not follow a redirect to the metadata service, even with private hosts allowed", async () => {
    const toMetadata = git.redirect("http://169.254.169.254/latest/meta-data");
    const e = await expectRefusal(
      resolve("git", `${encodeURIComponent(`${toMetadata}/repo.git`)}/HEAD`, { BERTH_LAUNCH_ALLOW_PRIVATE_HOSTS: "true" }),
      "forbidden",
      403,
    );
    expect(e.message).toMatch(/169\.254\.169\.254: it is a cloud metadata service address/);
  });

  it("gives up after five redirects", async () => {
    let hop = git.redirect(git.url);
    for (let i = 0; i < 5; i++) hop = git.redirect(hop);
    const e = await expectRefusal(resolve("git", `${encodeURIComponent(`${hop}/plain/repo.git`)}/HEAD`), "invalid_input", 422);
    expect(e.message).toMatch(/redirected more than 5 times/);
  });

  it("does not follow a redirect to another scheme or to a private address", async () => {
    const toFile = git.redirect("file:///etc/passwd");
    expect((await expectRefusal(resolve("git", `${encodeURIComponent(`${toFile}/x.git`)}/HEAD`), "forbidden", 403)).message).toMatch(/file: address/);
    const toPrivate = git.redirect("http://10.0.0.1");
    expect((await expectRefusal(resolve("git", `${encodeURIComponent(`${toPrivate}/x.git`)}/HEAD`), "forbidden", 403)).message).toMatch(/10\.0\.0\.1: it is a private network address/);
  });
});

describe("prepareLaunch", () => {
  it("refuses by the operator's lists before asking the Git server", async () => {
    const s = settings({ BERTH_LAUNCH_DENY: JSON.stringify({ gh: ["^octo/"] }) });
    const before = git.requests.length;
    const e = await expectRefusal(prepareLaunch("gh", "octo/hello/HEAD", s), "forbidden", 403);
    expect(e.message).toBe("This Berth does not launch octo/hello: an administrator has excluded GitHub repositories matching ^octo/.");
    expect(git.requests.length).toBe(before);

    const allowOnly = settings({ BERTH_LAUNCH_ALLOW: JSON.stringify({ gh: ["^myorg/"] }) });
    expect((await expectRefusal(prepareLaunch("gh", "octo/hello/HEAD", allowOnly), "forbidden", 403)).message).toMatch(/only launches GitHub repositories matching \^myorg\//);
    // Naming the same repository as a plain Git address does not get round the list…
    await expectRefusal(prepareLaunch("git", `${encodeURIComponent(`${git.url}/octo/hello.git`)}/HEAD`, s), "forbidden", 403);
    // …and neither does an address elsewhere that redirects to it.
    const detour = git.redirect(git.url);
    const e2 = await expectRefusal(prepareLaunch("git", `${encodeURIComponent(`${detour}/octo/hello.git`)}/HEAD`, s), "forbidden", 403);
    expect(e2.message).toMatch(/does not launch octo\/hello: an administrator has excluded GitHub repositories/);
  });

  it("resolves and names the image without a registry", async () => {
    const p = await prepareLaunch("gh", "octo/hello/dev", settings());
    expect(p).toMatchObject({ commit: c.dev, resolvedRef: "refs/heads/dev", fetchUrl: `${git.url}/octo/hello`, imageName: `berth/octo-2fhello:${c.dev}`, built: undefined });
  });
});
