import { expect, test, type APIRequestContext } from "@playwright/test";
import { ALICE, BOB } from "./fixtures/berth";
import { shot, signIn } from "./fixtures/helpers";

// Issue 9, points 6–8, over real HTTP through Berth's custom server and Next.js.

async function location(request: APIRequestContext, url: string) {
  const res = await request.get(url, { maxRedirects: 0 });
  return { status: res.status(), location: res.headers()["location"] };
}

test("sign-in never redirects off the site, and odd callbacks never give 500", async ({ page, baseURL }) => {
  await signIn(page, ALICE);
  // Signed in, /signin goes straight to its callback: each variant lands on Launch (/) instead.
  for (const cb of ["%2F%09%2Fevil.example", "%2F%0A%2Fevil.example", "%2F%0D%2Fevil.example", "%2F%E3%80%80%2Fevil.example", "%2F%5Cevil.example", "%2F%2Fevil.example", "https%3A%2F%2Fevil.example%2F", "%2Fuser%2Falice%2F%252e%252e%2F%252e%252e%2Fadmin", "%2F%2509%2Fevil.example"]) {
    const r = await location(page.request, `/signin?callbackUrl=${cb}`);
    expect(r.status, cb).toBe(307);
    expect(r.location, cb).toBe("/");
  }
  // A good callback is kept.
  expect(await location(page.request, `/signin?callbackUrl=%2Fv2%2Fgh%2Focto%2Fdemo%2FHEAD%3Flabpath%3Da.ipynb`)).toEqual({ status: 307, location: "/v2/gh/octo/demo/HEAD?labpath=a.ipynb" });

  // What Chromium does with the issue's link: it stays on Berth.
  await page.goto("/signin?callbackUrl=%2F%09%2Fevil.example");
  await expect(page).toHaveURL(`${baseURL}/`);
});

test("a person signing in with a hostile callback lands on Launch, on this site", async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto("/signin?callbackUrl=%2F%09%2Fevil.example");
    await page.getByLabel("Username").fill(BOB.name);
    await page.getByLabel("Password").fill(BOB.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`${baseURL}/`);
  } finally {
    await context.close();
  }
});

test("bad bytes in a path get 400 or 404 with a message, never 500", async ({ page }) => {
  await signIn(page, ALICE);
  const json: [string, "GET" | "POST", number, RegExp][] = [
    ["/api/users/%00/servers", "GET", 400, /control character/],
    ["/api/users/alice/servers/%00/start", "POST", 400, /control character/],
    ["/api/users/%ZZ/servers", "GET", 400, /not properly escaped/],
    ["/build/gh/x/%ZZ/HEAD", "GET", 400, /not properly escaped/],
    ["/api/users/alice/servers/No%20Such/start", "POST", 404, /alice has no server named "No Such"/],
    ["/api/users/No%20One/servers", "GET", 404, /There is no user named "No One"/],
    ["/user/%00/x", "GET", 404, /does not exist/],
  ];
  for (const [url, method, status, message] of json) {
    const res = method === "GET" ? await page.request.get(url) : await page.request.post(url);
    expect(res.status(), url).toBe(status);
    expect(res.headers()["content-type"], url).toMatch(/^application\/json/);
    expect(((await res.json()) as { message: string }).message, url).toMatch(message);
  }
  // Pages answer with a page.
  for (const [url, status] of [["/spawn/alice/%ZZ", 400], ["/spawn/%00/x", 400], ["/v2/gh/x/%ZZ/HEAD", 400], ["/user/%00/x", 404]] as const) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBe(status);
    expect(res?.headers()["content-type"], url).toMatch(/^text\/html/);
    await expect(page.getByRole("link", { name: "Go to my servers" })).toBeVisible();
  }
  await page.goto("/spawn/alice/%ZZ");
  await expect(page.getByRole("heading", { name: "Bad address" })).toBeVisible();
  await shot(page, "bad-address-400");
});

test("someone else's server: 403 on /spawn and on the proxy, with a way back and a way to switch account", async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, BOB);
    const spawn = await page.goto(`/spawn/${ALICE.name}`);
    expect(spawn?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Not your server" })).toBeVisible();
    await expect(page.getByText("You can only see and manage your own servers.")).toBeVisible();
    await expect(page.getByRole("link", { name: "Go to my servers" })).toHaveAttribute("href", "/servers");
    await expect(page.getByRole("link", { name: "Sign in as someone else" })).toHaveAttribute("href", `/signout?next=${encodeURIComponent(`/spawn/${ALICE.name}`)}`);
    await shot(page, "spawn-forbidden-403");

    const proxied = await page.goto(`/user/${ALICE.name}/tree?x=1`);
    expect(proxied?.status()).toBe(403);
    await expect(page.getByRole("link", { name: "Go to my servers" })).toHaveAttribute("href", "/servers");
    const someoneElse = page.getByRole("link", { name: "Sign in as someone else" });
    await expect(someoneElse).toHaveAttribute("href", `/signout?next=${encodeURIComponent(`/user/${ALICE.name}/tree?x=1`)}`);
    await shot(page, "proxy-forbidden-403");

    // Through next-auth's own sign-out (a POST with its CSRF token), back to sign-in for the same page.
    await someoneElse.click();
    await expect(page.getByRole("heading", { name: "Sign in as someone else" })).toBeVisible();
    await expect(page.getByText(`You are signed in as ${BOB.name}`)).toBeVisible();
    await shot(page, "signout-someone-else");
    await page.getByRole("button", { name: "Sign out and sign in again" }).click();
    await expect(page).toHaveURL(`${baseURL}/signin?callbackUrl=${encodeURIComponent(`/user/${ALICE.name}/tree?x=1`)}`);
    expect((await page.request.get(`/api/users/${BOB.name}/servers`)).status()).toBe(401);

    await page.getByLabel("Username").fill(ALICE.name);
    await page.getByLabel("Password").fill(ALICE.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(new RegExp(`/(user|spawn)/${ALICE.name}`));
  } finally {
    await context.close();
  }
});

test("the sign-out page only signs out on a click, and keeps its return path on the site", async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, BOB);
    await page.goto("/signout?next=%2F%09%2Fevil.example");
    // Opening the page changed nothing.
    expect((await page.request.get(`/api/users/${BOB.name}/servers`)).status()).toBe(200);
    await page.getByRole("button", { name: "Sign out and sign in again" }).click();
    await expect(page).toHaveURL(`${baseURL}/signin?callbackUrl=%2Fservers`);
  } finally {
    await context.close();
  }
});
