import { expect, test, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { executeOnKernel, openKernelSocket } from "../test/helpers/kernel";
import { ALICE, BOB, state } from "./fixtures/berth";
import { addServerByApi, deleteServerByApi, SERVER_START_TIMEOUT, shot, signIn } from "./fixtures/helpers";

// Notebook servers share Berth's origin (no per-user hosts here), so a script in one of their pages
// runs with the visitor's Berth session. Bob's default server gets a custom.js, written from its
// kernel as any code of his could, that tries to change things in Berth with whoever's session
// visits: Berth must refuse, and nothing must change. Alice is the administrator (setup.spec).

// A hostile custom.js: loaded by every Jupyter Notebook page of bob's server.
const CUSTOM_JS = String.raw`
(async () => {
  const out = {};
  const me = (await (await fetch("/api/auth/session")).json()).user.name;
  const call = async (key, url, init) => {
    const r = await fetch(url, init);
    out[key] = { status: r.status, body: await r.text() };
  };
  const json = { "content-type": "application/json" };
  await call("create", "/api/users/" + me + "/servers", { method: "POST", headers: json, body: JSON.stringify({ name: "planted" }) });
  await call("delete", "/api/users/" + me + "/servers/keep", { method: "DELETE" });
  await call("deleteNoReferrer", "/api/users/" + me + "/servers/keep", { method: "DELETE", referrerPolicy: "no-referrer" });
  await call("stop", "/api/users/bob/server/stop", { method: "POST" });
  const csrf = (await (await fetch("/api/auth/csrf")).json()).csrfToken;
  await call("signout", "/api/auth/signout", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "csrfToken=" + csrf + "&json=true" });
  window.__berthAttack = out;
})();
`;

async function waitRunning(request: APIRequestContext, user: string) {
  await expect
    .poll(async () => {
      const r = await request.get(`/api/users/${user}/servers`);
      const body = (await r.json()) as { servers: { name: string; state: string }[] };
      return body.servers.find((s) => s.name === "")?.state;
    }, { timeout: SERVER_START_TIMEOUT })
    .toBe("running");
}

async function serverNames(request: APIRequestContext, user: string): Promise<string[]> {
  const r = await request.get(`/api/users/${user}/servers`);
  expect(r.status()).toBe(200);
  return ((await r.json()) as { servers: { name: string }[] }).servers.map((s) => s.name).sort();
}

async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
}

/** Waits for the custom.js above to finish in this page, and returns what each call got. */
async function attackResults(page: Page) {
  await page.waitForFunction(() => (window as unknown as { __berthAttack?: unknown }).__berthAttack, undefined, { timeout: 30_000 });
  return page.evaluate(() => (window as unknown as { __berthAttack: Record<string, { status: number; body: string }> }).__berthAttack);
}

function expectRefused(results: Record<string, { status: number; body: string }>) {
  for (const key of ["create", "delete", "deleteNoReferrer", "stop", "signout"]) {
    expect(results[key]?.status, `${key}: ${results[key]?.body}`).toBe(403);
  }
  expect(JSON.parse(results.create.body).message).toMatch(/page of a notebook server/);
  expect(JSON.parse(results.deleteNoReferrer.body).message).toMatch(/Referer/);
}

test.describe.configure({ mode: "serial" });

let bobContext: BrowserContext;
let bob: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  bobContext = await browser.newContext();
  bob = await bobContext.newPage();
  await signIn(bob, BOB);
  await addServerByApi(bob, BOB.name, "keep");
  const started = await bob.request.post(`/api/users/${BOB.name}/server/start`);
  expect([200, 202]).toContain(started.status());
  await waitRunning(bob.request, BOB.name);

  // Bob's code writes ~/.jupyter/custom/custom.js from a kernel (HOME is the workspace).
  const created = await bob.request.post(`/user/${BOB.name}/api/kernels`, { data: { name: "python3" } });
  expect(created.status()).toBe(201);
  const kernelId = ((await created.json()) as { id: string }).id;
  const base = new URL(state().baseURL);
  const ws = await openKernelSocket(`ws://${base.host}/user/${BOB.name}/api/kernels/${kernelId}/channels`, await cookieHeader(bobContext));
  try {
    const code = `import os, pathlib\np = pathlib.Path(os.environ["HOME"], ".jupyter", "custom")\np.mkdir(parents=True, exist_ok=True)\n(p / "custom.js").write_text(${JSON.stringify(CUSTOM_JS)})\nprint("written")`;
    expect((await executeOnKernel(ws, code, BOB.name)).trim()).toBe("written");
  } finally {
    ws.close();
  }
  await bob.request.delete(`/user/${BOB.name}/api/kernels/${kernelId}`);
});

test.afterAll(async () => {
  await deleteServerByApi(bob, BOB.name, "keep");
  await deleteServerByApi(bob, BOB.name, "planted");
  await bob.request.post(`/api/users/${BOB.name}/server/stop`);
  await bobContext.close();
});

test("a script in the owner's own notebook page cannot use his Berth session to change anything", async () => {
  // The owner is never asked to confirm: straight to Jupyter.
  await bob.goto(`/user/${BOB.name}/tree`);
  await expect(bob).toHaveURL(new RegExp(`/user/${BOB.name}/tree`));
  await expect(bob.locator("#notebook_list")).toBeVisible();
  expectRefused(await attackResults(bob));
  // Nothing changed: "keep" is there, "planted" is not, the server runs, bob is still signed in.
  expect(await serverNames(bob.request, BOB.name)).toEqual(["", "keep"]);
  await waitRunning(bob.request, BOB.name);
  await bob.goto("/servers");
  await expect(bob.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();
});

test("an administrator is warned before opening someone else's server, and its scripts still cannot act for her", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, ALICE);
  const before = await serverNames(page.request, ALICE.name);

  // Without confirming, programs get 403 saying why, and the page is the warning.
  const api = await page.request.get(`/user/${BOB.name}/api/contents`);
  expect(api.status()).toBe(403);
  expect((await api.json()).error).toBe("confirmation_required");
  await page.goto(`/user/${BOB.name}/tree`);
  await expect(page).toHaveURL(/\/open-server\?next=/);
  const heading = page.getByRole("heading", { name: `Open ${BOB.name}'s server?`, level: 1 });
  await expect(heading).toBeVisible();
  await expect(page.getByRole("main")).toContainText("your administrator rights");
  await expect(page.getByRole("main")).toContainText(`the default server of ${BOB.name}`);
  await shot(page, "open-server-warning");

  // Back goes to Berth, not to the server.
  await page.getByRole("link", { name: "Back" }).click();
  await expect(page).toHaveURL(/\/servers$/);

  await page.goto(`/user/${BOB.name}/tree`);
  // Keyboard: the buttons are reachable and "Open anyway" submits.
  await page.getByRole("button", { name: "Open anyway" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/user/${BOB.name}/tree`));
  await expect(page.locator("#notebook_list")).toBeVisible();
  const ack = (await page.context().cookies()).find((c) => c.name === "berth-open-ack");
  expect(ack).toMatchObject({ path: `/user/${BOB.name}/`, httpOnly: true, sameSite: "Strict" });

  expectRefused(await attackResults(page));
  expect(await serverNames(page.request, ALICE.name)).toEqual(before);
  await page.goto("/servers");
  await expect(page.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  test("the warning fits a narrow screen", async ({ page }) => {
    await signIn(page, ALICE);
    await page.goto(`/user/${BOB.name}/tree`);
    await expect(page.getByRole("heading", { name: `Open ${BOB.name}'s server?` })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "open-server-warning-mobile");
  });
});

test("Berth's pages and API answers carry a strict CSP, and no page breaks it", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => violations.push(`${page.url()}: ${e.message}`));

  const signin = await page.goto("/signin");
  const csp = signin?.headers()["content-security-policy"] ?? "";
  for (const d of ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"]) expect(csp).toContain(d);
  expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  // A fresh nonce every time.
  const again = (await page.request.get("/signin")).headers()["content-security-policy"];
  expect(again).not.toBe(csp);

  await signIn(page, ALICE);
  for (const path of ["/servers", "/", "/open-server"]) {
    const r = await page.goto(path);
    expect(r?.headers()["content-security-policy"], path).toContain("frame-ancestors 'none'");
    await page.waitForLoadState("networkidle");
  }
  const apiAnswer = await page.request.get(`/api/users/${ALICE.name}/servers`);
  expect(apiAnswer.headers()["content-security-policy"]).toContain("default-src 'self'");
  // The interactive bits still work under the policy: the user menu opens.
  await page.goto("/servers");
  await page.getByRole("button", { name: /account menu/ }).click();
  await expect(page.getByRole("menu", { name: "Account" })).toBeVisible();
  expect(violations).toEqual([]);
});
