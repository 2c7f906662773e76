import { expect, test, type Page } from "@playwright/test";
import { ALICE, BOB, berthCli } from "./fixtures/berth";
import { SERVER_START_TIMEOUT, shot, signIn } from "./fixtures/helpers";

// The console's Servers tab: an administrator (alice) finds another person's servers with the
// filters, starts and stops one, bulk-stops two and bulk-deletes one after a confirmation that
// names it and its storage. Bob, not an administrator, gets 403 on the page and its API.

test.describe.configure({ mode: "serial" });

const OWNER = "dora-srv";
const row = (page: Page, name: string) => page.locator(`tr[data-row="${OWNER}/${name}"]`);

async function expectRowState(page: Page, name: string, state: string) {
  await expect(row(page, name)).toHaveAttribute("data-state", state, { timeout: SERVER_START_TIMEOUT });
}

test("an administrator filters, starts, stops, bulk-stops and bulk-deletes another person's servers", async ({ page }) => {
  test.setTimeout(300_000);
  const added = berthCli(["user", "add", OWNER, "--password-stdin"], "dora-correct-horse-42\n");
  expect(added.code, added.stderr).toBe(0);
  await signIn(page, ALICE);
  // An administrator may add servers for someone else through the same API as their own page.
  for (const name of ["one", "two", "three"]) {
    const res = await page.request.post(`/api/users/${OWNER}/servers`, { data: { name } });
    expect(res.status(), await res.text()).toBe(201);
  }

  await page.goto("/admin/servers");
  await expect(page.getByRole("heading", { name: "Servers", level: 1 })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Servers", exact: true })).toHaveAttribute("aria-current", "page");

  // Filter by owner through the form: the address carries the filter (a link to it works too).
  await page.getByLabel("Owner").fill("dora");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\/admin\/servers\?owner=dora$/);
  await expect(page.getByText("3 servers match these filters.")).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(3);
  await expect(page.getByRole("columnheader", { name: /Owner/ })).toHaveAttribute("aria-sort", "ascending");

  // Start one from its row; the page follows it until it runs.
  await row(page, "one").getByRole("button", { name: `Start ${OWNER} / one` }).click();
  await expectRowState(page, "one", "running");
  const open = row(page, "one").getByRole("link", { name: `Open ${OWNER} / one` });
  await expect(open).toHaveAttribute("href", `/open-server?next=${encodeURIComponent(`/user/${OWNER}/one/`)}`);
  await expect(row(page, "one")).toContainText(/in 1 h 59 min|in 2 h 0 min/);
  await shot(page, "admin-servers");

  // Open goes through the warning for someone else's server.
  await open.click();
  await expect(page.getByRole("heading", { name: `Open ${OWNER}'s server?` })).toBeVisible();
  await page.goBack();

  // Stop it from its row.
  await row(page, "one").getByRole("button", { name: `Stop ${OWNER} / one` }).click();
  await expectRowState(page, "one", "stopped");

  // Start two, then stop both with one confirmation.
  await row(page, "one").getByRole("button", { name: `Start ${OWNER} / one` }).click();
  await row(page, "two").getByRole("button", { name: `Start ${OWNER} / two` }).click();
  await expectRowState(page, "one", "running");
  await expectRowState(page, "two", "running");

  // The state filter finds them both.
  await page.goto(`/admin/servers?owner=dora&state=running`);
  await expect(page.locator("tbody tr")).toHaveCount(2);
  await expect(page.getByLabel("State")).toHaveValue("running");
  await page.getByLabel("Select all 2 servers on this page").check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.getByRole("button", { name: "Stop selected" }).click();
  const stopDialog = page.getByRole("dialog", { name: "Stop 2 servers?" });
  await expect(stopDialog).toContainText(`${OWNER} / one`);
  await expect(stopDialog).toContainText(`${OWNER} / two`);
  await expect(stopDialog).toContainText("their files are kept");
  await stopDialog.getByRole("button", { name: "Stop servers" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Stopping 2 servers." })).toBeVisible();

  await page.goto(`/admin/servers?owner=dora`);
  await expectRowState(page, "one", "stopped");
  await expectRowState(page, "two", "stopped");

  // Delete another (with its storage) after a confirmation naming it and what is lost.
  await page.getByLabel(`Select ${OWNER}’s server three`).check();
  await page.getByRole("button", { name: "Delete selected" }).click();
  const deleteDialog = page.getByRole("dialog", { name: "Delete 1 server?" });
  await expect(deleteDialog).toContainText(`${OWNER} / three`);
  await expect(deleteDialog).toContainText("its storage will be deleted");
  await shot(page, "admin-servers-delete-confirm", { fullPage: false });
  await deleteDialog.getByRole("button", { name: "Delete servers and their storage" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 1 server." })).toBeVisible();
  await expect(row(page, "three")).toHaveCount(0);
  await expect(page.locator("tbody tr")).toHaveCount(2);

  // Sorting by state is a link with the order in the address.
  await page.getByRole("link", { name: /State/ }).click();
  await expect(page).toHaveURL(/sort=state/);
  await expect(page.getByRole("columnheader", { name: /State/ })).toHaveAttribute("aria-sort", "ascending");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  test("the Servers tab scrolls its table inside a labelled region, not the page", async ({ page }) => {
    await signIn(page, ALICE);
    await page.goto("/admin/servers?owner=dora");
    await expect(page.locator("tbody tr")).toHaveCount(2);
    await expect(page.getByRole("region", { name: /Servers of every user/ })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "admin-servers-mobile");
  });
});

test("someone who is not an administrator gets 403 from the page and its API", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, BOB);
    const res = await page.goto("/admin/servers");
    expect(res?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Administrators only" })).toBeVisible();
    await expect(page.getByText(OWNER)).toHaveCount(0);
    expect((await page.request.get("/api/admin/servers")).status()).toBe(403);
    const bulk = await page.request.post("/api/admin/servers", { data: { action: "delete", servers: [{ user: OWNER, name: "one" }] } });
    expect(bulk.status()).toBe(403);
  } finally {
    await context.close();
  }
  const cli = berthCli(["server", "list", "--user", OWNER, "--json"]);
  expect(cli.code, cli.stderr).toBe(0);
  expect((JSON.parse(cli.stdout) as { servers: { name: string }[] }).servers.map((s) => s.name)).toEqual(["one", "two"]);
});
