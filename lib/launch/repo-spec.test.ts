import { describe, expect, it } from "vitest";
import { badgeMarkdown, badgeSnippets, buildSpec, checkGitUrl, checkRef, launchPath, launchUrl, parseLaunchInput, parseSpec, refUrl, type LaunchInput } from "./repo-spec";
import { refusal } from "../../test/helpers/refusal";

const urls = { gh: "https://github.com", gl: "https://gitlab.com", gist: "https://gist.github.com" };
const parse = (repository: string, ref?: string, provider?: LaunchInput["provider"]) => parseLaunchInput({ repository, ref, provider }, urls);

const refused = (fn: () => unknown) => refusal(fn, { code: "invalid_input", status: 422 });

describe("parseLaunchInput", () => {
  it.each([
    ["jupyterhub/binder-examples", undefined, "jupyterhub/binder-examples/HEAD", "https://github.com/jupyterhub/binder-examples"],
    ["https://github.com/jupyterhub/binder-examples", "main", "jupyterhub/binder-examples/main", "https://github.com/jupyterhub/binder-examples"],
    ["https://github.com/jupyterhub/binder-examples.git", "", "jupyterhub/binder-examples/HEAD", "https://github.com/jupyterhub/binder-examples"],
    ["https://github.com/jupyterhub/binder-examples/", "  v1.0 ", "jupyterhub/binder-examples/v1.0", "https://github.com/jupyterhub/binder-examples"],
    ["github.com/o/r", undefined, "o/r/HEAD", "https://github.com/o/r"],
    ["http://github.com/o/r", undefined, "o/r/HEAD", "https://github.com/o/r"],
    ["https://github.com/o/r/tree/feature/x", undefined, "o/r/feature/x", "https://github.com/o/r"],
    ["https://github.com/o/r/tree/feature/x", "dev", "o/r/dev", "https://github.com/o/r"],
  ])("reads GitHub input %s (ref %s)", (repository, ref, spec, repoUrl) => {
    const s = parse(repository, ref);
    expect(s).toMatchObject({ provider: "gh", spec, repoUrl });
  });

  it("reads GitLab addresses with nested groups, /-/tree/ refs and .git", () => {
    expect(parse("https://gitlab.com/g/sub/r")).toEqual({
      provider: "gl",
      repo: "g/sub/r",
      ref: "HEAD",
      spec: "g%2Fsub%2Fr/HEAD",
      repoUrl: "https://gitlab.com/g/sub/r.git",
    });
    expect(parse("https://gitlab.com/g/sub/r.git", "main").spec).toBe("g%2Fsub%2Fr/main");
    expect(parse("gitlab.com/g/r/-/tree/release/2").spec).toBe("g%2Fr/release/2");
    expect(parse("g/sub/r", undefined, "gl").spec).toBe("g%2Fsub%2Fr/HEAD");
    expect(parse("my.group/proj", undefined, "gl").repo).toBe("my.group/proj");
  });

  it("reads gist addresses", () => {
    expect(parse("https://gist.github.com/alice/0123abcd")).toEqual({
      provider: "gist",
      repo: "alice/0123abcd",
      ref: "HEAD",
      spec: "alice/0123abcd/HEAD",
      repoUrl: "https://gist.github.com/alice/0123abcd.git",
    });
    expect(parse("gist.github.com/alice/0123abcd/" + "a".repeat(40)).ref).toBe("a".repeat(40));
    expect(parse("alice/0123abcd", "HEAD", "gist").spec).toBe("alice/0123abcd/HEAD");
    expect(refused(() => parse("https://gist.github.com/0123abcd")).message).toMatch(/with the user name/);
  });

  it("takes any other https address as a plain Git repository, URL-escaped in the spec", () => {
    const s = parse("https://git.example.org/team/Project.git", "main");
    expect(s).toEqual({
      provider: "git",
      repo: "https://git.example.org/team/Project",
      ref: "main",
      spec: "https%3A%2F%2Fgit.example.org%2Fteam%2FProject.git/main",
      repoUrl: "https://git.example.org/team/Project.git",
    });
    expect(parse("HTTPS://Git.Example.org:443/x/").repoUrl).toBe("https://git.example.org/x");
    expect(parse("http://git.example.org:8080/x").repoUrl).toBe("http://git.example.org:8080/x");
    expect(parse("example.org/x/y").repoUrl).toBe("https://example.org/x/y");
    // Forcing git keeps a GitHub address a plain Git one.
    expect(parse("https://github.com/o/r", undefined, "git").provider).toBe("git");
  });

  it("honours providers configured on other hosts and under paths", () => {
    const local = { gh: "http://127.0.0.1:9000", gl: "http://127.0.0.1:9000/gitlab", gist: "http://127.0.0.1:9000/gist" };
    expect(parseLaunchInput({ repository: "http://127.0.0.1:9000/o/r" }, local)).toMatchObject({ provider: "gh", repoUrl: "http://127.0.0.1:9000/o/r" });
    expect(parseLaunchInput({ repository: "http://127.0.0.1:9000/gitlab/g/s/r" }, local)).toMatchObject({ provider: "gl", repoUrl: "http://127.0.0.1:9000/gitlab/g/s/r.git" });
    expect(parseLaunchInput({ repository: "http://127.0.0.1:9000/gist/u/abc" }, local)).toMatchObject({ provider: "gist", repoUrl: "http://127.0.0.1:9000/gist/u/abc.git" });
    expect(parseLaunchInput({ repository: "ghe.corp.example/o/r" }, { ...urls, gh: "https://ghe.corp.example" })).toMatchObject({ provider: "gh", repoUrl: "https://ghe.corp.example/o/r" });
  });

  it("refuses a forced provider for an address on another host", () => {
    expect(refused(() => parse("https://example.org/a/b", undefined, "gh")).message).toMatch(/not on GitHub/);
  });

  it.each([
    ["", /Enter a repository/],
    ["   ", /Enter a repository/],
    ["owner only", /spaces/],
    ["o/r\n", undefined],
    ["o/ r", /spaces/],
    ["--upload-pack=touch /tmp/pwned", /spaces|start with/],
    ["--upload-pack=x", /start with “-”/],
    ["-o/r", /start with “-”/],
    ["ext::sh -c touch% /tmp/pwned", /spaces|https/],
    ["ext::sh", /https:\/\/ \(or http:\/\/\) only, not ext:/],
    ["file:///etc", /only, not file:/],
    ["file:///etc/passwd", /only, not file:/],
    ["/etc/passwd", /not folders/],
    ["../other/repo", /not folders/],
    ["~/repo", /not folders/],
    ["ssh://git@github.com/o/r.git", /only, not ssh:/],
    ["git://github.com/o/r.git", /only, not git:/],
    ["git@github.com:o/r.git", /not SSH\. Enter https:\/\/github.com\/o\/r.git/],
    ["github.com:o/r", /not SSH/],
    ["https://user:secret@example.org/r.git", /Remove the user name and password/],
    ["https://token@github.com/o/r", /Remove the user name and password/],
    ["https://example.org/r.git?x=1", /Remove the “\?…”/],
    ["https://example.org/r.git#frag", /Remove the “\?…”/],
    ["https://example.org/", /full address/],
    ["https://example.org", /full address/],
    ["https:///r.git", /host/],
    ["a/b/c", /neither owner\/repo/],
    ["https://github.com/o", /owner and name/],
    ["https://github.com/o/r/blob/main/x.ipynb", /own address/],
    ["https://github.com/-o/r", /user or organisation/],
    ["o/..", /repository name/],
    ["o/r%20x", /repository name/],
    ["javascript:alert(1)", /only, not javascript:/],
  ])("refuses %j", (repository, message) => {
    if (message === undefined) {
      // A trailing newline is just whitespace around the input.
      expect(parse(repository).spec).toBe("o/r/HEAD");
      return;
    }
    expect(refused(() => parse(repository)).message).toMatch(message);
  });

  it.each([
    ["--upload-pack=touch /tmp/x", /starts with “-”|space/],
    ["-c", /starts with “-”/],
    ["main branch", /space/],
    ["a..b", /“\.\.”/],
    ["x:y", /~ \^ :/],
    ["HEAD~1", /~ \^ :/],
    ["ref^{}", /~ \^ :/],
    ["refs/heads/", /empty part/],
    ["/main", /empty part/],
    ["a//b", /empty part/],
    ["x.lock", /\.lock/],
    [".hidden", /starts with “\.”/],
    ["main.", /ends with “\.”/],
    ["@{-1}", /@\{/],
    ["a\u0000b", /space/],
    ["x".repeat(256), /longer than 255/],
  ])("refuses the ref %j", (ref, message) => {
    const err = refused(() => parse("o/r", ref));
    expect(err.message).toMatch(message);
    expect(err.details).toEqual({ reason: "invalid_ref" });
  });

  it("accepts refs Git accepts", () => {
    for (const ref of ["main", "v1.0.0", "feature/x-y_z", "refs/pull/12/head", "0123456789abcdef0123456789abcdef01234567", "abc1234", "release+2024", "HEAD"]) {
      expect(checkRef(ref)).toBe(ref);
    }
    expect(checkRef(undefined)).toBe("HEAD");
    expect(checkRef("  ")).toBe("HEAD");
  });
});

describe("specs", () => {
  it.each([
    ["gh", "jupyterhub/binder-examples/HEAD"],
    ["gh", "o/r/feature/deep/branch"],
    ["gh", "o/r/v1.0%2Bbuild"],
    ["gl", "group%2Fsub%2Fproject/main"],
    ["gl", "group%2Fproject/feature%2Fx"],
    ["gist", "alice/0123abcd/HEAD"],
    ["git", "https%3A%2F%2Fgit.example.org%2Fteam%2Frepo.git/main"],
    ["git", "https%3A%2F%2Fgit.example.org%2Frepo/0123456789abcdef0123456789abcdef01234567"],
    ["git", "http%3A%2F%2Fgit.example.org%3A8080%2Frepo/feature/x"],
  ])("round-trips %s %s", (provider, spec) => {
    const source = parseSpec(provider, spec, urls);
    expect(source.spec).toBe(spec.replace("feature%2Fx", "feature/x"));
    expect(parseSpec(provider, source.spec, urls)).toEqual(source);
    expect(buildSpec(source.provider, source.provider === "git" ? source.repoUrl : source.repo, source.ref, urls)).toBe(source.spec);
  });

  it("builds specs exactly as BinderHub's form does", () => {
    expect(buildSpec("gh", "jupyterhub/binder-examples", "HEAD", urls)).toBe("jupyterhub/binder-examples/HEAD");
    expect(buildSpec("gl", "group/sub/project", "main", urls)).toBe("group%2Fsub%2Fproject/main");
    expect(buildSpec("git", "https://example.org/repo.git", "main", urls)).toBe("https%3A%2F%2Fexample.org%2Frepo.git/main");
    expect(buildSpec("gist", "alice/0123abcd", undefined, urls)).toBe("alice/0123abcd/HEAD");
  });

  it("decodes the ref and the escaped parts", () => {
    expect(parseSpec("gl", "group%2Fproject/feature%2Fx", urls)).toMatchObject({ repo: "group/project", ref: "feature/x", repoUrl: "https://gitlab.com/group/project.git" });
    expect(parseSpec("git", "https%3A%2F%2Fgit.example.org%2Frepo.git/release%2F1", urls)).toMatchObject({ repoUrl: "https://git.example.org/repo.git", ref: "release/1" });
    expect(parseSpec("gh", "o/r.git/main", urls)).toMatchObject({ repo: "o/r", spec: "o/r/main" });
  });

  it("takes a missing ref as HEAD", () => {
    expect(parseSpec("gh", "o/r", urls).ref).toBe("HEAD");
    expect(parseSpec("gh", "o/r/", urls).ref).toBe("HEAD");
    expect(parseSpec("gl", "g%2Fp", urls).ref).toBe("HEAD");
    expect(parseSpec("gist", "alice/0123abcd", urls).ref).toBe("HEAD");
    expect(parseSpec("git", "https%3A%2F%2Fexample.org%2Fr", urls).ref).toBe("HEAD");
  });

  it.each([
    ["zenodo", "10.5281/zenodo.1", /not a repository provider/],
    ["gh", "o", /owner\/repo\/ref/],
    ["gh", "o/r/%zz", /not validly escaped/],
    ["gh", "o/r/--upload-pack=x", /starts with “-”/],
    ["gh", "o/r/%2D%2Dupload-pack%3Dx", /starts with “-”/],
    ["gl", "project/main", /group\/project/],
    ["gl", "g%2F..%2Fx/main", /GitLab project path/],
    ["git", "https://example.org/r.git/main", /must be URL-escaped/],
    ["git", "file%3A%2F%2F%2Fetc%2Fpasswd/HEAD", /only, not file:/],
    ["git", "ext%3A%3Ash%20-c%20id/HEAD", /spaces/],
    ["git", "ext%3A%3Ash/HEAD", /only, not ext:/],
    ["git", "https%3A%2F%2Fu%3Ap%40example.org%2Fr/HEAD", /Remove the user name and password/],
    ["git", "%2D%2Dupload-pack%3Dx/HEAD", /start with “-”/],
    ["gist", "alice/not-hex!/HEAD", /gist id/],
  ])("refuses %s spec %s", (provider, spec, message) => {
    expect(refused(() => parseSpec(provider, spec, urls)).message).toMatch(message);
  });
});

describe("checkGitUrl", () => {
  it("canonicalises host case, default ports and trailing slashes", () => {
    expect(checkGitUrl("https://EXAMPLE.org:443/a/b/")).toBe("https://example.org/a/b");
    expect(checkGitUrl("http://example.org:80/a")).toBe("http://example.org/a");
    expect(checkGitUrl("https://[::1]:8443/r")).toBe("https://[::1]:8443/r");
  });
  it("resolves dot segments instead of passing them on", () => {
    expect(checkGitUrl("https://example.org/a/../b")).toBe("https://example.org/b");
  });
});

describe("links", () => {
  const source = parseSpec("gh", "o/r/main", urls);

  it("builds the shareable launch path with the open-path parameters, labpath winning", () => {
    expect(launchPath(source)).toBe("/v2/gh/o/r/main");
    expect(launchPath(source, { labpath: "notebooks/Intro.ipynb", urlpath: "lab" })).toBe("/v2/gh/o/r/main?labpath=notebooks%2FIntro.ipynb");
    expect(launchPath(source, { filepath: "/x.ipynb" })).toBe("/v2/gh/o/r/main?filepath=x.ipynb");
    expect(launchPath(source, { urlpath: "voila/render/a.ipynb" })).toBe("/v2/gh/o/r/main?urlpath=voila%2Frender%2Fa.ipynb");
    expect(launchPath(parseLaunchInput({ repository: "https://gitlab.com/g/sub/r" }, urls))).toBe("/v2/gl/g%2Fsub%2Fr/HEAD");
    expect(launchUrl(source, {}, "https://berth.example.org/")).toBe("https://berth.example.org/v2/gh/o/r/main");
  });

  it("builds badge markdown that survives parentheses in paths", () => {
    expect(badgeMarkdown(source, {}, "https://berth.example.org")).toBe("[![Launch in Berth](https://berth.example.org/badge.svg)](https://berth.example.org/v2/gh/o/r/main)");
    const md = badgeMarkdown(source, { labpath: "a (1).ipynb" }, "https://berth.example.org");
    expect(md).toBe("[![Launch in Berth](https://berth.example.org/badge.svg)](https://berth.example.org/v2/gh/o/r/main?labpath=a+%281%29.ipynb)");
  });

  it("offers the badge in Markdown, reStructuredText and HTML, each escaped for its markup", () => {
    const b = badgeSnippets(source, { labpath: "a (1)&<b>.ipynb" }, "https://berth.example.org/");
    expect(b.image).toBe("https://berth.example.org/badge.svg");
    expect(b.target).toBe("https://berth.example.org/v2/gh/o/r/main?labpath=a+%281%29%26%3Cb%3E.ipynb");
    expect(b.markdown).toBe(`[![Launch in Berth](https://berth.example.org/badge.svg)](${b.target})`);
    expect(b.rst).toBe(`.. image:: https://berth.example.org/badge.svg\n   :alt: Launch in Berth\n   :target: ${b.target}`);
    expect(b.html).toBe(`<a href="${b.target}"><img src="https://berth.example.org/badge.svg" alt="Launch in Berth"></a>`);
    // A quote in a path (URLSearchParams leaves it) cannot end the HTML attribute.
    const q = badgeSnippets(parseLaunchInput({ repository: "https://example.org/x\"y.git" }, urls), {}, "https://berth.example.org");
    expect(q.html).not.toContain('x"y');
  });

  it("links to the repository at a commit", () => {
    const c = "0123456789abcdef0123456789abcdef01234567";
    expect(refUrl(source, c, urls)).toBe(`https://github.com/o/r/tree/${c}`);
    expect(refUrl(parseSpec("gl", "g%2Fp/main", urls), c, urls)).toBe(`https://gitlab.com/g/p/-/tree/${c}`);
    expect(refUrl(parseSpec("gist", "u/abc/HEAD", urls), c, urls)).toBe(`https://gist.github.com/u/abc/${c}`);
    expect(refUrl(parseSpec("git", "https%3A%2F%2Fexample.org%2Fr.git/main", urls), c, urls)).toBe("https://example.org/r.git");
  });
});
