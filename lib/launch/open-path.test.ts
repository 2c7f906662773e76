import { describe, expect, it } from "vitest";
import { openPath } from "./open-path";

describe("openPath", () => {
  it("opens labpath in JupyterLab, or in the classic Notebook's notebooks/ and tree/", () => {
    expect(openPath({ labpath: "work/index.ipynb" }, "lab")).toBe("lab/tree/work/index.ipynb");
    expect(openPath({ labpath: "work/index.ipynb" }, "notebook")).toBe("notebooks/work/index.ipynb");
    expect(openPath({ labpath: "data/" }, "notebook")).toBe("tree/data");
    expect(openPath({ filepath: "README.md" }, "lab")).toBe("tree/README.md");
    expect(openPath({}, "lab")).toBe("");
  });

  it("labpath wins over filepath and urlpath", () => {
    expect(openPath({ labpath: "a.ipynb", filepath: "b", urlpath: "voila/render/c.ipynb" }, "lab")).toBe("lab/tree/a.ipynb");
    expect(openPath({ filepath: "b", urlpath: "x" }, "lab")).toBe("tree/b");
  });

  it("escapes names and never climbs out of the server or leaves it", () => {
    expect(openPath({ labpath: "../../hub/admin" }, "lab")).toBe("lab/tree/hub/admin");
    expect(openPath({ labpath: "my notes/#1?.ipynb" }, "lab")).toBe("lab/tree/my%20notes/%231%3F.ipynb");
    expect(openPath({ urlpath: "/voila/render/a b.ipynb?x=1&y=2" }, "lab")).toBe("voila/render/a%20b.ipynb?x=1&y=2");
    expect(openPath({ urlpath: "https://evil.example/" }, "lab")).toBe("");
    expect(openPath({ urlpath: "//evil.example/x" }, "lab")).toBe("evil.example/x");
    expect(openPath({ urlpath: "../../../hub" }, "lab")).toBe("hub");
  });
});

describe("openPath with escaped dot segments (issue 9)", () => {
  it("drops .. however many times it was escaped, for every kind of path", () => {
    expect(openPath({ urlpath: "%2e%2e/%2e%2e/hub/admin" }, "lab")).toBe("hub/admin");
    expect(openPath({ urlpath: "%252e%252e/%252e%252e/hub/admin" }, "lab")).toBe("hub/admin");
    expect(openPath({ labpath: "%252e%252e/%252e%252e/hub/admin" }, "lab")).toBe("lab/tree/hub/admin");
    expect(openPath({ filepath: "%2e%2e/x" }, "lab")).toBe("tree/x");
  });

  it("opens the server's root for a path with control characters or backslashes", () => {
    expect(openPath({ urlpath: "%0A/evil" }, "lab")).toBe("");
    expect(openPath({ urlpath: "\\evil.example" }, "lab")).toBe("");
    expect(openPath({ labpath: "a\u3000b.ipynb" }, "lab")).toBe("lab");
  });
});
