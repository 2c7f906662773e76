import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { startGitServer, type GitServerDouble } from "../test/doubles/git-server";
import { ALICE, BOB } from "./fixtures/berth";
import { shot, signIn } from "./fixtures/helpers";

// The console's Builds, Audit and Profiles tabs, as an administrator uses them: a repository is
// built (a real git http-backend, the local builder), then found in the build history with its
// log, the launch in the audit trail and its CSV, and the profiles with their servers.

test.describe.configure({ mode: "serial" });

const REPO = "ops/console-demo";
const SLOW = "ops/slow-build";
let git: GitServerDouble;

test.beforeAll(async () => {
  git = await startGitServer();
  await git.createRepo(REPO, { postBuild: '#!/bin/bash\necho "postBuild: console demo"\n' });
  await git.createRepo(SLOW, { postBuild: '#!/bin/bash\necho "postBuild: slow build waiting"\nsleep 600\n' });
});

test.afterAll(async () => {
  await git?.close();
});

async function phone(page: Page, name: string) {
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("Builds tab: a built repository is in the history with its log, launch counts and a rebuild button", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, ALICE);
  // A build-only launch through the BinderHub event stream, as binderhub-client does it.
  const spec = `${encodeURIComponent(git.repoUrl(REPO))}/HEAD`;
  const res = await page.request.get(`/build/git/${spec}?build_only=true`, { headers: { accept: "text/event-stream" }, timeout: 150_000 });
  expect(await res.text()).toContain('"phase":"ready"');

  await page.goto("/admin/builds");
  await expect(page.getByRole("link", { name: "Builds", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("heading", { name: /Running/ })).toBeVisible();
  await expect(page.getByText("No build is running.")).toBeVisible();
  const history = page.getByRole("table", { name: "Builds, newest first" });
  const row = history.getByRole("row").filter({ hasText: "console-demo" }).first();
  await expect(row).toContainText("Built");
  await expect(row).toContainText(ALICE.name);
  await expect(row.getByRole("button", { name: /^Rebuild / })).toBeVisible();
  const repos = page.getByRole("table", { name: /Launches and cache hits per repository/ });
  await expect(repos.getByRole("row").filter({ hasText: "console-demo" })).toContainText("1");

  await row.getByRole("link", { name: /^Log of / }).click();
  await expect(page.getByRole("heading", { name: /^Log of .*console-demo/ })).toBeVisible();
  await expect(page.getByRole("log")).toContainText("postBuild: console demo");
  await expect(page.getByText("The build finished")).toBeVisible();
  await shot(page, "admin-builds");
  await phone(page, "admin-builds");

  // The filter keeps only failed builds: this one is not among them.
  await page.getByLabel("Outcome").selectOption("failed");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/outcome=failed/);
  await expect(page.getByRole("table", { name: "Builds, newest first" }).getByRole("row").filter({ hasText: "console-demo" })).toHaveCount(0);
});

test("Builds tab: a running build's live log, and cancelling it tells the person waiting", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, ALICE);
  // Bob launches the slow repository on his own page; Alice watches and cancels it from the console.
  const bob = await browser.newPage();
  await signIn(bob, BOB);
  const spec = `${encodeURIComponent(git.repoUrl(SLOW))}/HEAD`;
  const launch = bob.request.get(`/build/git/${spec}?build_only=true`, { headers: { accept: "text/event-stream" }, timeout: 150_000 }).then((r) => r.text());

  await page.goto("/admin/builds");
  const card = page.locator("li[data-build]").filter({ hasText: "slow-build" });
  await expect(card).toContainText(BOB.name, { timeout: 60_000 });
  await card.getByRole("button", { name: "Show live log" }).click();
  await expect(card.getByRole("log")).toContainText("postBuild: slow build waiting", { timeout: 60_000 });
  await shot(page, "admin-builds-running");

  await card.getByRole("button", { name: /^Cancel the build of / }).click();
  const dialog = page.getByRole("dialog", { name: /Cancel the build of/ });
  await expect(dialog).toContainText("told an administrator cancelled it");
  await dialog.getByRole("button", { name: "Yes, cancel the build" }).click();
  const events = await launch;
  expect(events).toContain('"phase":"failed"');
  expect(events).toMatch(/cancelled by an administrator \(alice\)/);
  await expect(page.locator("li[data-build]").filter({ hasText: "slow-build" })).toHaveCount(0, { timeout: 30_000 });
  await page.reload();
  const row = page.getByRole("table", { name: "Builds, newest first" }).getByRole("row").filter({ hasText: "slow-build" }).first();
  await expect(row).toContainText("Cancelled");
  await bob.close();
});

test("Audit tab: filter by action, download the CSV", async ({ page }) => {
  await signIn(page, ALICE);
  await page.goto("/admin/audit");
  await page.getByLabel("Action").selectOption("launch");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=launch/);
  const table = page.getByRole("table", { name: "Audit events, newest first" });
  await expect(table.getByRole("row").filter({ hasText: "console-demo" }).first()).toContainText(ALICE.name);
  const actions = await table.locator("tbody tr td:nth-child(3)").allTextContents();
  expect(actions.length).toBeGreaterThan(0);
  expect(new Set(actions.map((a) => a.trim()))).toEqual(new Set(["launch"]));
  await shot(page, "admin-audit");
  await phone(page, "admin-audit");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download CSV/ }).click()]);
  expect(download.suggestedFilename()).toMatch(/^berth-audit-.*\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toBe("time,actor,action,target_user,server,reason,via_token,details");
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.split(",")[2] === "launch")).toBe(true);
  expect(csv).toContain("console-demo");
});

test("Profiles tab: resources, who may use them, servers per profile", async ({ page }) => {
  await signIn(page, ALICE);
  await page.goto("/admin/profiles");
  const table = page.getByRole("table", { name: /Configured profiles/ });
  const row = table.getByRole("row").filter({ hasText: "Default" }).first();
  await expect(row).toContainText("Everyone");
  await expect(table.getByRole("columnheader", { name: "Servers" })).toBeVisible();
  await expect(page.getByText(/is offered only to members of one of them/)).toBeVisible();
  await shot(page, "admin-profiles");
  await phone(page, "admin-profiles");
});

test("people who are not administrators get 403 on these tabs and their APIs", async ({ page }) => {
  await signIn(page, BOB);
  for (const path of ["/admin/builds", "/admin/audit", "/admin/profiles"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: "Administrators only" })).toBeVisible();
  }
  for (const path of ["/api/admin/builds", "/api/admin/builds/queue", "/api/admin/audit", "/api/admin/audit.csv", "/api/admin/profiles"]) {
    expect((await page.request.get(path)).status(), path).toBe(403);
  }
});
