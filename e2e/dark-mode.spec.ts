import { expect, test, type Page } from "@playwright/test";
import { startGitServer, type GitServerDouble } from "../test/doubles/git-server";
import { ALICE } from "./fixtures/berth";
import { pageColours } from "./fixtures/contrast";
import { shot, signIn } from "./fixtures/helpers";

// Dark mode follows the system setting (prefers-color-scheme) on every page: the page is dark,
// its text light, every visible text readable against what it is drawn on (WCAG AA), and the
// keyboard focus ring still stands out.

let git: GitServerDouble;

test.beforeAll(async () => {
  git = await startGitServer();
  await git.createRepo("dark/notebooks", { "README.md": "# Dark\n" });
});

test.afterAll(async () => {
  await git?.close();
});

async function expectDarkAndReadable(page: Page, name: string) {
  await page.evaluate(() => document.fonts.ready);
  const c = await pageColours(page);
  expect(c.background, "the page background is dark").toBeLessThan(0.03);
  expect(c.text, "the body text is light").toBeGreaterThan(0.75);
  expect(c.unreadable, "texts below WCAG AA contrast").toEqual([]);
  await shot(page, `dark-${name}`);
}

test("every main page is dark and readable when the system asks for dark", async ({ page }) => {
  test.setTimeout(120_000);
  await page.emulateMedia({ colorScheme: "dark" });

  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Sign in to Berth" })).toBeVisible();
  await expectDarkAndReadable(page, "signin");

  // The keyboard's first stop (the skip link) shows a focus ring that stands out (WCAG: 3:1).
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  expect((await pageColours(page)).focusOutline).toBeGreaterThanOrEqual(3);
  await page.getByLabel("Username").focus();
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();

  await signIn(page, ALICE, "/");
  await expect(page.getByRole("heading", { name: "Launch a repository", level: 1 })).toBeVisible();
  await page.getByLabel("Repository", { exact: true }).fill(git.repoUrl("dark/notebooks"));
  await expect(page.getByLabel("Launch link", { exact: true })).toHaveValue(/\/v2\/git\//);
  await expectDarkAndReadable(page, "launch");

  // The launch page with its console-like log and an error.
  await page.goto(`/v2/git/${encodeURIComponent(git.repoUrl("dark/notebooks"))}/no-such-branch`);
  await expect(page.locator("main").getByRole("alert")).toContainText("This repository cannot be launched", { timeout: 30_000 });
  await expectDarkAndReadable(page, "launch-page");

  await page.goto("/servers");
  await expect(page.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();
  await expectDarkAndReadable(page, "servers");
  // A focused button in the dark: Tab to the first action on the page's content.
  await page.getByRole("button", { name: "Cards" }).focus();
  await page.keyboard.press("Tab");
  expect((await pageColours(page)).focusOutline).toBeGreaterThanOrEqual(3);

  await page.goto("/tokens");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectDarkAndReadable(page, "tokens");

  for (const [path, name] of [
    ["/admin", "admin"],
    ["/admin/servers", "admin-servers"],
    ["/admin/builds", "admin-builds"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectDarkAndReadable(page, name);
  }
});

test("the same pages stay light for a light system", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page, ALICE);
  const c = await pageColours(page);
  expect(c.background).toBeGreaterThan(0.9);
  expect(c.text).toBeLessThan(0.05);
});
