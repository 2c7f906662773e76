import { expect, test } from "@playwright/test";
import { ALICE, BOB, berthCli, state } from "./fixtures/berth";
import { shot } from "./fixtures/helpers";

test.describe.configure({ mode: "serial" });

test("before setup, the sign-in page says where the first administrator comes from", async ({ page }) => {
  await page.goto("/signin");
  const notice = page.getByRole("status").filter({ hasText: "Berth has no accounts yet" });
  await expect(notice).toContainText("one-time setup link Berth printed when it started");
  await expect(notice).toContainText("/setup?token=");
  await shot(page, "signin-before-setup");
});

test("the one-time setup link creates the first administrator, signs them in, then stops working", async ({ page }) => {
  const { setupLink } = state();
  await page.goto(setupLink);
  await expect(page.getByRole("heading", { name: "Set up Berth" })).toBeVisible();
  await shot(page, "setup");

  await page.getByLabel("Username").fill(ALICE.name);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await page.getByLabel("Password", { exact: true }).fill(ALICE.password);
  await page.getByLabel("Confirm password").fill(ALICE.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("status")).toContainText(`The administrator account “${ALICE.name}” is ready and you are signed in`);
  await shot(page, "setup-done");
  // Signed in: Continue goes to Launch, with no sign-in page on the way.
  await page.getByRole("link", { name: "Continue to Berth" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Launch a repository", level: 1 })).toBeVisible();
  // Once there is an account, the sign-in page no longer talks of setup.
  await page.context().clearCookies();
  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Sign in to Berth" })).toBeVisible();
  await expect(page.getByText("Berth has no accounts yet")).toHaveCount(0);

  // The same link again: refused, with what to do instead.
  await page.goto(setupLink);
  await expect(page.getByText("This setup link is no longer valid")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create administrator" })).toHaveCount(0);
  await shot(page, "setup-used");
});

test("a second user is added with the CLI, and lands on Launch after signing in", async ({ page }) => {
  const r = berthCli(["user", "add", BOB.name, "--password-stdin"], `${BOB.password}\n`);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`Added user "${BOB.name}"`);
  expect(r.stdout).not.toContain(BOB.password);
  // No callback in the address: after sign-in people land on Launch.
  await page.goto("/signin");
  await page.getByLabel("Username").fill(BOB.name);
  await page.getByLabel("Password").fill(BOB.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Launch a repository", level: 1 })).toBeVisible();
});
