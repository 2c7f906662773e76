import { describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { checkAllowed } from "./allow-deny";
import { parseLaunchInput, parseSpec } from "./repo-spec";
import { refusal } from "../../test/helpers/refusal";

const rules = (env: Record<string, string>) => loadConfig(env as unknown as NodeJS.ProcessEnv).launch;
const urls = rules({}).providers;

const refused = (fn: () => unknown) => refusal(fn, { code: "forbidden", status: 403 });

describe("checkAllowed", () => {
  it("lets everything through with no lists", () => {
    expect(() => checkAllowed(parseSpec("gh", "any/thing/HEAD", urls), rules({}))).not.toThrow();
  });

  it("launches only what the allow list matches, and says what it allows", () => {
    const r = rules({ BERTH_LAUNCH_ALLOW: JSON.stringify({ gh: ["^myorg/", "^partner/tools$"] }) });
    expect(() => checkAllowed(parseSpec("gh", "myorg/x/HEAD", urls), r)).not.toThrow();
    expect(() => checkAllowed(parseSpec("gh", "MyOrg/X/HEAD", urls), r)).not.toThrow();
    expect(() => checkAllowed(parseSpec("gh", "partner/tools/HEAD", urls), r)).not.toThrow();
    const e = refused(() => checkAllowed(parseSpec("gh", "other/x/HEAD", urls), r));
    expect(e.message).toBe("This Berth only launches GitHub repositories matching ^myorg/ or ^partner/tools$; other/x does not match. Choose one of those repositories.");
    expect(e.details).toEqual({ reason: "not_allowed" });
    // Other providers have no allow list, so are not limited by gh's.
    expect(() => checkAllowed(parseSpec("gl", "g%2Fp/HEAD", urls), r)).not.toThrow();
  });

  it("switches a provider off with an empty list", () => {
    const r = rules({ BERTH_LAUNCH_ALLOW: JSON.stringify({ gist: [] }) });
    expect(refused(() => checkAllowed(parseSpec("gist", "u/abc/HEAD", urls), r)).message).toBe("This Berth does not launch Gist repositories. Choose a repository from a provider it allows.");
  });

  it("lets deny win over allow, in any case", () => {
    const r = rules({ BERTH_LAUNCH_ALLOW: JSON.stringify({ gh: ["^myorg/"] }), BERTH_LAUNCH_DENY: JSON.stringify({ gh: ["^myorg/secret-"] }) });
    expect(() => checkAllowed(parseSpec("gh", "myorg/public/HEAD", urls), r)).not.toThrow();
    const e = refused(() => checkAllowed(parseSpec("gh", "MYORG/Secret-Plans/HEAD", urls), r));
    expect(e.message).toBe("This Berth does not launch MYORG/Secret-Plans: an administrator has excluded GitHub repositories matching ^myorg/secret-.");
    expect(e.details).toEqual({ reason: "denied" });
  });

  it("matches git rules against the address without .git", () => {
    const r = rules({ BERTH_LAUNCH_DENY: JSON.stringify({ git: ["^https://git\\.evil\\.example/"] }), BERTH_LAUNCH_ALLOW: JSON.stringify({ git: ["^https://git\\.good\\.example/[^/]+/[^/]+$"] }) });
    expect(() => checkAllowed(parseLaunchInput({ repository: "https://git.good.example/team/repo.git" }, urls), r)).not.toThrow();
    refused(() => checkAllowed(parseLaunchInput({ repository: "https://git.good.example/team/sub/repo.git" }, urls), r));
    refused(() => checkAllowed(parseLaunchInput({ repository: "https://git.evil.example/x.git" }, urls), r));
  });

  it("cannot be dodged by naming a GitHub repository as a plain Git address, or the other way round", () => {
    const deny = rules({ BERTH_LAUNCH_DENY: JSON.stringify({ gh: ["^evil/"] }) });
    const viaGit = parseLaunchInput({ repository: "https://github.com/Evil/x.git", provider: "git" }, urls);
    expect(viaGit.provider).toBe("git");
    expect(refused(() => checkAllowed(viaGit, deny)).message).toMatch(/excluded GitHub repositories matching \^evil\//);

    const denyGit = rules({ BERTH_LAUNCH_DENY: JSON.stringify({ git: ["^https://github\\.com/evil/"] }) });
    refused(() => checkAllowed(parseSpec("gh", "evil/x/HEAD", urls), denyGit));

    const allow = rules({ BERTH_LAUNCH_ALLOW: JSON.stringify({ gh: ["^myorg/"] }) });
    refused(() => checkAllowed(parseLaunchInput({ repository: "https://github.com/other/x", provider: "git" }, urls), allow));
    expect(() => checkAllowed(parseLaunchInput({ repository: "https://github.com/myorg/x", provider: "git" }, urls), allow)).not.toThrow();

    // An allow list for git addresses does not stop GitHub repositories named as gh.
    const allowGit = rules({ BERTH_LAUNCH_ALLOW: JSON.stringify({ git: ["^https://internal\\.example/"] }) });
    expect(() => checkAllowed(parseSpec("gh", "o/r/HEAD", urls), allowGit)).not.toThrow();
    refused(() => checkAllowed(parseLaunchInput({ repository: "https://github.com/o/r", provider: "git" }, urls), allowGit));
  });

  it("maps GitLab and gist addresses to their providers too", () => {
    const r = rules({ BERTH_LAUNCH_DENY: JSON.stringify({ gl: ["^bad/"], gist: ["^mallory/"] }) });
    refused(() => checkAllowed(parseLaunchInput({ repository: "https://gitlab.com/bad/sub/x.git", provider: "git" }, urls), r));
    refused(() => checkAllowed(parseLaunchInput({ repository: "https://gist.github.com/mallory/abc.git", provider: "git" }, urls), r));
    expect(() => checkAllowed(parseLaunchInput({ repository: "https://gitlab.com/good/x.git", provider: "git" }, urls), r)).not.toThrow();
  });
});
