import { spawnSync } from "node:child_process";
import http from "node:http";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ROOT, type E2EState } from "./fixtures/berth";
import { SERVER_START_TIMEOUT, shot } from "./fixtures/helpers";
import { startBerth, stopBerth } from "./fixtures/start-berth";

// BERTH_USER_SERVERS_HOST: each person's servers on their own origin. This Berth is at
// http://localhost:<port> and serves carol's servers at http://carol.localhost:<port> (Chromium
// resolves every *.localhost to loopback), so the browser treats the two as different sites, as
// it would a notebooks domain and Berth's own in production.

const CAROL = { name: "carol", password: "carol-horse-battery-1" };
const DAVE = { name: "dave", password: "dave-staple-correct-2" };
const ROOT_ADMIN = { name: "root", password: "root-admin-password-3" };

let berth: E2EState;
let base: string;
let carolHost: string;

function cli(args: string[], input: string) {
  const r = spawnSync("npx", ["tsx", "lib/cli/main.ts", ...args], { cwd: ROOT, env: { ...process.env, ...berth.env }, input, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  berth = await startBerth((port) => ({ BERTH_PUBLIC_URL: `http://localhost:${port}`, BERTH_USER_SERVERS_HOST: `*.localhost:${port}` }), { expectSetupLink: false });
  const port = new URL(berth.baseURL).port;
  base = `http://localhost:${port}`;
  carolHost = `http://carol.localhost:${port}`;
  cli(["user", "add", ROOT_ADMIN.name, "--admin", "--password-stdin"], `${ROOT_ADMIN.password}\n`);
  cli(["user", "add", CAROL.name, "--password-stdin"], `${CAROL.password}\n`);
  cli(["user", "add", DAVE.name, "--password-stdin"], `${DAVE.password}\n`);
});

test.afterAll(async () => {
  await stopBerth(berth);
});

/**
 * A request to Berth's port with the given Host header, the way a script or tool would send it
 * (Node does not resolve *.localhost as Chromium does).
 */
function hit(method: string, url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: u.port, method, path: `${u.pathname}${u.search}`, headers: { host: u.host, ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(method === "POST" ? "{}" : undefined);
  });
}

async function signIn(page: Page, user: { name: string; password: string }) {
  await page.goto(`${base}/signin?callbackUrl=%2Fservers`);
  await page.getByLabel("Username").fill(user.name);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${base}/servers`);
}

async function signedIn(browser: Browser, user: { name: string; password: string }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, user);
  return { context, page };
}

test.describe.configure({ mode: "serial" });

test("a person's server opens on their own host, with no Berth session there, and a notebook's kernel works", async ({ browser }) => {
  test.setTimeout(240_000);
  const { context, page } = await signedIn(browser, CAROL);

  await test.step("start the default server", async () => {
    const res = await page.request.post(`${base}/api/users/carol/server/start`);
    expect(res.status(), await res.text()).toBe(202);
    await expect
      .poll(async () => ((await (await page.request.get(`${base}/api/users/carol/servers`)).json()) as { servers: { name: string; state: string }[] }).servers.find((s) => s.name === "")?.state, { timeout: SERVER_START_TIMEOUT })
      .toBe("running");
  });

  await test.step("Berth's /user/ address sends the browser to carol's host, which signs in through Berth", async () => {
    const hops: string[] = [];
    page.on("request", (r) => {
      if (r.isNavigationRequest()) hops.push(r.url().split("?")[0]);
    });
    await page.goto(`${base}/user/carol/tree`);
    await expect(page).toHaveURL(`${carolHost}/user/carol/tree`);
    await expect(page.locator("#notebook_list")).toBeVisible();
    expect(hops).toEqual([`${base}/user/carol/tree`, `${carolHost}/user/carol/tree`, `${base}/api/user-servers/authorize`, `${carolHost}/_berth/auth-callback`, `${carolHost}/user/carol/tree`]);
    await shot(page, "user-host-tree");
    // The Berth bar is there too, served from carol's host; its links go to Berth's own address.
    await expect(page.locator("berth-bar").getByRole("link", { name: "My servers" })).toHaveAttribute("href", `${base}/servers`);
    await expect(page.locator("berth-bar").getByText(/^Idle stop in /)).toBeVisible();
  });

  await test.step("the session cookie stays on Berth's host; carol's host has only its own credential", async () => {
    const onBerth = await context.cookies(base);
    expect(onBerth.map((c) => c.name)).toContain("next-auth.session-token");
    const onHost = await context.cookies(carolHost);
    expect(onHost.map((c) => c.name)).not.toContain("next-auth.session-token");
    const cred = onHost.find((c) => c.name === "berth-user-auth")!;
    expect(cred).toMatchObject({ domain: "carol.localhost", httpOnly: true, sameSite: "Lax", path: "/" });
    expect(await page.evaluate(() => document.cookie)).not.toMatch(/next-auth|berth-user/);
  });

  await test.step("a notebook's kernel runs over a WebSocket on carol's host; no request there carries Berth's session", async () => {
    const cookieHeaders: string[] = [];
    context.on("request", async (r) => {
      if (r.url().startsWith(carolHost)) cookieHeaders.push((await r.allHeaders()).cookie ?? "");
    });
    const created = await page.evaluate(async () => {
      const r = await fetch("/user/carol/api/contents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "notebook" }) });
      return { status: r.status, path: ((await r.json()) as { path: string }).path };
    });
    expect(created.status).toBe(201);
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    await page.goto(`${carolHost}/user/carol/notebooks/${created.path}`);
    await expect(page.locator("#kernel_indicator_icon")).toHaveClass(/kernel_idle_icon/, { timeout: 30_000 });
    await page.locator(".cell").first().locator(".CodeMirror").click();
    await page.keyboard.type("print(6*7)");
    await page.keyboard.press("Shift+Enter");
    await expect(page.locator(".output_area pre").first()).toHaveText("42", { timeout: 30_000 });
    expect(sockets.some((u) => u.startsWith(`ws://carol.localhost:`) && u.includes("/user/carol/api/kernels/"))).toBe(true);
    expect(cookieHeaders.length).toBeGreaterThan(3);
    for (const h of cookieHeaders) expect(h).not.toContain("next-auth");
  });

  await test.step("a script on carol's host cannot use the visitor's Berth session to change anything", async () => {
    const outcome = await page.evaluate(async (berthUrl) => {
      const tries = [
        fetch(`${berthUrl}/api/users/carol/servers`, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: JSON.stringify({ name: "planted" }) }).then((r) => r.type, (e: Error) => `error ${e.message}`),
        fetch(`${berthUrl}/api/users/carol/servers`, { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "planted2" }) }).then((r) => `status ${r.status}`, (e: Error) => `error ${e.message}`),
        fetch(`${berthUrl}/api/users/carol/servers`, { credentials: "include" }).then((r) => `status ${r.status}`, (e: Error) => `error ${e.message}`),
      ];
      return Promise.all(tries);
    }, base);
    // Opaque or blocked: the page learns nothing, and (below) nothing was created.
    expect(outcome[0]).toBe("opaque");
    expect(outcome[1]).toMatch(/^error /);
    expect(outcome[2]).toMatch(/^error /);
    const list = (await (await page.request.get(`${base}/api/users/carol/servers`)).json()) as { servers: { name: string }[] };
    expect(list.servers.map((s) => s.name)).toEqual([""]);
  });

  await test.step("Jupyter's Logout on carol's host goes to Berth's sign-out page, on Berth's host", async () => {
    await page.goto(`${carolHost}/user/carol/tree`);
    await page.locator("#logout").click();
    await expect(page).toHaveURL(`${base}/signout?from=%2Fuser%2Fcarol%2F`);
    await expect(page.getByRole("heading", { name: "Sign out of Berth?" })).toBeVisible();
    await shot(page, "user-host-logout-signout");
  });

  await context.close();
});

test("another person cannot open carol's server; an administrator can", async ({ browser }) => {
  test.setTimeout(120_000);
  const dave = await signedIn(browser, DAVE);
  await dave.page.goto(`${base}/user/carol/tree`);
  await expect(dave.page.getByRole("heading", { name: "Not your server" })).toBeVisible();
  await expect(dave.page).toHaveURL(new RegExp(`^${base}/api/user-servers/authorize`));
  expect(await dave.context.cookies(carolHost)).not.toContainEqual(expect.objectContaining({ name: "berth-user-auth" }));
  await shot(dave.page, "user-host-forbidden");
  // Without the hand-off, carol's host answers scripts and tools with 401.
  expect((await hit("GET", `${carolHost}/user/carol/api/contents`)).status).toBe(401);

  const admin = await signedIn(browser, ROOT_ADMIN);
  await admin.page.goto(`${base}/user/carol/tree`);
  await expect(admin.page).toHaveURL(`${carolHost}/user/carol/tree`);
  await expect(admin.page.locator("#notebook_list")).toBeVisible();
  await admin.context.close();

  // carol's credential is useless on dave's host, and a forged one anywhere.
  const carol = await signedIn(browser, CAROL);
  await carol.page.goto(`${carolHost}/user/carol/tree`);
  await expect(carol.page.locator("#notebook_list")).toBeVisible();
  const cred = (await carol.context.cookies(carolHost)).find((c) => c.name === "berth-user-auth")!;
  const daveHost = carolHost.replace("carol.", "dave.");
  expect((await hit("GET", `${daveHost}/user/dave/api/contents`, { cookie: `berth-user-auth=${cred.value}` })).status).toBe(401);
  expect((await hit("GET", `${carolHost}/user/carol/api/contents`, { cookie: `berth-user-auth=${cred.value.split(".")[0]}.AAAA` })).status).toBe(401);
  // Carol's own credential works on her host (the checks above were not a fluke), also from a tool.
  expect((await hit("GET", `${carolHost}/user/carol/api/contents`, { cookie: `berth-user-auth=${cred.value}` })).status).toBe(200);
  // A script on another person's host (the same site in production) is refused even with it.
  expect((await hit("POST", `${carolHost}/user/carol/api/contents`, { cookie: `berth-user-auth=${cred.value}`, origin: daveHost, "content-type": "application/json" })).status).toBe(403);
  await carol.context.close();
  await dave.context.close();
});

test("Berth's own host no longer serves /user/, and a user host serves nothing of Berth's", async ({ request }) => {
  const get = await request.get(`${base}/user/carol/tree?x=1`, { maxRedirects: 0 });
  expect(get.status()).toBe(302);
  expect(get.headers().location).toBe(`${carolHost}/user/carol/tree?x=1`);
  const post = await request.post(`${base}/user/carol/api/contents`, { data: { type: "notebook" }, maxRedirects: 0 });
  expect(post.status()).toBe(404);
  expect(((await post.json()) as { message: string }).message).toContain(`${carolHost}/user/carol/api/contents`);
  for (const p of ["/servers", "/api/users/carol/servers", "/signin", "/user/dave/"]) {
    expect((await hit("GET", `${carolHost}${p}`)).status, p).toBe(404);
  }
  // A forged ticket is refused with a page saying what to do.
  const forged = await hit("GET", `${carolHost}/_berth/auth-callback?ticket=e30.AAAA`);
  expect(forged.status).toBe(400);
  expect(forged.body).toContain("Open the server again from My servers");
});
