import { expect, test, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { berthCli, state, type E2EState } from "./fixtures/berth";
import { SERVER_START_TIMEOUT, shot, signIn } from "./fixtures/helpers";
import { startBerth, stopBerth } from "./fixtures/start-berth";

// Sessions end when they are ended (issue 9, point 4): a session cookie copied before sign-out
// no longer opens pages, the API or the proxy after it — on the Berth that signed the person out
// at once, and on a second replica sharing its database within BERTH_SESSION_CHECK_SECONDS.

const SAM = { name: "sam", password: "sam-lighthouse-keeper-58" };
const TOM = { name: "tom", password: "tom-quiet-harbour-93" };
// Several check lifetimes (default 3 s), with room for a slow moment on a busy machine.
const WITHIN = 30_000;

test.beforeAll(() => {
  for (const u of [SAM, TOM]) {
    const r = berthCli(["user", "add", u.name, "--password-stdin"], `${u.password}\n`);
    expect(r.code, r.stderr).toBe(0);
  }
});

const status = async (request: APIRequestContext, url: string) => (await request.get(url, { headers: { Accept: "application/json" } })).status();

async function openMenu(page: Page) {
  await page.getByRole("button", { name: /account menu/ }).click();
}

async function sessionCookies(context: BrowserContext) {
  const cookies = (await context.cookies()).filter((c) => /next-auth\.session-token/.test(c.name));
  expect(cookies.length).toBeGreaterThan(0);
  return cookies;
}

test("a session cookie copied before sign-out is refused after it by pages, the API and the proxy, on every replica", async ({ browser }) => {
  test.setTimeout(420_000);
  // Started before any server runs: a second local-runtime Berth settles servers it did not start.
  const replica: E2EState = await startBerth({}, { replicaOf: state() });
  const first = await browser.newContext();
  const copy = await browser.newContext();
  try {
    const page = await first.newPage();
    await signIn(page, SAM);
    expect((await page.request.post(`/api/users/${SAM.name}/server/start`)).status()).toBe(202);

    // Someone copies the cookie into another browser. Cookies do not depend on the port, so the
    // copy reaches the replica on the same host too.
    await copy.addCookies(await sessionCookies(first));
    const other = await copy.newPage();
    const here = (p: string) => p;
    const there = (p: string) => `${replica.baseURL}${p}`;
    for (const at of [here, there]) {
      await expect.poll(() => status(copy.request, at(`/user/${SAM.name}/api/status`)), { timeout: SERVER_START_TIMEOUT }).toBe(200);
      expect(await status(copy.request, at(`/api/users/${SAM.name}/servers`))).toBe(200);
      await other.goto(at("/servers"));
      await expect(other.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();
    }

    await openMenu(page);
    await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/signin/);

    // The Berth that signed Sam out refuses the copy at once; the replica within seconds.
    for (const [at, timeout] of [[here, 1], [there, WITHIN]] as const) {
      await expect.poll(() => status(copy.request, at(`/api/users/${SAM.name}/servers`)), { timeout: Math.max(timeout, 5_000) }).toBe(401);
      expect(await status(copy.request, at(`/user/${SAM.name}/api/status`))).toBe(401);
      await other.goto(at("/servers"));
      await expect(other).toHaveURL(/\/signin\?callbackUrl=(%2F|\/)servers$/);
      await other.goto(at(`/user/${SAM.name}/tree`));
      await expect(other).toHaveURL(/\/signin\?callbackUrl=/);
    }
    await shot(other, "session-copy-refused");

    // Sam, signed in again, is not affected by the old session's end.
    await signIn(page, SAM);
    expect((await page.request.post(`/api/users/${SAM.name}/server/stop`)).status()).toBe(202);
    await expect.poll(async () => {
      const res = await page.request.get(`/api/users/${SAM.name}/servers`);
      return JSON.stringify(await res.json());
    }, { timeout: SERVER_START_TIMEOUT }).not.toMatch(/"state":"(running|stopping|starting)"/);
  } finally {
    await first.close();
    await copy.close();
    await stopBerth(replica);
  }
});

test("sign out everywhere, from the account menu after confirming, ends the person's other sessions", async ({ browser }) => {
  const laptop = await browser.newContext();
  const phone = await browser.newContext({ viewport: { width: 390, height: 760 } });
  try {
    const a = await laptop.newPage();
    const b = await phone.newPage();
    await signIn(a, TOM);
    await signIn(b, TOM);

    // Asked first; Cancel changes nothing.
    await openMenu(a);
    await a.getByRole("menuitem", { name: "Sign out everywhere…" }).click();
    const confirm = a.getByRole("button", { name: "Sign out everywhere" });
    await expect(confirm).toBeFocused();
    await expect(a.getByText("Sign out on every browser and device, this one too?")).toBeVisible();
    await shot(a, "sign-out-everywhere-confirm", { fullPage: false });
    await a.getByRole("button", { name: "Cancel" }).click();
    await b.reload();
    await expect(b.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();

    await openMenu(b);
    await b.getByRole("menuitem", { name: "Sign out everywhere…" }).click();
    await shot(b, "sign-out-everywhere-confirm-narrow", { fullPage: false });
    await b.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(b).toHaveURL(/\/signin/);

    // The laptop's session ended too: the page sends Tom to sign in, the API answers 401.
    await a.goto("/servers");
    await expect(a).toHaveURL(/\/signin\?callbackUrl=(%2F|\/)servers$/);
    expect(await status(laptop.request, `/api/users/${TOM.name}/servers`)).toBe(401);
  } finally {
    await laptop.close();
    await phone.close();
  }
});

test("only the person or an administrator may sign someone out everywhere", async ({ browser }) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signIn(page, SAM);
    const res = await page.request.delete(`/api/users/${TOM.name}/sessions`);
    expect(res.status()).toBe(403);
    expect((await res.json()) as { message: string }).toMatchObject({ message: expect.stringContaining("You can only sign yourself out everywhere") });
    const anonymous = await browser.newContext();
    try {
      expect((await anonymous.request.delete(`/api/users/${TOM.name}/sessions`)).status()).toBe(401);
    } finally {
      await anonymous.close();
    }
  } finally {
    await context.close();
  }
});
