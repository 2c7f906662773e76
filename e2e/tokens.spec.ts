import { expect, request as playwrightRequest, test, type APIRequestContext, type Page } from "@playwright/test";
import { startGitServer, type GitServerDouble } from "../test/doubles/git-server";
import { ALICE, berthCli, state } from "./fixtures/berth";
import { shot, signIn } from "./fixtures/helpers";

// API tokens end to end: a person makes one on their Tokens page (shown once), a program without
// any cookie uses it, revoking it ends it; an administrator sees and revokes anyone's; the CLI
// makes, lists and revokes them; binderhub-client's `apiToken` launches through /build.

test.describe.configure({ mode: "serial" });

const CAROL = { name: "tokcarol", password: "carol-token-staple-93" };
let api: APIRequestContext;

/** A program's view of Berth: no cookies, only what it sends. */
const asProgram = (token: string) => ({ authorization: `token ${token}` });

test.beforeAll(async () => {
  const r = berthCli(["user", "add", CAROL.name, "--password-stdin"], `${CAROL.password}\n`);
  expect(r.code, r.stderr).toBe(0);
  api = await playwrightRequest.newContext({ baseURL: state().baseURL });
});

test.afterAll(async () => {
  await api?.dispose();
});

function cliToken(stdout: string): string {
  const m = /Token \(shown once[^:]*: (berth_\S+)/.exec(stdout);
  if (!m) throw new Error(`no token in: ${stdout}`);
  return m[1];
}

async function openTokensFromMenu(page: Page) {
  await page.getByRole("button", { name: /account menu/ }).click();
  await page.getByRole("menuitem", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
}

test("a person creates a token (shown once), a program uses it, and revoking it ends it", async ({ page }) => {
  await signIn(page, CAROL);
  await openTokensFromMenu(page);
  await expect(page.getByText("No tokens yet")).toBeVisible();
  // The operator's maximum is said, and admin scopes are not offered to a non-administrator.
  await expect(page.getByText("Tokens last at most 365 days here")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: /admin:servers/ })).toHaveCount(0);
  await shot(page, "tokens-empty");

  await page.getByLabel("Note").fill("nightly report");
  await page.getByLabel("Expires after").selectOption({ label: "7 days" });
  await page.getByRole("checkbox", { name: /^servers/ }).check();
  await page.getByRole("button", { name: "Create token" }).click();
  const panel = page.getByTestId("new-token");
  await expect(panel).toContainText("you will not see it again");
  const token = await panel.getByLabel("Your new token").inputValue();
  expect(token).toMatch(/^berth_/);
  await expect(panel.getByRole("button", { name: "Copy the token" })).toBeVisible();
  const card = page.locator(`li[data-token="${token.slice(0, 12)}"]`);
  await expect(card).toContainText("nightly report");
  await expect(card.getByRole("list", { name: "Scopes" })).toContainText("read:servers");
  await expect(card.getByRole("list", { name: "Scopes" })).toContainText("servers");
  await shot(page, "tokens-created");

  // A program with only the token lists carol's servers.
  const res = await api.get(`/api/users/${CAROL.name}/servers`, { headers: asProgram(token) });
  expect(res.status(), await res.text()).toBe(200);
  expect(((await res.json()) as { user: string }).user).toBe(CAROL.name);
  // …and not someone else's.
  expect((await api.get(`/api/users/${ALICE.name}/servers`, { headers: asProgram(token) })).status()).toBe(403);

  // Shown once: after a reload the page never has it again, and it says when it was last used.
  await expect(async () => {
    await page.reload();
    await expect(card.getByText("Last used").locator("xpath=following-sibling::dd")).not.toHaveText("Never", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  expect(await page.content()).not.toContain(token);
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(card.getByText("Expires").locator("xpath=following-sibling::dd")).toContainText("UTC");

  await card.getByRole("button", { name: /Revoke/ }).click();
  const dialog = page.getByRole("dialog", { name: /Revoke "nightly report"/ });
  await expect(dialog).toContainText("stops working at once");
  await dialog.getByRole("button", { name: "Revoke token" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("No tokens yet")).toBeVisible();
  const after = await api.get(`/api/users/${CAROL.name}/servers`, { headers: asProgram(token) });
  expect(after.status()).toBe(401);
});

test("the CLI creates, lists and revokes tokens; the token works until revoked", async () => {
  const made = berthCli(["token", "create", CAROL.name, "--note", "from the cli", "--expires-in", "2d", "--scopes", "read:servers"]);
  expect(made.code, made.stderr).toBe(0);
  const token = cliToken(made.stdout);
  const id = /id ([0-9a-f-]{36})/.exec(made.stdout)![1];
  expect((await api.get(`/api/users/${CAROL.name}/servers`, { headers: asProgram(token) })).status()).toBe(200);
  // A token with read:servers only cannot start anything.
  expect((await api.post(`/api/users/${CAROL.name}/servers`, { headers: asProgram(token), data: { name: "nope" } })).status()).toBe(403);

  const listed = berthCli(["token", "list", CAROL.name]);
  expect(listed.stdout).toContain(id);
  expect(listed.stdout).toContain("from the cli");
  expect(listed.stdout).not.toContain(token);
  expect(berthCli(["token", "list"]).stdout).toContain(id);

  const bad = berthCli(["token", "create", CAROL.name, "--scopes", "admin:users"]);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain("only administrators");

  const revoked = berthCli(["token", "revoke", CAROL.name, id]);
  expect(revoked.code, revoked.stderr).toBe(0);
  expect((await api.get(`/api/users/${CAROL.name}/servers`, { headers: asProgram(token) })).status()).toBe(401);
});

test("an administrator sees everyone's tokens and revokes one; others get 403", async ({ browser }) => {
  const made = berthCli(["token", "create", CAROL.name, "--note", "laptop script", "--scopes", "read:servers"]);
  expect(made.code, made.stderr).toBe(0);
  const token = cliToken(made.stdout);

  const carolContext = await browser.newContext();
  const carolPage = await carolContext.newPage();
  try {
    await signIn(carolPage, CAROL);
    const res = await carolPage.goto("/admin/tokens");
    expect(res?.status()).toBe(403);
    await expect(carolPage.getByRole("heading", { name: "Administrators only" })).toBeVisible();
  } finally {
    await carolContext.close();
  }

  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, ALICE);
    await page.goto("/admin/tokens");
    await expect(page.getByRole("heading", { name: "Tokens", level: 1 })).toBeVisible();
    await page.getByLabel("Owner").fill(CAROL.name);
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/user=tokcarol/);
    const row = page.getByRole("row").filter({ hasText: "laptop script" });
    await expect(row).toHaveCount(1);
    await expect(row.getByRole("rowheader")).toContainText(CAROL.name);
    await expect(row).toContainText("read:servers");
    await expect(page.getByRole("table")).toContainText("made by berth");
    await shot(page, "admin-tokens");

    await row.getByRole("button", { name: /Revoke/ }).click();
    const dialog = page.getByRole("dialog", { name: `Revoke ${CAROL.name}'s token "laptop script"?` });
    await expect(dialog).toContainText("stops working at once");
    await dialog.getByRole("button", { name: "Revoke token" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("row").filter({ hasText: "laptop script" })).toHaveCount(0);
    expect((await api.get(`/api/users/${CAROL.name}/servers`, { headers: asProgram(token) })).status()).toBe(401);

    await page.getByLabel("Owner").fill("no-such-owner");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByText('No tokens belong to anyone whose name contains "no-such-owner"')).toBeVisible();
  } finally {
    await context.close();
  }
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  test("the Tokens page and the console's Tokens tab fit a narrow screen", async ({ page }) => {
    const made = berthCli(["token", "create", ALICE.name, "--note", "phone check", "--scopes", "read:servers,admin:servers"]);
    expect(made.code, made.stderr).toBe(0);
    await signIn(page, ALICE);
    await page.goto("/tokens");
    // An administrator is offered admin scopes.
    await expect(page.getByRole("checkbox", { name: /admin:servers/ })).toBeVisible();
    await expect(page.locator("li[data-token]").filter({ hasText: "phone check" })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "tokens-mobile");

    await page.goto("/admin/tokens");
    // One card per token instead of the wide table; the page does not scroll sideways.
    const card = page.getByRole("list", { name: /API tokens/ }).locator("li[data-token]").filter({ hasText: "phone check" });
    await expect(card).toContainText("admin:servers");
    await expect(card.getByRole("button", { name: /Revoke/ })).toBeVisible();
    await expect(page.getByRole("table")).toBeHidden();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "admin-tokens-mobile");
    const id = /id ([0-9a-f-]{36})/.exec(made.stdout)![1];
    expect(berthCli(["token", "revoke", ALICE.name, id]).code).toBe(0);
  });
});

test("binderhub-client with an apiToken launches through /build, with no cookie at all", async () => {
  test.setTimeout(240_000);
  const git: GitServerDouble = await startGitServer();
  const made = berthCli(["token", "create", CAROL.name, "--note", "binderhub-client", "--scopes", "servers"]);
  expect(made.code, made.stderr).toBe(0);
  const token = cliToken(made.stdout);
  const g = globalThis as unknown as { window?: unknown; document?: unknown };
  // The client is written for browsers; here its `window.fetch` is Node's, with no cookie jar.
  g.window = { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init), setTimeout, clearTimeout };
  g.document = { cookie: "", hidden: false, addEventListener: () => undefined, removeEventListener: () => undefined };
  try {
    const commit = await git.createRepo("tokens/minimal", { "requirements.txt": "# nothing to install\n", "README.md": "# minimal\n" });
    const { BinderRepository } = await import("@jupyterhub/binderhub-client/client.js");
    const base = state().baseURL;
    const spec = `git/${encodeURIComponent(git.repoUrl("tokens/minimal"))}/HEAD?server=viatoken`;
    const repo = new BinderRepository(spec, new URL("/build/", base), { apiToken: token });
    const lines: { phase?: string; message?: string; url?: string; imageName?: string }[] = [];
    for await (const line of repo.fetch() as AsyncIterable<(typeof lines)[number]>) {
      lines.push(line);
      if (line.phase === "ready" || line.phase === "failed") break;
    }
    repo.close();
    const ready = lines[lines.length - 1];
    expect(ready.phase, lines.map((l) => l.message).join("")).toBe("ready");
    expect(lines.find((l) => l.phase === "built")?.imageName).toMatch(new RegExp(`:${commit}$`));
    expect(ready.url).toBe(`${base}/user/${CAROL.name}/viatoken/`);

    const servers = await api.get(`/api/users/${CAROL.name}/servers`, { headers: asProgram(token) });
    const view = (await servers.json()) as { servers: { name: string; state: string }[] };
    expect(view.servers.find((s) => s.name === "viatoken")?.state).toBe("running");
    const removed = await api.delete(`/api/users/${CAROL.name}/servers/viatoken`, { headers: asProgram(token) });
    expect(removed.status(), await removed.text()).toBe(204);
  } finally {
    delete g.window;
    delete g.document;
    await git.close();
  }
});
