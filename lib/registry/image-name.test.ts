import { describe, expect, it } from "vitest";
import { escapeSlug, imageName, registryImageHost, REPOSITORY_NAME, safeSlug, TAG } from "./image-name";
import { parseLaunchInput, parseSpec } from "../launch/repo-spec";

const urls = { gh: "https://github.com", gl: "https://gitlab.com", gist: "https://gist.github.com" };
const registry = { url: "https://registry.example.org", username: undefined, password: undefined, timeoutMs: 1000, imagePrefix: "berth/" };
const commit = "0123456789abcdef0123456789abcdef01234567";

function split(name: string) {
  const colon = name.lastIndexOf(":");
  const [host, ...path] = name.slice(0, colon).split("/");
  return { host, repository: path.join("/"), tag: name.slice(colon + 1) };
}

describe("escapeSlug", () => {
  it("escapes like escapism with '-' and lower-cases", () => {
    expect(escapeSlug("jupyterhub/binder-examples")).toBe("jupyterhub-2fbinder-2dexamples");
    expect(escapeSlug("Org/Repo_1.x")).toBe("org-2frepo-5f1-2ex");
    // Non-ASCII characters are escaped byte by byte (UTF-8).
    expect(escapeSlug("ü")).toBe("-c3-bc");
  });
});

describe("imageName", () => {
  it("is <registry>/<prefix><slug>:<commit>", () => {
    const s = parseSpec("gh", "jupyterhub/binder-examples/main", urls);
    expect(imageName(s, commit, registry)).toBe(`registry.example.org/berth/jupyterhub-2fbinder-2dexamples:${commit}`);
    expect(imageName(s, commit, { ...registry, url: undefined })).toBe(`berth/jupyterhub-2fbinder-2dexamples:${commit}`);
    expect(imageName(s, commit, { ...registry, url: "http://127.0.0.1:5000", imagePrefix: "binder/build-" })).toBe(
      `127.0.0.1:5000/binder/build-jupyterhub-2fbinder-2dexamples:${commit}`,
    );
    expect(imageName(s, commit, { ...registry, url: "https://registry-1.docker.io" })).toMatch(/^docker\.io\/berth\//);
  });

  it("is the same for the same commit however the repository was typed, and differs per commit", () => {
    const a = parseLaunchInput({ repository: "https://github.com/Org/Repo.git", ref: "main" }, urls);
    const b = parseLaunchInput({ repository: "org/repo", ref: "v1" }, urls);
    expect(imageName(a, commit, registry)).toBe(imageName(b, commit, registry));
    expect(imageName(a, commit.toUpperCase(), registry)).toBe(imageName(a, commit, registry));
    expect(imageName(a, "f".repeat(40), registry)).not.toBe(imageName(a, commit, registry));
  });

  // Repositories on different providers may share a name (GitHub a/b and GitLab a/b): the tag,
  // a commit id, then only matches when the content is the same commit, so sharing is harmless.
  it("keeps different repositories apart", () => {
    const names = [
      parseSpec("gh", "a/b-c/HEAD", urls),
      parseSpec("gh", "a-b/c/HEAD", urls),
      parseSpec("gh", "a/b_c/HEAD", urls),
      parseSpec("gh", "a/b.c/HEAD", urls),
      parseSpec("gl", "a%2Fb%2Fc/HEAD", urls),
      parseSpec("gist", "a/bc/HEAD", urls),
      parseSpec("git", "https%3A%2F%2Fexample.org%2Fa%2Fb/HEAD", urls),
      parseSpec("git", "http%3A%2F%2Fexample.org%2Fa%2Fb/HEAD", urls),
    ].map((s) => imageName(s, commit, registry));
    expect(new Set(names).size).toBe(names.length);
  });

  it("always yields a valid OCI reference within 255 characters", () => {
    const sources = [
      parseSpec("gh", "jupyterhub/binder-examples/HEAD", urls),
      parseSpec("gl", `${encodeURIComponent(Array.from({ length: 20 }, (_, i) => `group-${i}-${"x".repeat(40)}`).join("/"))}/HEAD`, urls),
      parseSpec("gl", "_private%2F_x/HEAD", urls),
      parseSpec("git", `${encodeURIComponent(`https://example.org/${"a_b.".repeat(300)}git`)}/HEAD`, urls),
    ];
    for (const reg of [registry, { ...registry, url: "http://127.0.0.1:5000", imagePrefix: "a/".repeat(50) }]) {
      for (const s of sources) {
        const name = imageName(s, commit, reg);
        const { repository, tag } = split(name);
        expect(name.slice(0, name.lastIndexOf(":")).length, name).toBeLessThanOrEqual(255);
        expect(repository, name).toMatch(REPOSITORY_NAME);
        expect(tag).toMatch(TAG);
        expect(imageName(s, commit, reg)).toBe(name);
      }
    }
  });

  it("cuts long names with a hash of the whole repository, so two long names stay distinct", () => {
    const long = "x".repeat(300);
    const a = safeSlug(`${long}a`, 60);
    const b = safeSlug(`${long}b`, 60);
    expect(a).toHaveLength(60);
    expect(a.slice(0, 51)).toBe(b.slice(0, 51));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^x+-[0-9a-f]{8}$/);
    // A slug that would start with a separator is given a hash in front instead.
    expect(safeSlug("_x", 60)).toMatch(/^[0-9a-f]{8}-5fx$/);
    expect(safeSlug("short", 60)).toBe("short");
  });

  it("refuses a tag that is not a commit-like string", () => {
    expect(() => imageName(parseSpec("gh", "o/r/HEAD", urls), "--x", registry)).toThrow(/commit/);
  });

  it("names Docker Hub as docker.io", () => {
    expect(registryImageHost("https://index.docker.io")).toBe("docker.io");
    expect(registryImageHost("http://127.0.0.1:5000")).toBe("127.0.0.1:5000");
    expect(registryImageHost(undefined)).toBeUndefined();
  });
});
