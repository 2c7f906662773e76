import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error — a plain .mjs build helper (no types), shared with scripts/start.mjs.
import { buildServerBundle, root } from "../../scripts/lib/server-bundle.mjs";

// The compiled server `npm start` runs (scripts/start.mjs): one ES module of server.ts and lib/,
// packages left to node_modules, the Kubernetes client loaded only when used, and import.meta
// still naming each source file's own folder.
const outDir = mkdtempSync(path.join(root, ".next", "test-bundle-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the compiled server", () => {
  it("bundles Berth's own code and loads the Kubernetes client lazily", async () => {
    await (buildServerBundle as (dir: string) => Promise<number>)(outDir);
    const code = readFileSync(path.join(outDir, "server.mjs"), "utf8");
    expect(code).not.toMatch(/from "@kubernetes\/client-node"/);
    expect(code).toMatch(/createRequire\(import\.meta\.url\)\("@kubernetes\/client-node"\)/);
    expect(code).toMatch(/from "next"/);
    expect(code).not.toMatch(/from "\.\.?\/lib\//);
    expect(code).toContain("__berthPath.join(import.meta.dirname, \"../../lib/db\")");
    expect(JSON.parse(readFileSync(path.join(outDir, "sources.json"), "utf8")).newest).toBeGreaterThan(0);
  }, 60_000);
});
