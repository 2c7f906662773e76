import { describe, expect, it } from "vitest";
import { checkServerName, RESERVED_SERVER_NAMES } from "../policy/server-name";
import { suggestServerName } from "./suggest-name";

describe("suggestServerName", () => {
  it.each([
    ["jupyterhub/binder-examples", "binder-examples"],
    ["https://github.com/jupyterhub/binder-examples", "binder-examples"],
    ["https://gitlab.com/group/sub/My_Project.git", "my-project"],
    ["https://example.org/repo.git/", "repo"],
    ["https%3A%2F%2Fexample.org%2Fdata__Analysis.git", "data-analysis"],
    ["octo/Hello.World", "hello-world"],
    ["user/0123456789abcdef0123", "r-0123456789abcdef01"],
    ["owner/2024-report", "r-2024-report"],
    ["owner/---", "repo"],
    ["", "repo"],
    ["owner/a-very-long-repository-name-indeed", "a-very-long-reposito"],
    ["owner/abcdefghijklmnopqrs-tuv", "abcdefghijklmnopqrs"],
  ])("%s → %s", (repo, name) => {
    expect(suggestServerName(repo)).toBe(name);
  });

  it("adds -2, -3 … to a name already taken, within the length", () => {
    expect(suggestServerName("o/analysis", 20, ["analysis"])).toBe("analysis-2");
    expect(suggestServerName("o/analysis", 20, ["analysis", "analysis-2"])).toBe("analysis-3");
    expect(suggestServerName("o/abcdefghijklmnopqrst", 20, ["abcdefghijklmnopqrst"])).toBe("abcdefghijklmnopqr-2");
    // Cutting must not leave "x--2".
    expect(suggestServerName("o/abcdefghijklmnopq-rst", 20, ["abcdefghijklmnopq-rs"])).toBe("abcdefghijklmnopq-2");
  });

  it("never suggests a name Jupyter reserves", () => {
    expect(suggestServerName("owner/lab")).toBe("lab-2");
    expect(suggestServerName("owner/API")).toBe("api-2");
    expect(suggestServerName("owner/tree", 20, ["tree-2"])).toBe("tree-3");
  });

  it("honours a short maximum length", () => {
    expect(suggestServerName("owner/binder-examples", 6)).toBe("binder");
    expect(suggestServerName("owner/binder-examples", 7)).toBe("binder");
    expect(suggestServerName("owner/123", 1)).toBe("r");
    expect(suggestServerName("owner/x", 1, ["x"])).toBe("a");
    expect(suggestServerName("owner/xy", 2, ["xy"])).toBe("a");
  });

  // Property-style: whatever the repository, length limit and names taken, the answer is valid,
  // within the limit and free (there is always room at these sizes).
  it("always returns a valid, free name", () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = "abcXYZ019-_.~ /%:@é漢ü\t";
    const pick = () => Array.from({ length: rand(40) }, () => alphabet[rand(alphabet.length)]).join("");
    const shapes = [
      () => pick(),
      () => `${pick()}/${pick()}`,
      () => `https://example.org/${pick()}/${pick()}.git`,
      () => `owner/${[...RESERVED_SERVER_NAMES][rand(RESERVED_SERVER_NAMES.size)]}`,
      () => `owner/${"a".repeat(rand(70))}`,
    ];
    for (let i = 0; i < 5000; i++) {
      const repo = shapes[rand(shapes.length)]();
      const max = 1 + rand(40);
      const first = suggestServerName(repo, max);
      const taken = rand(3) === 0 ? [] : [first, ...Array.from({ length: rand(12) }, (_, k) => `${first.slice(0, max - 3)}-${k + 2}`)];
      const name = suggestServerName(repo, max, taken);
      const check = checkServerName(name, max);
      expect(check, `${JSON.stringify(repo)} (max ${max}) → ${name}`).toEqual({ ok: true });
      expect(taken, `${JSON.stringify(repo)} (max ${max}) → ${name}`).not.toContain(name);
    }
  });

  it("is deterministic and unique across a series of launches of one repository", () => {
    const taken: string[] = [];
    for (let i = 0; i < 30; i++) taken.push(suggestServerName("jupyterhub/binder-examples", 20, taken));
    expect(new Set(taken).size).toBe(30);
    expect(taken.slice(0, 3)).toEqual(["binder-examples", "binder-examples-2", "binder-examples-3"]);
    for (const n of taken) expect(checkServerName(n, 20)).toEqual({ ok: true });
  });
});
