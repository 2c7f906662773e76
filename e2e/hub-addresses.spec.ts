import { expect, test } from "@playwright/test";
import { ALICE } from "./fixtures/berth";
import { signIn } from "./fixtures/helpers";

// People and links coming from a JupyterHub use its page addresses; each leads to Berth's page
// for the same thing, and the JupyterHub API beside them is not redirected.

test("JupyterHub's page addresses lead to Berth's pages", async ({ page, baseURL }) => {
  const cases: [string, string][] = [
    ["/hub/home", "/servers"],
    ["/hub/admin", "/admin"],
    ["/hub/token", "/tokens"],
    ["/hub/login?next=%2Fhub%2Fhome", "/signin?next=%2Fhub%2Fhome"],
    ["/hub/logout", "/signout"],
    ["/hub/spawn/alice/work", "/spawn/alice/work"],
    ["/hub/user/alice/lab", "/user/alice/lab"],
  ];
  for (const [from, to] of cases) {
    const res = await page.request.get(from, { maxRedirects: 0 });
    expect(res.status(), from).toBe(307);
    expect(res.headers()["location"], from).toBe(to);
  }
  // The API is JupyterHub's own, not a page: no redirect.
  const api = await page.request.get("/hub/api/", { maxRedirects: 0 });
  expect(api.status()).toBe(200);
  expect(await api.json()).toHaveProperty("version");

  // An administrator who follows JupyterHub's admin link lands in the console.
  await signIn(page, ALICE);
  await page.goto("/hub/admin");
  await expect(page).toHaveURL(`${baseURL}/admin`);
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
});
