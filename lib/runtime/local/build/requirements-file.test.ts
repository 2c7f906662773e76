import { describe, expect, it } from "vitest";
import { asksForPackages, requirementLines } from "./requirements-file";

describe("asksForPackages", () => {
  it("is false for a file pip would install nothing from: empty, blank lines, comments only", () => {
    for (const text of ["", "\n\n  \n", "# nothing yet\n", "  # indented comment\n\n# another\n", "\uFEFF# with a byte-order mark\r\n\r\n", "# a comment ending in a backslash \\\n", "\\\n"]) {
      expect(asksForPackages(text), JSON.stringify(text)).toBe(false);
    }
  });

  it("is true for any requirement or option, which pip reads itself", () => {
    for (const text of ["numpy\n", "# deps\nnumpy==1.26 # pinned\n", "-r more.txt\n", "--requirement=more.txt", "-e .\n", "--index-url https://example.org/simple\n", "./pkg\n", "pkg @ https://example.org/p.zip#sha256=abc\n"]) {
      expect(asksForPackages(text), JSON.stringify(text)).toBe(true);
    }
  });

  it("joins continued lines and drops comments as pip does", () => {
    expect(requirementLines("num\\\npy  # science\n")).toEqual(["numpy"]);
    // A comment line ends a continuation, and a # inside a word is not a comment.
    expect(requirementLines("pandas \\\n# note\nhttps://x.org/a#egg=b\n")).toEqual(["pandas", "https://x.org/a#egg=b"]);
  });
});
