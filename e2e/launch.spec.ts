import { expect, test, type Page, type Route } from "@playwright/test";
import { startGitServer, type GitServerDouble } from "../test/doubles/git-server";
import { ALICE } from "./fixtures/berth";
import { deleteServerByApi, escapeRegExp, SERVER_START_TIMEOUT, shot, signIn } from "./fixtures/helpers";

// Launching a repository end to end: a real Git server (git http-backend on 127.0.0.1), Berth's
// local runtime building it (venv + requirements.txt + postBuild) and a real Jupyter Notebook 6.4
// opening the notebook, all driven through the launch form and the /v2 launch page.

test.describe.configure({ mode: "serial" });

const REPO = "demo/launch-demo";
const SERVER = "launch-demo";
const BROKEN = "demo/broken-build";
// Builds create a Python environment and start Jupyter: leave room on this small machine.
const LAUNCH_TIMEOUT = 120_000;

const notebook = JSON.stringify({
  cells: [{ cell_type: "code", execution_count: null, id: "c1", metadata: {}, outputs: [], source: ["import sys\n", 'print("hello from", "the launched notebook")\n', 'print("in the built environment:", "/builds/" in sys.prefix)'] }],
  metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" }, language_info: { name: "python" } },
  nbformat: 4,
  nbformat_minor: 5,
});

let git: GitServerDouble;

test.beforeAll(async () => {
  git = await startGitServer();
  await git.createRepo(REPO, {
    // pip reaches no package index here: nothing to install, but the file is read and pip runs.
    "requirements.txt": "# nothing to install\n",
    postBuild: '#!/bin/bash\nset -e\necho "postBuild: first commit"\necho "made by postBuild" > postbuild-1.txt\n',
    "hello.ipynb": notebook,
  });
  await git.createRepo(BROKEN, { postBuild: '#!/bin/bash\necho "postBuild: about to fail"\nexit 3\n' });
});

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signIn(page, ALICE);
  for (const name of [SERVER, "broken-build"]) await deleteServerByApi(page, ALICE.name, name);
  await page.close();
  await git?.close();
});

/**
 * Catches the launch page's hand-over into Jupyter: the navigation is answered 204 No Content,
 * so the browser stays on the launch page (to be looked at and photographed in its final state);
 * `follow()` then goes where the page was sending the person.
 */
async function catchHandOver(page: Page): Promise<{ follow: () => Promise<void> }> {
  const pattern = new RegExp(`/user/${ALICE.name}/`);
  let target: string | undefined;
  const handler = async (route: Route) => {
    if (route.request().isNavigationRequest() && target === undefined) {
      target = route.request().url();
      await route.fulfill({ status: 204 });
    } else await route.continue();
  };
  await page.route(pattern, handler);
  return {
    async follow() {
      await expect.poll(() => target, { timeout: SERVER_START_TIMEOUT }).toBeDefined();
      await page.unroute(pattern, handler);
      await page.goto(target!);
    },
  };
}

/** Signs alice in and waits for the launch form (the sign-in helper's URL check matches "/" at once). */
async function signInToForm(page: Page) {
  await signIn(page, ALICE, "/");
  await expect(page.getByRole("heading", { name: "Launch a repository", level: 1 })).toBeVisible();
}

const log = (page: Page) => page.getByRole("log");

async function contents(page: Page, path: string): Promise<number> {
  return (await page.request.get(`/user/${ALICE.name}/${SERVER}/api/contents/${path}`)).status();
}

test("the launch pages need a session, and keep the full address for after sign-in", async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin\?/);
  expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe("/");
  // An escaped gl spec must survive the round trip through the sign-in page unchanged.
  await page.goto("/v2/gl/group%2Fsub%2Frepo/main?labpath=index.ipynb");
  const callback = new URL(page.url()).searchParams.get("callbackUrl");
  expect(callback).toBe("/v2/gl/group%2Fsub%2Frepo/main?labpath=index.ipynb");
  // The APIs behind the pages answer 401 with what to do, and launch nothing.
  for (const path of ["/build/gh/octo/demo/HEAD", "/api/launch/plan?provider=gh&spec=octo%2Fdemo%2FHEAD"]) {
    const res = await page.request.get(path);
    expect(res.status(), path).toBe(401);
    expect(((await res.json()) as { message: string }).message).toMatch(/Sign in/);
  }
  await page.close();
});

test("the form explains a repository it cannot read", async ({ page }) => {
  await signInToForm(page);
  const repo = page.getByLabel("Repository", { exact: true });
  await expect(repo).toBeFocused();
  await repo.fill("not a repository");
  await expect(repo).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("A repository cannot contain spaces or control characters.")).toBeVisible();
  await expect(page.getByText("No link yet")).toBeVisible();
  await repo.fill("git@github.com:owner/repo.git");
  await expect(page.getByText("Berth fetches repositories over https, not SSH. Enter https://github.com/owner/repo.git instead.")).toBeVisible();
  await shot(page, "launch-form-invalid");
  // A message about what was submitted goes away once the field changes.
  await repo.fill("");
  await page.getByRole("button", { name: "Launch", exact: true }).click();
  await expect(page.getByText("Enter a repository to launch.")).toBeVisible();
  await repo.fill("o");
  await expect(page.getByText("Enter a repository to launch.")).toHaveCount(0);
  await repo.fill("git@github.com:owner/repo.git");
  // Launch does not leave the form while the repository is wrong; focus goes back to it.
  await page.getByRole("button", { name: "Launch", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(repo).toBeFocused();
});

test("launch a repository: build, open the notebook, launch again from the link, relaunch on a new commit", async ({ page, context }) => {
  test.setTimeout(480_000);
  const repoUrl = git.repoUrl(REPO);
  let shareUrl = "";

  await test.step("the form: share link, badge, and a server name from the repository", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signInToForm(page);
    await page.getByLabel("Repository", { exact: true }).fill(repoUrl);
    await page.getByRole("textbox", { name: /^Open/ }).fill("hello.ipynb");
    const link = page.getByLabel("Launch link", { exact: true });
    const spec = `/v2/git/${encodeURIComponent(repoUrl)}/HEAD?labpath=hello.ipynb`;
    await expect(link).toHaveValue(new URL(spec, page.url()).toString());
    const badge = page.getByLabel("README badge", { exact: true });
    const image = new URL("/badge.svg", page.url()).toString();
    const target = new URL(spec, page.url()).toString();
    await expect(badge).toHaveValue(`[![Launch in Berth](${image})](${target})`);
    // The badge in the markups BinderHub offers, and a preview that links where the badge will.
    await page.getByText("reStructuredText", { exact: true }).click();
    await expect(badge).toHaveValue(`.. image:: ${image}\n   :alt: Launch in Berth\n   :target: ${target}`);
    await page.getByText("HTML", { exact: true }).click();
    await expect(badge).toHaveValue(`<a href="${target.replace(/&/g, "&amp;")}"><img src="${image}" alt="Launch in Berth"></a>`);
    const preview = page.getByRole("link", { name: "Badge preview: Launch in Berth" });
    await expect(preview).toHaveAttribute("href", target);
    expect(await preview.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await page.getByText("Markdown", { exact: true }).click();
    // At 1280 × 800 the link and the badge are seen without scrolling.
    for (const box of [await link.boundingBox(), await badge.boundingBox()]) expect(box!.y + box!.height).toBeLessThanOrEqual(800);
    await shot(page, "launch-form-share");
    await expect(page.getByLabel("Server name", { exact: true })).toHaveValue(SERVER);
    await expect(page.getByText(`/user/${ALICE.name}/${SERVER}/`)).toBeVisible();
    shareUrl = await link.inputValue();

    await page.getByRole("button", { name: "Copy the launch link" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shareUrl);
    await shot(page, "launch-form");
  });

  await test.step("Launch: the build log shows postBuild, then the notebook opens and runs", async () => {
    const handOver = await catchHandOver(page);
    await page.getByRole("button", { name: "Launch", exact: true }).click();
    // The name was Berth's suggestion: the launch page decides (a new server here), nothing forced.
    await expect(page).toHaveURL(/\/v2\/git\/[^?]*\/HEAD\?labpath=hello\.ipynb$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(repoUrl.replace(/\.git$/, ""));
    await expect(log(page)).toContainText("postBuild: first commit", { timeout: LAUNCH_TIMEOUT });
    await expect(page.getByText(`Ready. Opening ${SERVER}…`)).toBeVisible({ timeout: SERVER_START_TIMEOUT });
    await expect(page.locator('li[data-phase="building"]')).toHaveAttribute("data-state", "done");
    await shot(page, "launch-build-log");
    await handOver.follow();

    await expect(page).toHaveURL(new RegExp(`/user/${ALICE.name}/${SERVER}/notebooks/hello\\.ipynb`), { timeout: 30_000 });
    await expect(page.locator("#kernel_indicator_icon")).toHaveClass(/kernel_idle_icon/, { timeout: 30_000 });
    await page.locator(".cell").first().locator(".CodeMirror").click();
    await page.keyboard.press("Shift+Enter");
    const output = page.locator(".output_area pre").first();
    await expect(output).toContainText("hello from the launched notebook", { timeout: 30_000 });
    // The kernel is the Python of the environment built for the commit, not the host's.
    await expect(output).toContainText("in the built environment: True");
    await shot(page, "launch-notebook");
    expect(await contents(page, "postbuild-1.txt")).toBe(200);
  });

  await test.step("the same link again: nothing to build, the same server opens", async () => {
    const handOver = await catchHandOver(page);
    await page.goto(shareUrl);
    await expect(page.getByText("(no build needed)").first()).toBeVisible({ timeout: LAUNCH_TIMEOUT });
    await expect(log(page)).toContainText("no build needed");
    await expect(log(page)).not.toContainText("postBuild:");
    await expect(page.getByText(`Ready. Opening ${SERVER}…`)).toBeVisible({ timeout: SERVER_START_TIMEOUT });
    await expect(page.locator('li[data-phase="building"]')).toHaveAttribute("data-state", "skipped");
    await shot(page, "launch-cache-hit");
    await handOver.follow();
    await expect(page).toHaveURL(new RegExp(`/user/${ALICE.name}/${SERVER}/notebooks/hello\\.ipynb`), { timeout: 30_000 });
  });

  await test.step("the form through a tag on the same commit: the server already on it opens, no second one", async () => {
    await git.addTag(REPO, "v1.0");
    await page.goto("/");
    await page.getByLabel("Repository", { exact: true }).fill(repoUrl);
    await page.getByLabel(/Git ref/).fill("v1.0");
    await page.getByRole("textbox", { name: /^Open/ }).fill("hello.ipynb");
    // launch-demo is taken, so the name offered is a new one; the form says what happens instead.
    await expect(page.getByLabel("Server name", { exact: true })).toHaveValue(`${SERVER}-2`);
    await expect(page.getByText("If one of yours already runs this commit, that one opens instead.")).toBeVisible();
    const handOver = await catchHandOver(page);
    await page.getByRole("button", { name: "Launch", exact: true }).click();
    await expect(page).toHaveURL(/\/v2\/git\/[^?]*\/v1\.0\?labpath=hello\.ipynb$/);
    await expect(log(page)).toContainText("already runs this commit; opening it", { timeout: LAUNCH_TIMEOUT });
    await expect(page.getByText(`Ready. Opening ${SERVER}…`)).toBeVisible({ timeout: SERVER_START_TIMEOUT });
    await expect(page.getByText(`into ${SERVER}`, { exact: true })).toBeVisible();
    await shot(page, "launch-same-commit-tag");
    await handOver.follow();
    await expect(page).toHaveURL(new RegExp(`/user/${ALICE.name}/${SERVER}/notebooks/hello\\.ipynb`), { timeout: 30_000 });
    const list = (await (await page.request.get(`/api/users/${ALICE.name}/servers`)).json()) as { servers: { name: string; launchedFrom: { commit: string } | null }[] };
    const fromRepo = list.servers.filter((s) => s.launchedFrom !== null).map((s) => s.name);
    expect(fromRepo).toEqual([SERVER]);
  });

  await test.step("a new commit: asked whether to restart the server on it", async () => {
    await git.addCommit(REPO, {
      "news.md": "# Added in the second commit\n",
      postBuild: '#!/bin/bash\nset -e\necho "postBuild: second commit"\necho "made by the second postBuild" > postbuild-2.txt\n',
    });
    await page.goto(shareUrl);
    const question = page.getByRole("heading", { name: "You already have a server from this repository" });
    await expect(question).toBeVisible({ timeout: 30_000 });
    await expect(question).toBeFocused();
    await expect(page.getByRole("button", { name: /Launch a fresh server/ })).toBeVisible();
    await shot(page, "launch-choice");

    // The fresh-server path checks its name as you type (not taken here: we restart instead).
    await page.getByRole("button", { name: /Launch a fresh server/ }).click();
    const fresh = page.getByLabel("Name of the new server");
    await expect(fresh).toBeFocused();
    await expect(fresh).toHaveValue(`${SERVER}-2`);
    await fresh.fill(SERVER);
    await expect(page.getByText(`You already have a server named “${SERVER}”; choose another name.`)).toBeVisible();

    const handOver = await catchHandOver(page);
    await page.getByRole("button", { name: new RegExp(`Restart ${escapeRegExp(SERVER)} on the new commit`) }).click();
    await expect(log(page)).toContainText("postBuild: second commit", { timeout: LAUNCH_TIMEOUT });
    await expect(page.getByText(`Ready. Opening ${SERVER}…`)).toBeVisible({ timeout: SERVER_START_TIMEOUT });
    await expect(log(page)).toContainText("its files are kept");
    await handOver.follow();
    await expect(page).toHaveURL(new RegExp(`/user/${ALICE.name}/${SERVER}/notebooks/hello\\.ipynb`), { timeout: 30_000 });
    // The new commit's files joined the old ones.
    expect(await contents(page, "news.md")).toBe(200);
    expect(await contents(page, "postbuild-2.txt")).toBe(200);
    expect(await contents(page, "postbuild-1.txt")).toBe(200);

    // My servers says where the server came from, at which commit, with a link to launch it again.
    await page.goto("/servers");
    const card = page.locator(`li[data-server="${SERVER}"]`);
    const from = card.getByRole("link", { name: git.repoUrl(REPO).replace(/\.git$/, "") });
    await expect(from).toHaveAttribute("href", /^\/v2\/git\//);
    await expect(card).toContainText((await git.revParse(REPO, "main")).slice(0, 7));
    await shot(page, "servers-launched");
  });
});

test("an unresolvable ref: the launch page says so and links back to the form", async ({ page }) => {
  await signInToForm(page);
  await page.goto(`/v2/git/${encodeURIComponent(git.repoUrl(REPO))}/no-such-branch`);
  const alert = page.locator("main").getByRole("alert");
  await expect(alert).toContainText("This repository cannot be launched", { timeout: 30_000 });
  await expect(alert).toContainText("no-such-branch");
  await shot(page, "launch-unresolvable-ref");
  await page.getByRole("link", { name: "Back to the launch form" }).click();
  await expect(page.getByLabel("Repository", { exact: true })).toHaveValue(git.repoUrl(REPO).replace(/\.git$/, ""));
  await expect(page.getByLabel(/Git ref/)).toHaveValue("no-such-branch");
});

test("a failing build: the reason, the log kept, and Try again", async ({ page, context }) => {
  test.setTimeout(240_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInToForm(page);
  await page.goto(`/v2/git/${encodeURIComponent(git.repoUrl(BROKEN))}/HEAD`);
  const alert = page.locator("main").getByRole("alert");
  await expect(alert).toContainText("The launch failed", { timeout: LAUNCH_TIMEOUT });
  await expect(alert).toContainText("postBuild");
  await expect(log(page)).toContainText("postBuild: about to fail");
  await expect(page.getByRole("heading", { name: "The launch failed" })).toBeFocused();
  await expect(page.locator('li[data-phase="building"]')).toHaveAttribute("data-state", "failed");
  await shot(page, "launch-failed");
  await page.getByRole("button", { name: "Copy log" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("postBuild: about to fail");
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(log(page)).toContainText("postBuild: about to fail", { timeout: LAUNCH_TIMEOUT });
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible({ timeout: LAUNCH_TIMEOUT });
});

test("at the named-server limit: the form offers existing servers, a launch says what to do", async ({ page }) => {
  const extra = ["lq-one", "lq-two", "lq-three", "lq-four", "lq-five"];
  await signInToForm(page);
  try {
    for (const name of extra) {
      const res = await page.request.post(`/api/users/${ALICE.name}/servers`, { data: { name } });
      if (res.status() === 403) break;
      expect(res.status(), await res.text()).toBe(201);
    }
    await page.reload();
    await expect(page.getByRole("radio", { name: /A new named server/ })).toBeDisabled();
    await expect(page.getByRole("radio", { name: /An existing server/ })).toBeChecked();
    await expect(page.getByText("You have 5 named servers, the most allowed (5, plus your default server; stopped servers count too). Launch into one of them")).toBeVisible();

    await page.goto(`/v2/git/${encodeURIComponent(git.repoUrl(BROKEN))}/HEAD`);
    const alert = page.locator("main").getByRole("alert");
    await expect(alert).toContainText("the most allowed", { timeout: 30_000 });
    const manage = page.getByRole("link", { name: "Manage your servers" });
    await expect(manage).toHaveAttribute("href", "/servers");
    await shot(page, "launch-quota");
  } finally {
    for (const name of extra) await deleteServerByApi(page, ALICE.name, name);
  }
});

test("a repository typed while the page's script still loads is kept: the form waits for it", async ({ page }) => {
  await signIn(page, ALICE);
  // A slow device or network: the scripts arrive 2 s late. Until React runs the form its fields
  // are disabled, so typing waits instead of being undone by hydration.
  await page.route("**/_next/static/chunks/**", async (route) => {
    await new Promise((r) => setTimeout(r, 2000));
    await route.continue();
  });
  await page.goto("/", { waitUntil: "domcontentloaded" });
  await expect(page.getByLabel("Repository", { exact: true })).toBeDisabled();
  await page.getByLabel("Repository", { exact: true }).fill(git.repoUrl(REPO));
  await expect(page.getByLabel("Launch link", { exact: true })).toHaveValue(/\/v2\/git\//);
});

test("the form and the launch page fit a 390 px phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInToForm(page);
  await page.getByLabel("Repository", { exact: true }).fill(git.repoUrl(REPO));
  await expect(page.getByLabel("Launch link", { exact: true })).toHaveValue(/\/v2\/git\//);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, "launch-form-mobile");
  await page.goto(`/v2/git/${encodeURIComponent(git.repoUrl(REPO))}/no-such-branch`);
  await expect(page.locator("main").getByRole("alert")).toBeVisible({ timeout: 30_000 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, "launch-failure-mobile");
});
