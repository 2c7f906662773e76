import { describe, expect, it } from "vitest";
import { parseChallenge, parseImageName } from "./registry";

describe("parseChallenge", () => {
  it("reads Docker Hub's Bearer challenge, commas inside quotes included", () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/x:pull,push"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/x:pull,push" },
    });
  });

  it("reads Basic, unquoted values, spaces and escapes", () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: "basic", params: { realm: "Registry Realm" } });
    expect(parseChallenge('Bearer realm=https://x/token, service="a\\"b" , error="invalid_token"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://x/token", service: 'a"b', error: "invalid_token" },
    });
    expect(parseChallenge(undefined)).toBeUndefined();
    expect(parseChallenge("")).toBeUndefined();
  });
});

describe("parseImageName", () => {
  it.each([
    ["registry.example.org/berth/o-2fr:abc", { host: "registry.example.org", repository: "berth/o-2fr", reference: "abc" }],
    ["127.0.0.1:5000/berth/x:tag", { host: "127.0.0.1:5000", repository: "berth/x", reference: "tag" }],
    ["localhost/x:t", { host: "localhost", repository: "x", reference: "t" }],
    ["berth/x:t", { host: undefined, repository: "berth/x", reference: "t" }],
    ["berth/x", { host: undefined, repository: "berth/x", reference: "latest" }],
    ["r.example:5000/a/b@sha256:00ff", { host: "r.example:5000", repository: "a/b", reference: "sha256:00ff" }],
  ])("%s", (name, parts) => {
    expect(parseImageName(name)).toEqual(parts);
  });
});
