import { expect, test, type Page } from "@playwright/test";
import { startGitServer, type GitServerDouble } from "../test/doubles/git-server";
import { BOB, state } from "./fixtures/berth";
import { deleteServerByApi, signIn } from "./fixtures/helpers";

// BinderHub compatibility: the npm package BinderHub's own launch page uses,
// @jupyterhub/binderhub-client, drives a launch against Berth and gets `ready`. The client is
// written for browsers (it calls window.fetch through @microsoft/fetch-event-source); in this
// Node worker `window` is Node's own globals, and fetch carries the session cookie a browser
// would, taken from a real sign-in. (A `failed` event makes the client throw from a callback
// nobody awaits — a logged error in a browser, a test failure in Node — so refusals through the
// same client are exercised in the browser by e2e/launch.spec.ts, whose launch page uses it.)

test.describe.configure({ mode: "serial" });

const REPO = "compat/minimal";
let git: GitServerDouble;
let commit: string;

test.beforeAll(async () => {
  git = await startGitServer();
  commit = await git.createRepo(REPO, { "requirements.txt": "# nothing to install\n", "README.md": "# minimal\n" });
});

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signIn(page, BOB);
  await deleteServerByApi(page, BOB.name, "compat");
  await page.close();
  await git?.close();
});

/** Gives the browser-side client a `window` whose fetch sends the signed-in person's cookie. */
async function asBrowser(page: Page): Promise<() => void> {
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const g = globalThis as unknown as { window?: unknown; document?: unknown };
  g.window = { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie } }), setTimeout, clearTimeout };
  // fetch-event-source listens for visibility changes unless told otherwise, and stops listening
  // when the stream ends.
  g.document = { cookie: "", hidden: false, addEventListener: () => undefined, removeEventListener: () => undefined };
  return () => {
    delete g.window;
    delete g.document;
  };
}

interface Line {
  phase?: string;
  message?: string;
  imageName?: string;
  url?: string;
  token?: string;
  binder_ref_url?: string;
  binder_persistent_request?: string;
}

test("@jupyterhub/binderhub-client launches a repository through Berth's /build endpoint", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, BOB);
  const restore = await asBrowser(page);
  try {
    const { BinderRepository } = await import("@jupyterhub/binderhub-client/client.js");
    const { LaunchSpec } = await import("@jupyterhub/binderhub-client/spec.js");
    const base = state().baseURL;
    const spec = `git/${encodeURIComponent(git.repoUrl(REPO))}/HEAD?server=compat`;
    const repo = new BinderRepository(spec, new URL("/build/", base));
    const lines: Line[] = [];
    for await (const line of repo.fetch() as AsyncIterable<Line>) {
      lines.push(line);
      if (line.phase === "ready" || line.phase === "failed") break;
    }
    repo.close();
    const phases = [...new Set(lines.map((l) => l.phase))];
    const ready = lines[lines.length - 1];
    expect(ready.phase, lines.map((l) => l.message).join("")).toBe("ready");
    expect(phases).toEqual(expect.arrayContaining(["fetching", "built", "launching", "ready"]));
    expect(lines.find((l) => l.phase === "built")?.imageName).toMatch(new RegExp(`:${commit}$`));
    expect(ready.url).toBe(`${base}/user/bob/compat/`);
    // The server's own token never leaves Berth: its session authenticates the person.
    expect(ready.token).toBe("");
    expect(ready.binder_persistent_request).toContain(commit);

    // Where BinderHub's page would send the person: the client's own redirect URL works in the
    // browser (the empty ?token= is dropped by Berth's proxy).
    const target = new LaunchSpec("tree").getJupyterServerRedirectUrl(new URL(ready.url!), ready.token!);
    await page.goto(target.toString());
    await expect(page.getByText("README.md")).toBeVisible({ timeout: 30_000 });
  } finally {
    restore();
  }
});
