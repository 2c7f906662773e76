import { expect, test, type Locator, type Page } from "@playwright/test";
import { startGitServer, type GitServerDouble } from "../test/doubles/git-server";
import { ALICE } from "./fixtures/berth";
import { addServerByApi, deleteServerByApi, serverCard, shot, signIn } from "./fixtures/helpers";

// My servers with many servers: the compact table (Add above it, as on JupyterHub's home page),
// the cards/table choice remembered per browser, and on a phone stacked rows in which a long
// repository name wraps between its parts instead of running off the screen.

test.describe.configure({ mode: "serial" });

const NAMED = ["tv-one", "tv-two", "tv-three", "tv-four"];
const FIFTH = "tv-five";
const LAUNCHED = "wrap";
// Parts short enough to be kept whole on a phone's line; the whole address far longer than one.
const LONG_REPO = "research-group-2024/analysis-notebooks";

let git: GitServerDouble;

test.beforeAll(async () => {
  git = await startGitServer();
  await git.createRepo(LONG_REPO, { "requirements.txt": "# nothing to install\n", "README.md": "# A repository with a long name\n" });
});

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signIn(page, ALICE);
  for (const name of [...NAMED, FIFTH, LAUNCHED]) await deleteServerByApi(page, ALICE.name, name);
  await page.close();
  await git?.close();
});

const pageHeight = (page: Page) => page.evaluate(() => document.documentElement.scrollHeight);
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
const top = async (l: Locator) => (await l.boundingBox())!.y;

test("six servers: a compact table with Add above it; the view chosen is remembered", async ({ page }) => {
  await signIn(page, ALICE);
  for (const name of NAMED) await addServerByApi(page, ALICE.name, name);
  await page.reload();

  // Five servers (the default and four named) open as the table.
  const table = page.getByRole("table", { name: "Your servers" });
  await expect(table).toBeVisible();
  await expect(page.getByRole("button", { name: "Table" })).toHaveAttribute("aria-pressed", "true");
  await expect(table.getByRole("row")).toHaveCount(1 + 5);
  for (const header of ["Server", "State", "Profile", "Last activity", "Idle stop", "Storage", "Actions"]) await expect(table.getByRole("columnheader", { name: header })).toBeAttached();

  // Add is at the top: the sixth server through it, and its row appears in the table below.
  const form = page.getByRole("form", { name: "Add a named server" });
  expect(await top(form)).toBeLessThan(await top(table));
  await page.getByLabel("Server name").fill(FIFTH);
  await page.getByRole("button", { name: "Add server" }).click();
  const row = serverCard(page, FIFTH);
  await expect(row).toHaveAttribute("data-state", "stopped");
  await expect(table.getByRole("row")).toHaveCount(1 + 6);
  await expect(row.getByRole("rowheader")).toHaveText(FIFTH);
  await expect(row.getByRole("button", { name: `Start ${FIFTH}` })).toBeVisible();
  await expect(row.getByRole("button", { name: `Delete ${FIFTH}` })).toBeVisible();
  await expect(page.getByRole("row", { name: /My Server/ }).getByRole("button", { name: /^Delete/ })).toHaveCount(0);

  // Six servers in about half the height the cards took (~1,850 px), with nothing scrolling sideways.
  const tableHeight = await pageHeight(page);
  expect(tableHeight).toBeLessThan(1300);
  expect(await pageWidth(page)).toBeLessThanOrEqual(1280);
  await shot(page, "servers-table");

  // The view toggle by keyboard: focus it, Space switches to cards.
  const cards = page.getByRole("button", { name: "Cards" });
  await cards.focus();
  await page.keyboard.press("Space");
  await expect(cards).toHaveAttribute("aria-pressed", "true");
  await expect(table).toHaveCount(0);
  await expect(page.locator(`li[data-server="${FIFTH}"]`)).toBeVisible();
  expect(await pageHeight(page)).toBeGreaterThan(tableHeight);
  // In the cards the form follows the lists, as before.
  expect(await top(form)).toBeGreaterThan(await top(page.locator(`li[data-server="${FIFTH}"]`)));

  // Remembered by this browser across a reload, and back again.
  await page.reload();
  await expect(page.getByRole("button", { name: "Cards" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.locator(`li[data-server="${FIFTH}"]`)).toBeVisible();
  await page.getByRole("button", { name: "Table" }).click();
  await page.reload();
  await expect(page.getByRole("table", { name: "Your servers" })).toBeVisible();
  expect(await page.evaluate(() => window.localStorage.getItem("berth:servers-view"))).toBe("table");

  // The table's actions work: delete the sixth from its row, after the confirmation.
  await row.getByRole("button", { name: `Delete ${FIFTH}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete server and its files" }).click();
  await expect(row).toHaveCount(0, { timeout: 30_000 });
});

test("on a phone: stacked rows, no sideways scrolling, and a long repository name wraps at its slashes", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, ALICE);
  // Launch the long-named repository into a server of its own, through the BinderHub event stream.
  const spec = `${encodeURIComponent(git.repoUrl(LONG_REPO))}/HEAD`;
  const res = await page.request.get(`/build/git/${spec}?server=${LAUNCHED}`, { headers: { accept: "text/event-stream" }, timeout: 180_000 });
  expect(await res.text()).toContain('"phase":"ready"');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/servers");
  await page.getByRole("button", { name: "Table" }).click();
  const row = serverCard(page, LAUNCHED);
  await expect(row).toHaveAttribute("data-state", "running");
  expect(await row.evaluate((el) => getComputedStyle(el).display)).toBe("block");
  expect(await pageWidth(page)).toBeLessThanOrEqual(390);

  const link = row.getByRole("link", { name: git.repoUrl(LONG_REPO).replace(/\.git$/, "") });
  await expect(link).toBeVisible();
  // The name takes several lines, and at least one line starts right after a "/".
  const wrap = await link.evaluate((el) => {
    const parts = [...el.children].filter((c) => c.tagName === "SPAN");
    let atSlash = 0;
    for (let k = 1; k < parts.length; k++) {
      const prev = parts[k - 1].getBoundingClientRect();
      if ((parts[k - 1].textContent ?? "").endsWith("/") && parts[k].getBoundingClientRect().top > prev.top + 2) atSlash++;
    }
    return { parts: parts.length, lines: new Set(parts.map((p) => Math.round(p.getBoundingClientRect().top))).size, atSlash, right: Math.max(...parts.map((p) => p.getBoundingClientRect().right)) };
  });
  expect(wrap.parts).toBeGreaterThan(2);
  expect(wrap.lines).toBeGreaterThan(1);
  expect(wrap.atSlash).toBeGreaterThan(0);
  expect(wrap.right).toBeLessThanOrEqual(390);
  await shot(page, "servers-table-phone");

  // The cards wrap it the same way.
  await page.getByRole("button", { name: "Cards" }).click();
  const card = page.locator(`li[data-server="${LAUNCHED}"]`);
  const cardLink = card.getByRole("link", { name: git.repoUrl(LONG_REPO).replace(/\.git$/, "") });
  expect(await cardLink.evaluate((el) => new Set([...el.children].map((p) => Math.round(p.getBoundingClientRect().top))).size)).toBeGreaterThan(1);
  expect(await pageWidth(page)).toBeLessThanOrEqual(390);
  await shot(page, "servers-cards-phone");
});
