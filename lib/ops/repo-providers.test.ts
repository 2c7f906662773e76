import { describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { listRepoProviders, type RepoProviderInfo } from "./repo-providers";

const providers = (env: Record<string, string> = {}) => listRepoProviders(loadConfig(env as unknown as NodeJS.ProcessEnv));
const byId = (list: RepoProviderInfo[], id: string) => list.find((p) => p.id === id)!;
/** What BinderHub's front end does with detect.regex: the `repo` group, or nothing. */
const detect = (p: RepoProviderInfo, input: string, flags = "") => new RegExp(p.detect.regex, flags).exec(input)?.groups?.repo;

describe("listRepoProviders", () => {
  it("lists the four providers in BinderHub's shape", () => {
    const list = providers();
    expect(list.map((p) => p.id)).toEqual(["gh", "gl", "gist", "git"]);
    for (const p of list) {
      expect(Object.keys(p).sort()).toEqual(["detect", "displayName", "id", "ref", "repo", "spec"]);
      expect(p.ref).toMatchObject({ enabled: true, default: "HEAD" });
      expect(p.repo.label).toBeTruthy();
      expect(p.repo.placeholder).toMatch(/^example: /);
      // Valid for the front end whichever flags it compiles with.
      expect(() => new RegExp(p.detect.regex, "u")).not.toThrow();
      expect(() => new RegExp(p.spec.validateRegex, "u")).not.toThrow();
    }
    expect(byId(list, "gh")).toMatchObject({ displayName: "GitHub", repo: { urlEncode: false } });
    expect(byId(list, "gl")).toMatchObject({ displayName: "GitLab.com", repo: { urlEncode: true } });
    expect(byId(list, "git").repo.urlEncode).toBe(true);
  });

  it("detects the repository part of what people paste", () => {
    const list = providers();
    const gh = byId(list, "gh");
    expect(detect(gh, "jupyterhub/binder-examples")).toBe("jupyterhub/binder-examples");
    expect(detect(gh, "https://github.com/jupyterhub/binder-examples")).toBe("jupyterhub/binder-examples");
    expect(detect(gh, "https://github.com/jupyterhub/binder-examples.git")).toBe("jupyterhub/binder-examples");
    expect(detect(gh, "github.com/jupyterhub/binder-examples/tree/main")).toBe("jupyterhub/binder-examples");
    expect(detect(gh, "https://gitlab.com/group/project")).toBeUndefined();
    const gl = byId(list, "gl");
    expect(detect(gl, "https://gitlab.com/group/sub/project")).toBe("group/sub/project");
    expect(detect(gl, "https://gitlab.com/group/project.git")).toBe("group/project");
    expect(detect(gl, "https://gitlab.com/group/project/-/tree/main", "u")).toBe("group/project");
    expect(detect(byId(list, "gist"), "https://gist.github.com/alice/0123abcd")).toBe("alice/0123abcd");
    expect(detect(byId(list, "git"), "https://example.org/repo.git/")).toBe("https://example.org/repo.git");
    expect(detect(byId(list, "git"), "ssh://example.org/repo.git")).toBeUndefined();
    expect(new RegExp(gh.spec.validateRegex).test("jupyterhub/binder-examples/HEAD")).toBe(true);
    expect(new RegExp(gh.spec.validateRegex).test("jupyterhub/HEAD")).toBe(false);
  });

  it("follows the configured provider addresses", () => {
    const list = providers({ BERTH_GITHUB_URL: "https://ghe.example.org/github", BERTH_GITLAB_URL: "https://git.example.org:8443" });
    const gh = byId(list, "gh");
    expect(gh.displayName).toBe("GitHub (ghe.example.org/github)");
    expect(gh.repo.placeholder).toContain("https://ghe.example.org/github/jupyterhub/binder-examples");
    expect(detect(gh, "https://ghe.example.org/github/team/tool")).toBe("team/tool");
    expect(detect(gh, "https://github.com/team/tool")).toBeUndefined();
    expect(detect(gh, "https://gheXexample.org/github/team/tool")).toBeUndefined();
    const gl = byId(list, "gl");
    expect(gl.displayName).toBe("GitLab (git.example.org:8443)");
    expect(gl.repo.label).toContain("GitLab (git.example.org:8443)");
    expect(detect(gl, "https://git.example.org:8443/group/project")).toBe("group/project");
  });

  it("leaves out a provider the operator switched off", () => {
    expect(providers({ BERTH_LAUNCH_ALLOW: '{"gist": [], "gh": ["^myorg/"]}' }).map((p) => p.id)).toEqual(["gh", "gl", "git"]);
  });
});
