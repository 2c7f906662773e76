import { expect, test } from "@playwright/test";
import { ALICE, BOB, berthCli, state } from "./fixtures/berth";
import { shot } from "./fixtures/helpers";

test.describe.configure({ mode: "serial" });

test("the one-time setup link creates the first administrator, then stops working", async ({ page }) => {
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
  await expect(page.getByRole("status")).toContainText(`The administrator account “${ALICE.name}” is ready`);
  await shot(page, "setup-done");

  // The same link again: refused, with what to do instead.
  await page.goto(setupLink);
  await expect(page.getByText("This setup link is no longer valid")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create administrator" })).toHaveCount(0);
  await shot(page, "setup-used");
});

test("a second user is added with the CLI", async () => {
  const r = berthCli(["user", "add", BOB.name, "--password-stdin"], `${BOB.password}\n`);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`Added user "${BOB.name}"`);
  expect(r.stdout).not.toContain(BOB.password);
});
