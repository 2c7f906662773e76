import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ALICE, BOB, ROOT, berthCli, state } from "./fixtures/berth";
import { shot, signIn } from "./fixtures/helpers";

// The console's Users tab (issue 10): an administrator searches, sorts, adds a user (password
// shown once), resets a password, disables and enables, and deletes with a confirmation naming
// the servers that go; someone else gets 403 with a way back. And the CLI refuses to work on
// anything but this running Berth's database and data folder.

const UMA = { name: "uma", password: "uma-north-window-31" };

test.describe.configure({ mode: "serial" });

test.beforeAll(() => {
  const r = berthCli(["user", "add", UMA.name, "--password-stdin"], `${UMA.password}\n`);
  expect(r.code, r.stderr).toBe(0);
});

/** Signs in from a fresh browser context; returns the page and what the sign-in page said, if it refused. */
async function trySignIn(browser: Browser, user: { name: string; password: string }): Promise<{ page: Page; refused: string | null; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByLabel("Username").fill(user.name);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const alert = page.getByRole("main").getByRole("alert");
  await expect(page.getByRole("heading", { name: "Launch a repository", level: 1 }).or(alert)).toBeVisible();
  const refused = (await alert.count()) ? await alert.innerText() : null;
  return { page, refused, close: () => context.close() };
}

function manageDialog(page: Page) {
  return page.getByRole("dialog", { name: /^Manage/ });
}

test("an administrator finds, adds, resets, disables, enables and deletes users from /admin", async ({ page, browser }) => {
  test.setTimeout(240_000);
  await signIn(page, ALICE, "/admin");
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  const table = page.getByRole("table");
  await expect(table.getByRole("rowheader", { name: /^alice/ })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "ascending");
  await shot(page, "admin-users");

  // Sort by last sign-in: the server sorts, the URL says so, the header says so.
  await table.getByRole("link", { name: /Last sign-in: sort/ }).click();
  await expect(page).toHaveURL(/sort=lastLogin/);
  await expect(page.getByRole("columnheader", { name: /Last sign-in/ })).toHaveAttribute("aria-sort", "descending");

  // Search.
  await page.getByLabel("Search users").fill("um");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=um/);
  await expect(page.getByRole("rowheader")).toHaveText([UMA.name]);
  await page.getByLabel("Search users").fill("nobody-has-this");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No user matches “nobody-has-this”.")).toBeVisible();
  await page.getByRole("link", { name: "Show all users" }).click();
  await expect(page).toHaveURL(/\/admin$/);

  // Add a user with a generated password, shown once.
  await page.getByRole("button", { name: "Add user" }).click();
  const add = page.getByRole("dialog", { name: "Add a local user" });
  await add.getByLabel("Username").fill("wendy");
  await add.getByLabel("Display name (optional)").fill("Wendy Example");
  await add.getByLabel("Email (optional)").fill("wendy@example.org");
  await add.getByRole("button", { name: "Add user" }).click();
  const added = page.getByRole("dialog", { name: "Added “wendy”" });
  await expect(added.getByText("Shown once")).toBeVisible();
  const first = (await added.getByTestId("new-password").innerText()).trim();
  expect(first.length).toBeGreaterThanOrEqual(10);
  await shot(page, "admin-users-added");
  await added.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("rowheader", { name: "wendy" })).toBeVisible();
  expect(await page.content()).not.toContain(first);

  const w1 = await trySignIn(browser, { name: "wendy", password: first });
  expect(w1.refused).toBeNull();
  await w1.close();

  // Reset the password: a new one shown once, the old one no longer works.
  await page.getByRole("button", { name: "Manage wendy" }).click();
  const manage = manageDialog(page);
  await expect(manage.getByText("My Server")).toBeVisible();
  await manage.getByRole("button", { name: "Reset password…" }).click();
  const confirmReset = page.getByRole("dialog", { name: "Reset the password of “wendy”?" });
  await expect(confirmReset).toContainText("Every session of “wendy” ends");
  await confirmReset.getByRole("button", { name: "Reset password" }).click();
  const second = (await manage.getByTestId("new-password").innerText()).trim();
  expect(second).not.toBe(first);
  await expect(page.getByRole("status").filter({ hasText: "The password of “wendy” was reset" })).toBeVisible();
  const old = await trySignIn(browser, { name: "wendy", password: first });
  expect(old.refused).toMatch(/Wrong username or password/);
  await old.close();

  // Administrator switch: on and off. Alice cannot demote, disable or delete herself.
  const adminSwitch = manage.getByRole("switch", { name: "Administrator" });
  await adminSwitch.click();
  await expect(adminSwitch).toHaveAttribute("aria-checked", "true");
  await adminSwitch.click();
  await expect(adminSwitch).toHaveAttribute("aria-checked", "false");

  // Disable: the confirmation says what happens; sign-in is refused with a clear message.
  await manage.getByRole("button", { name: "Disable…" }).click();
  const confirmDisable = page.getByRole("dialog", { name: "Disable “wendy”?" });
  await expect(confirmDisable).toContainText("their sessions end and their API tokens stop working");
  await shot(page, "admin-users-disable-confirm");
  await confirmDisable.getByRole("button", { name: "Disable user" }).click();
  await expect(manage.getByText("Disabled", { exact: true })).toBeVisible();
  const disabled = await trySignIn(browser, { name: "wendy", password: second });
  expect(disabled.refused).toMatch(/Your Berth account is disabled/);
  await disabled.close();
  await manage.getByRole("button", { name: "Enable" }).click();
  await expect(manage.getByText("Can sign in")).toBeVisible();
  const enabled = await trySignIn(browser, { name: "wendy", password: second });
  expect(enabled.refused).toBeNull();
  await enabled.close();

  // Delete: the confirmation names each server and its storage.
  await manage.getByRole("button", { name: "Delete user…" }).click();
  const confirmDelete = page.getByRole("dialog", { name: "Delete “wendy”?" });
  await expect(confirmDelete.getByRole("listitem")).toHaveCount(1);
  await expect(confirmDelete.getByRole("listitem")).toContainText(/My Server — /);
  await expect(confirmDelete).toContainText("This cannot be undone.");
  await shot(page, "admin-users-delete-confirm");
  await confirmDelete.getByRole("button", { name: "Delete user and 1 server" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted “wendy” with My Server" })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: "wendy" })).toHaveCount(0);

  // Her own account: the dangerous buttons are off, and say why.
  await page.getByRole("button", { name: `Manage ${ALICE.name}` }).click();
  await expect(manage.getByRole("button", { name: "Disable…" })).toBeDisabled();
  await expect(manage.getByRole("button", { name: "Delete user…" })).toBeDisabled();
  await expect(manage.getByRole("switch", { name: "Administrator" })).toBeDisabled();
  await expect(manage.getByText("You cannot disable or delete your own account.")).toBeVisible();
  await shot(page, "admin-users-manage-self");
});

test("someone who is not an administrator gets 403 with a way back, from the page and the API", async ({ page }) => {
  await signIn(page, BOB);
  const res = await page.goto("/admin");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Administrators only" })).toBeVisible();
  await shot(page, "admin-users-403");
  for (const [method, url] of [["GET", "/api/admin/users"], ["POST", "/api/admin/users/uma/disable"], ["DELETE", "/api/admin/users/uma"]] as const) {
    const r = await page.request.fetch(url, { method });
    expect(r.status(), `${method} ${url}`).toBe(403);
  }
  await page.getByRole("link", { name: "Go to my servers" }).click();
  await expect(page).toHaveURL(/\/servers$/);
});

test("the CLI refuses another data folder or database than the running Berth's", () => {
  const s = state();
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), "berth-cli-"));
  const run = (env: Record<string, string | undefined>) => {
    const full: NodeJS.ProcessEnv = { ...process.env, ...s.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
    return spawnSync("npx", ["tsx", "lib/cli/main.ts", "user", "add", "yves"], { cwd: ROOT, env: full, encoding: "utf8", timeout: 60_000 });
  };
  const otherDir = run({ BERTH_DATA_DIR: elsewhere });
  expect(otherDir.status).toBe(1);
  expect(otherDir.stderr).toContain(`Berth is running (process `);
  expect(otherDir.stderr).toContain(`with the data folder ${s.dataDir}, but this command would use ${elsewhere}`);
  const embedded = run({ DATABASE_URL: undefined, BERTH_DATA_DIR: elsewhere });
  expect(embedded.status).toBe(1);
  expect(embedded.stderr).toContain(`There is no Berth database in ${elsewhere}. Start Berth with \`npm run up\` first`);
  expect(berthCli(["user", "list", "--search", "yves"]).stdout).toContain("No users match.");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  test("the Users tab fits a 390 px screen; the table scrolls inside its own region", async ({ page }) => {
    await signIn(page, ALICE, "/admin");
    await expect(page.getByRole("region", { name: /Users 1–/ })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "admin-users-phone", { fullPage: false });
    await page.getByRole("button", { name: `Manage ${UMA.name}` }).click();
    await expect(manageDialog(page).getByText("No servers.").or(manageDialog(page).getByText("My Server"))).toBeVisible();
    await shot(page, "admin-users-manage-phone", { fullPage: false });
  });
});
