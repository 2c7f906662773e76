import { expect, test } from "@playwright/test";
import { ALICE } from "./fixtures/berth";
import { addServerByApi, deleteServerByApi, serverCard, shot, signIn } from "./fixtures/helpers";

const NAMES = ["q-one", "q-two", "q-three", "q-four", "q-five"];

test.describe("named-server quota", () => {
  test.afterEach(async ({ page }) => {
    // Leave alice with no named servers, whatever happened, so the other specs start clean.
    for (const n of [...NAMES, "q-six"]) await deleteServerByApi(page, ALICE.name, n);
  });

  test("a sixth named server is refused with the limit and what to do", async ({ page }) => {
    await signIn(page, ALICE);
    for (const n of NAMES.slice(0, 4)) await addServerByApi(page, ALICE.name, n);
    await page.reload();
    await expect(page.getByText("4 of 5", { exact: false })).toBeVisible();

    // The fifth through the form.
    await page.getByLabel("Server name").fill(NAMES[4]);
    await page.getByRole("button", { name: "Add server" }).click();
    await expect(serverCard(page, NAMES[4])).toBeVisible();

    // Now the form says so before anyone tries…
    const form = page.getByRole("form", { name: "Add a named server" });
    await expect(form.getByRole("status")).toContainText("You have 5 named servers, the most allowed (5");
    await expect(form.getByRole("status")).toContainText("Delete one you no longer need");
    await expect(form.getByRole("button", { name: "Add server" })).toBeDisabled();
    await shot(page, "quota-refusal");

    // …and the API refuses a sixth with the same explanation.
    const res = await page.request.post(`/api/users/${ALICE.name}/servers`, { data: { name: "q-six" } });
    expect(res.status()).toBe(403);
    const body = (await res.json()) as { message: string; limit: number };
    expect(body.limit).toBe(5);
    expect(body.message).toMatch(/the most allowed \(5,.*Delete one you no longer need, or reuse one of: q-five, q-four/);
    await expect(serverCard(page, "q-six")).toHaveCount(0);
  });

  test("a page that missed the fifth server shows the server's refusal", async ({ page }) => {
    await signIn(page, ALICE);
    for (const n of NAMES.slice(0, 4)) await addServerByApi(page, ALICE.name, n);
    await page.reload();
    await expect(page.getByRole("button", { name: "Add server" })).toBeVisible();
    // Another tab takes the last place while this page still shows four.
    await addServerByApi(page, ALICE.name, NAMES[4]);
    await page.getByLabel("Server name").fill("q-six");
    await page.getByRole("button", { name: "Add server" }).click();
    const alert = page.getByRole("form", { name: "Add a named server" }).getByRole("alert");
    await expect(alert).toContainText("You have 5 named servers, the most allowed (5, plus your default server; stopped servers count too)");
    await expect(alert).toContainText("Delete one you no longer need, or reuse one of: q-five, q-four, q-one, q-three, q-two.");
    await expect(serverCard(page, "q-six")).toHaveCount(0);
    await expect(serverCard(page, NAMES[4])).toBeVisible();
  });
});
