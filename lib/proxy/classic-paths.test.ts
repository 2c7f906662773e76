import { describe, expect, it } from "vitest";
import { encodeSegments, labTreeSegments } from "./classic-paths";

describe("labTreeSegments", () => {
  it("reads JupyterLab's tree addresses as decoded path segments", () => {
    expect(labTreeSegments("doc/tree/index.ipynb")).toEqual(["index.ipynb"]);
    expect(labTreeSegments("lab/tree/work/my%20notes%20%231%3F.ipynb")).toEqual(["work", "my notes #1?.ipynb"]);
    expect(labTreeSegments("lab/tree/data/")).toEqual(["data"]);
    for (const root of ["lab", "lab/", "doc", "lab/tree", "doc/tree/"]) expect(labTreeSegments(root)).toEqual([]);
  });

  it("is null for any other address, and for paths that could climb out or hide a separator", () => {
    for (const other of ["lab/workspaces/x", "lab/treeish", "labs/tree/a", "tree/a", "notebooks/a.ipynb", "doc/api"]) expect(labTreeSegments(other)).toBeNull();
    for (const bad of ["lab/tree/../api/x", "lab/tree/%2e%2e/x", "doc/tree/a%2Fb", "doc/tree/a%5Cb", "doc/tree/%E0%A4%A", "doc/tree/a%00b"]) expect(labTreeSegments(bad)).toBeNull();
  });

  it("escapes each segment once again for the new address", () => {
    expect(encodeSegments(["work", "my notes #1?.ipynb"])).toBe("work/my%20notes%20%231%3F.ipynb");
    expect(encodeSegments(["ü.ipynb"])).toBe("%C3%BC.ipynb");
  });
});
