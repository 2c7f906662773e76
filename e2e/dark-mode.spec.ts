import { expect, test, type Page } from "@playwright/test";
import { startGitServer, type GitServerDouble } from "../test/doubles/git-server";
import { ALICE } from "./fixtures/berth";
import { pageColours } from "./fixtures/contrast";
import { shot, signIn } from "./fixtures/helpers";

// Dark mode follows the system setting (prefers-color-scheme) on every page: the page is dark,
// its text light, every visible text readable against what it is drawn on (WCAG AA), and the
// keyboard focus still stands out (3:1).

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

async function expectFocusVisible(page: Page) {
  // Fields change their border colour with a short transition (transition-colors): the colour it
  // settles on is the one that counts, not one read halfway.
  await expect.poll(async () => (await pageColours(page)).focusIndicator, { message: "the focus indicator against its surroundings" }).toBeGreaterThanOrEqual(3);
}

test("every main page is dark and readable when the system asks for dark", async ({ page }) => {
  test.setTimeout(150_000);
  await page.emulateMedia({ colorScheme: "dark" });

  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Sign in to Berth" })).toBeVisible();
  await expectDarkAndReadable(page, "signin");
  // A form field's focus (its border) and a button's (the outline), reached by keyboard.
  await expect(page.getByLabel("Username")).toBeFocused();
  await page.keyboard.type(ALICE.name);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
  await expectFocusVisible(page);
  await page.keyboard.type(ALICE.password);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeFocused();
  await expectFocusVisible(page);
  await shot(page, "dark-signin-focus", { fullPage: false });

  // Enter signs in and lands on Launch.
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Launch a repository", level: 1 })).toBeVisible();
  await page.getByLabel("Repository", { exact: true }).fill(git.repoUrl("dark/notebooks"));
  await expect(page.getByLabel("Launch link", { exact: true })).toHaveValue(/\/v2\/git\//);
  await expectDarkAndReadable(page, "launch");

  // The launch page after a refusal (an unknown ref).
  await page.goto(`/v2/git/${encodeURIComponent(git.repoUrl("dark/notebooks"))}/no-such-branch`);
  await expect(page.locator("main").getByRole("alert")).toContainText("This repository cannot be launched", { timeout: 30_000 });
  await expectDarkAndReadable(page, "launch-page");

  await page.goto("/servers");
  await expect(page.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();
  await expectDarkAndReadable(page, "servers");
  await page.getByRole("button", { name: "Cards" }).focus();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Table" })).toBeFocused();
  await expectFocusVisible(page);

  await page.goto("/tokens");
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  await expectDarkAndReadable(page, "tokens");

  for (const [path, heading] of [
    ["/admin", "Users"],
    ["/admin/servers", "Servers"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
    await expectDarkAndReadable(page, `admin-${heading.toLowerCase()}`);
  }
  await page.goto("/admin/builds");
  await expect(page.getByRole("heading", { name: "Launches per repository" })).toBeVisible();
  await expectDarkAndReadable(page, "admin-builds");
});

test("a light system keeps the light pages", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page, ALICE);
  await expect(page.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();
  const c = await pageColours(page);
  expect(c.background).toBeGreaterThan(0.85);
  expect(c.text).toBeLessThan(0.05);
});
