import { describe, expect, it } from "vitest";
import { loadConfig as load } from "../config";
import { profileRequestLink, takesSummary } from "./profile-request";

const loadConfig = (env: Record<string, string>) => load(env as unknown as NodeJS.ProcessEnv);

describe("BERTH_PROFILE_REQUEST_URL", () => {
  it("fills {user} and {summary} in, URL-encoded, so typed text cannot add parameters", () => {
    const t = "https://desk.example.org/portal/2/create/10?summary={summary}&reporter={user}";
    const link = profileRequestLink(t, "ann.lee@corp", "GPU for training & more?x=1#frag");
    expect(link).toBe("https://desk.example.org/portal/2/create/10?summary=GPU%20for%20training%20%26%20more%3Fx%3D1%23frag&reporter=ann.lee%40corp");
    const u = new URL(link);
    expect([...u.searchParams.keys()]).toEqual(["summary", "reporter"]);
    expect(u.searchParams.get("summary")).toBe("GPU for training & more?x=1#frag");
    expect(u.hash).toBe("");
  });

  it("says something when nothing was typed, and leaves an address without placeholders as it is", () => {
    expect(new URL(profileRequestLink("https://x.example/?s={summary}", "bob", "  ")).searchParams.get("s")).toBe("A server profile for bob");
    expect(profileRequestLink("https://x.example/new", "bob", "gpu")).toBe("https://x.example/new");
    expect(takesSummary("https://x.example/new")).toBe(false);
    expect(takesSummary("https://x.example/?s={summary}")).toBe(true);
  });

  it("is read by the configuration: an http(s) address, only the known placeholders", () => {
    expect(loadConfig({ BERTH_PROFILE_REQUEST_URL: "https://desk.example.org/new?summary={summary}&u={user}" }).profileRequestUrl).toBe("https://desk.example.org/new?summary={summary}&u={user}");
    expect(loadConfig({}).profileRequestUrl).toBeUndefined();
    expect(() => loadConfig({ BERTH_PROFILE_REQUEST_URL: "javascript:alert(1)" })).toThrow(/BERTH_PROFILE_REQUEST_URL: an http\(s\) address/);
    expect(() => loadConfig({ BERTH_PROFILE_REQUEST_URL: "https://x.example/?s={title}" })).toThrow(/BERTH_PROFILE_REQUEST_URL/);
    expect(() => loadConfig({ BERTH_PROFILE_REQUEST_URL: "not a url" })).toThrow(/BERTH_PROFILE_REQUEST_URL/);
  });
});
