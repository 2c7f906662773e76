import { describe, expect, it } from "vitest";
import { checkRedirectPath, relativeSegments, safeRedirectPath } from "./safe-redirect";

describe("safeRedirectPath", () => {
  it("keeps same-origin paths with their query and fragment", () => {
    expect(safeRedirectPath("/servers", "/x")).toBe("/servers");
    expect(safeRedirectPath("/v2/gh/a/b/HEAD?labpath=index.ipynb", "/x")).toBe("/v2/gh/a/b/HEAD?labpath=index.ipynb");
    expect(safeRedirectPath("/user/alice/lab/tree/my%20notes.ipynb#cell", "/x")).toBe("/user/alice/lab/tree/my%20notes.ipynb#cell");
    expect(safeRedirectPath("/v2/git/https%3A%2F%2Fexample.org%2Fr.git/HEAD", "/x")).toBe("/v2/git/https%3A%2F%2Fexample.org%2Fr.git/HEAD");
    expect(safeRedirectPath(["/servers", "/admin"], "/x")).toBe("/servers");
  });

  it("escapes what a Location header cannot carry instead of failing", () => {
    expect(safeRedirectPath("/user/alice/lab/tree/café.ipynb", "/x")).toBe("/user/alice/lab/tree/caf%C3%A9.ipynb");
    expect(safeRedirectPath("/servers?q=a b", "/x")).toBe("/servers?q=a%20b");
  });

  // Each variant of issue 9 point 6, as the page receives it (searchParams decode once).
  it.each([
    ["TAB after the first slash (Chromium follows it to evil.example)", "/\t/evil.example"],
    ["LF", "/\n/evil.example"],
    ["CR", "/\r/evil.example"],
    ["NUL", "/\u0000/evil.example"],
    ["ideographic space U+3000", "/\u3000/evil.example"],
    ["no-break space", "/\u00a0/evil.example"],
    ["line separator U+2028", "/\u2028/evil.example"],
    ["zero-width space", "/\u200b/evil.example"],
    ["protocol-relative", "//evil.example/"],
    ["slash-backslash", "/\\evil.example"],
    ["backslash inside", "/servers\\..\\..\\evil"],
    ["absolute URL", "http://evil.example/"],
    ["javascript:", "javascript:alert(1)"],
    ["scheme-relative with three slashes", "///evil.example"],
    ["relative path", "servers"],
    ["empty", ""],
    ["escaped TAB", "/%09/evil.example"],
    ["escaped LF", "/%0A/evil.example"],
    ["escaped ideographic space", "/%E3%80%80/evil.example"],
    ["escaped slash making //", "/%2F/evil.example"],
    ["escaped backslash", "/%5Cevil.example"],
    ["dot segments", "/servers/../admin"],
    ["escaped dot segments", "/user/alice/%2e%2e/%2e%2e/admin"],
    ["doubly escaped dot segments", "/user/alice/%252e%252e/%252e%252e/admin"],
    ["triply escaped dot segments", "/user/alice/%25252e%25252e/admin"],
    ["a single dot", "/user/./alice"],
    ["doubly escaped TAB", "/%2509/evil.example"],
    ["raw LF in the query", "/servers?x=\n"],
  ])("refuses %s", (_what, raw) => {
    expect(checkRedirectPath(raw)).toBeNull();
    expect(safeRedirectPath(raw, "/servers")).toBe("/servers");
  });

  it("refuses what is not a string, and very long targets", () => {
    expect(safeRedirectPath(undefined, "/servers")).toBe("/servers");
    expect(safeRedirectPath(42, "/servers")).toBe("/servers");
    expect(safeRedirectPath(`/${"a".repeat(5000)}`, "/servers")).toBe("/servers");
  });

  it("keeps an escaped percent sign that is not an escape of anything", () => {
    expect(safeRedirectPath("/user/alice/files/100%25.txt", "/x")).toBe("/user/alice/files/100%25.txt");
    expect(safeRedirectPath("/user/alice/files/100%.txt", "/x")).toBe("/user/alice/files/100%.txt");
  });

  it("with `within`, keeps the target inside that prefix", () => {
    const base = "/user/alice/lab1/";
    expect(safeRedirectPath("/user/alice/lab1/lab/tree/a.ipynb?x=1", base, { within: base })).toBe("/user/alice/lab1/lab/tree/a.ipynb?x=1");
    expect(safeRedirectPath("/user/alice/lab1", base, { within: base })).toBe("/user/alice/lab1");
    expect(safeRedirectPath("/user/alice/lab1/", base, { within: base })).toBe("/user/alice/lab1/");
    expect(safeRedirectPath("/user/alice/lab10/tree", base, { within: base })).toBe(base);
    expect(safeRedirectPath("/user/bob/lab1/", base, { within: base })).toBe(base);
    expect(safeRedirectPath("/user/alice/lab1/%2e%2e/lab2/", base, { within: base })).toBe(base);
    expect(safeRedirectPath("/user/alice/lab1/%252e%252e/%252e%252e/bob/", base, { within: base })).toBe(base);
    expect(safeRedirectPath("/user/alice/lab1/..%2F..%2Fbob/", base, { within: base })).toBe(base);
    expect(safeRedirectPath("/user/alice/lab1/\t/x", base, { within: base })).toBe(base);
  });
});

describe("relativeSegments", () => {
  it("escapes each segment once and drops empty, . and .. in every decoded form", () => {
    expect(relativeSegments("a b/#1?.ipynb", false)).toBe("a%20b/%231%3F.ipynb");
    expect(relativeSegments("../../hub/./x//y", false)).toBe("hub/x/y");
    expect(relativeSegments("%2e%2e/%2e%2e/hub", true)).toBe("hub");
    expect(relativeSegments("%252e%252e/%252e%252e/hub", true)).toBe("hub");
    expect(relativeSegments("%252e%252e/hub", false)).toBe("hub");
    expect(relativeSegments("voila/render/a%20b.ipynb", true)).toBe("voila/render/a%20b.ipynb");
  });

  it("refuses control characters and backslashes", () => {
    expect(relativeSegments("a\tb", false)).toBeNull();
    expect(relativeSegments("a%0Ab", true)).toBeNull();
    expect(relativeSegments("..\\..\\x", false)).toBeNull();
  });
});
