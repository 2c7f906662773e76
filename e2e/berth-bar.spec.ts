import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ROOT, type E2EState } from "./fixtures/berth";
import { SERVER_START_TIMEOUT, shot } from "./fixtures/helpers";
import { startBerth, stopBerth } from "./fixtures/start-berth";

// The way back from Jupyter (issue 12, points 8 and 10) and idle stops people see coming
// (issue 13, point 3), in a real browser against a real Jupyter (Notebook 6): the Berth bar on
// Jupyter's pages, Jupyter's Logout landing on Berth's sign-out, a BinderHub `labpath` link
// opening the notebook, and the idle warning with Keep running in the bar and on My servers.
// A Berth of its own: a profile whose servers stop after 5 minutes idle, so the warning (shown
// in the last 10 minutes) is there from the start.

const ERIN = { name: "erin", password: "erin-tide-harbour-7" };
let berth: E2EState;
let base: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(path.join(tmpdir(), "berth-e2e-bar-"));
  const profiles = path.join(dir, "profiles.json");
  writeFileSync(
    profiles,
    JSON.stringify({
      profiles: [
        { slug: "standard", displayName: "Standard", default: true },
        { slug: "brief", displayName: "Brief", description: "Stops after 5 minutes idle", idleTimeoutSeconds: 300 },
      ],
    }),
  );
  berth = await startBerth({ BERTH_PROFILES_FILE: profiles }, { expectSetupLink: false });
  base = berth.baseURL;
  const r = spawnSync("npx", ["tsx", "lib/cli/main.ts", "user", "add", ERIN.name, "--password-stdin"], { cwd: ROOT, env: { ...process.env, ...berth.env }, input: `${ERIN.password}\n`, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
});

test.afterAll(async () => {
  await stopBerth(berth);
});

async function signIn(page: Page) {
  await page.goto(`${base}/signin?callbackUrl=%2Fservers`);
  await page.getByLabel("Username").fill(ERIN.name);
  await page.getByLabel("Password").fill(ERIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${base}/servers`);
}

async function startAndWait(page: Page, name: string) {
  const path = name ? `servers/${name}` : "server";
  const res = await page.request.post(`${base}/api/users/erin/${path}/start`);
  expect(res.status(), await res.text()).toBe(202);
  await expect
    .poll(async () => ((await (await page.request.get(`${base}/api/users/erin/servers`)).json()) as { servers: { name: string; state: string }[] }).servers.find((s) => s.name === name)?.state, { timeout: SERVER_START_TIMEOUT })
    .toBe("running");
}

const bar = (page: Page) => page.locator("berth-bar");

test("the Berth bar in Jupyter leads back to Berth, and Jupyter's Logout goes to Berth's sign-out", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  await startAndWait(page, "");

  await test.step("the bar sits on Jupyter's own page: My servers, the time left, Sign out", async () => {
    await page.goto(`${base}/user/erin/tree`);
    await expect(page.locator("#notebook_list")).toBeVisible();
    await expect(bar(page).getByRole("link", { name: "My servers" })).toHaveAttribute("href", "/servers");
    await expect(bar(page).getByText(/^Idle stop in (1 h 5\d|2 h 0) min$/)).toBeVisible();
    await expect(bar(page).getByRole("link", { name: "Sign out" })).toHaveAttribute("href", "/signout?from=%2Fuser%2Ferin%2F");
    // No warning two hours out.
    await expect(bar(page).getByRole("button", { name: "Keep running" })).toBeHidden();
    await shot(page, "berth-bar-jupyter-tree", { fullPage: false });
    await bar(page).getByRole("link", { name: "My servers" }).click();
    await expect(page).toHaveURL(`${base}/servers`);
    await expect(page.getByRole("heading", { name: "My servers" })).toBeVisible();
  });

  await test.step("Jupyter's Logout opens Berth's sign-out page, which asks first", async () => {
    await page.goto(`${base}/user/erin/tree`);
    await page.locator("#logout").click();
    await expect(page).toHaveURL(`${base}/signout?from=%2Fuser%2Ferin%2F`);
    await expect(page.getByRole("heading", { name: "Sign out of Berth?" })).toBeVisible();
    await expect(page.getByText("Successfully logged out")).toHaveCount(0);
    await shot(page, "jupyter-logout-berth-signout");
    // Staying signed in goes back to the server.
    await page.getByRole("link", { name: "Stay signed in and go back" }).click();
    await expect(page).toHaveURL(new RegExp(`^${base}/user/erin/tree`));
    await expect(page.locator("#notebook_list")).toBeVisible();
    // Signing out ends Berth's session: the server asks for a sign-in again.
    await page.locator("#logout").click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(new RegExp(`^${base}/signin`));
    await page.goto(`${base}/user/erin/tree`);
    await expect(page).toHaveURL(new RegExp(`^${base}/signin\\?callbackUrl=`));
  });
});

test("a BinderHub labpath link opens the notebook on Notebook 6", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  const put = await page.request.put(`${base}/user/erin/api/contents/index.ipynb`, { data: { type: "notebook", content: { cells: [{ cell_type: "code", source: "print('opened by labpath')", metadata: {}, outputs: [], execution_count: null }], metadata: {}, nbformat: 4, nbformat_minor: 5 } } });
  expect(put.status(), await put.text()).toBeLessThan(300);
  // Where binderhub-client's own redirect goes for labpath=index.ipynb (JupyterLab's address).
  const { LaunchSpec } = await import("@jupyterhub/binderhub-client/spec.js");
  const target = LaunchSpec.fromSearchParams(new URLSearchParams("labpath=index.ipynb")).getJupyterServerRedirectUrl(new URL(`${base}/user/erin/`), "");
  expect(target.toString()).toBe(`${base}/user/erin/doc/tree/index.ipynb?token=`);
  await page.goto(target.toString());
  await expect(page).toHaveURL(`${base}/user/erin/notebooks/index.ipynb`);
  await expect(page.locator("#kernel_indicator_icon")).toHaveClass(/kernel_idle_icon/, { timeout: 30_000 });
  await expect(page.locator(".cell").first()).toContainText("opened by labpath");
  await expect(bar(page).getByRole("link", { name: "My servers" })).toBeVisible();
  await shot(page, "labpath-classic-notebook", { fullPage: false });
});

test("an idle stop close at hand is shown, and Keep running puts it off, in the bar and on My servers", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  const created = await page.request.post(`${base}/api/users/erin/servers`, { data: { name: "brief", profile: "brief" } });
  expect(created.status(), await created.text()).toBe(201);
  await startAndWait(page, "brief");

  await test.step("in Jupyter: the bar warns and offers Keep running", async () => {
    await page.goto(`${base}/user/erin/brief/tree`);
    await expect(page.locator("#notebook_list")).toBeVisible();
    const alert = bar(page).getByRole("alert");
    await expect(alert).toHaveText(/^Stops in [1-5] min without activity$/);
    const keep = bar(page).getByRole("button", { name: "Keep running" });
    await expect(keep).toBeVisible();
    await shot(page, "idle-warning-berth-bar", { fullPage: false });
    const kept = page.waitForResponse((r) => r.url().endsWith("/user/erin/brief/_berth/keep-running"));
    await keep.click();
    expect((await kept).status()).toBe(200);
    await expect(alert).toHaveText("Kept running");
  });

  await test.step("on My servers: the card warns, Keep running records activity now", async () => {
    await page.goto(`${base}/servers`);
    const card = page.locator('li[data-server="brief"]');
    await expect(card.getByRole("alert")).toContainText(/Stops in [1-5] min without activity\./);
    await expect(card.getByText(/^in [1-5] min without activity$/)).toBeVisible();
    await shot(page, "idle-warning-dashboard");
    const kept = page.waitForResponse((r) => r.url().endsWith("/api/users/erin/servers/brief/keep-running"));
    await card.getByRole("button", { name: "Keep brief running" }).click();
    const res = await kept;
    expect(res.status()).toBe(200);
    const view = (await res.json()) as { state: string; idleTimeoutSeconds: number; idleStopAt: string };
    expect(view).toMatchObject({ state: "running", idleTimeoutSeconds: 300 });
    expect(new Date(view.idleStopAt).getTime()).toBeGreaterThan(Date.now() + 240_000);
    await expect(card.getByText("Last activity")).toBeVisible();
    await expect(card.locator("dd").first()).toHaveText("just now");
    // The default server (2 hours) shows no warning.
    await expect(page.locator('li[data-server="default"]').getByRole("alert")).toHaveCount(0);
  });

  await test.step("the heading names the range of idle timeouts; the table view warns and keeps running too", async () => {
    // Two profiles here, 5 minutes and the operator's 2 hours: the heading does not claim one of them.
    await expect(page.getByText("Servers stop after their profile's time without activity (5 minutes to 2 hours); their files are kept.")).toBeVisible();
    await page.getByRole("group", { name: "Show servers as" }).getByRole("button", { name: "Table" }).click();
    const row = page.locator('tr[data-server="brief"]');
    await expect(row.getByRole("status")).toContainText(/in [1-5] min/);
    await expect(page.locator('tr[data-server="default"]').getByRole("status")).toHaveCount(0);
    await shot(page, "idle-warning-table");
    const kept = page.waitForResponse((r) => r.url().endsWith("/api/users/erin/servers/brief/keep-running"));
    await row.getByRole("button", { name: "Keep brief running" }).click();
    const res = await kept;
    expect(res.status()).toBe(200);
    const view = (await res.json()) as { idleStopAt: string };
    expect(new Date(view.idleStopAt).getTime()).toBeGreaterThan(Date.now() + 240_000);
    await expect(row.getByText("just now")).toBeVisible();
  });

  await test.step("Keep running is refused when sent from a notebook page through Berth's API", async () => {
    await page.goto(`${base}/user/erin/brief/tree`);
    const status = await page.evaluate(async () => (await fetch("/api/users/erin/servers/brief/keep-running", { method: "POST" })).status);
    expect(status).toBe(403);
  });
});
