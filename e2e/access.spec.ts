import { expect, test } from "@playwright/test";
import { ALICE, BOB } from "./fixtures/berth";
import { shot, signIn } from "./fixtures/helpers";

test("signed out: Jupyter addresses and pages send you to sign in", async ({ page }) => {
  await page.goto(`/user/${ALICE.name}/`);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=(%2F|\/)user(%2F|\/)alice(%2F|\/)$/);
  await expect(page.getByRole("heading", { name: "Sign in to Berth" })).toBeVisible();
  await shot(page, "signin");

  await page.goto("/servers");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=(%2F|\/)servers$/);

  await page.getByLabel("Username").fill(ALICE.name);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Wrong username or password");
  await expect(page.getByLabel("Password")).toHaveValue("");
  await shot(page, "signin-error");
});

test("another person's server is refused with 403; your own servers work", async ({ browser }) => {
  // Bob in a browser context of his own: nothing shared with alice's sessions.
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, BOB);
    await expect(page.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();
    await expect(page.getByRole("button", { name: /account menu/ })).toContainText(BOB.name);

    for (const path of [`/user/${ALICE.name}/`, `/user/${ALICE.name}/analysis/tree`]) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(403);
      await expect(page.getByRole("heading", { name: "Not your server" })).toBeVisible();
      await expect(page.getByRole("link", { name: "Go to my servers" })).toBeVisible();
    }
    await shot(page, "forbidden-403");
    // The same refusal for programs.
    const api = await page.request.get(`/user/${ALICE.name}/api/contents`);
    expect(api.status()).toBe(403);
    // Nor can bob manage alice's servers through the app's API.
    const list = await page.request.get(`/api/users/${ALICE.name}/servers`);
    expect(list.status()).toBe(403);

    await page.getByRole("link", { name: "Go to my servers" }).click();
    await expect(page).toHaveURL(/\/servers$/);
    await expect(page.locator('li[data-server="default"]')).toBeVisible();

    // A server that does not exist: a proper 404 page with a way back.
    const missing = await page.goto(`/spawn/${BOB.name}/no-such-server`);
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await shot(page, "not-found");
    await page.getByRole("link", { name: "Go to my servers" }).click();
    await expect(page).toHaveURL(/\/servers$/);
  } finally {
    await context.close();
  }
});

test("sign out through the user menu", async ({ page }) => {
  await signIn(page, ALICE);
  await page.getByRole("button", { name: /account menu/ }).click();
  const menu = page.getByRole("menu", { name: "Account" });
  await expect(menu).toContainText(`Signed in as ${ALICE.name}`);
  await shot(page, "user-menu");
  await menu.getByRole("menuitem", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/servers");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=(%2F|\/)servers$/);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  test("sign-in and My servers fit a narrow screen", async ({ page }) => {
    await page.goto("/signin");
    await expect(page.getByRole("heading", { name: "Sign in to Berth" })).toBeVisible();
    await shot(page, "signin-mobile");
    await signIn(page, ALICE);
    await expect(page.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();
    // Nothing wider than the screen: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "servers-mobile");
  });
});
