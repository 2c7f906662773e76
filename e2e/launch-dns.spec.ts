import { expect, test } from "@playwright/test";
import { ALICE } from "./fixtures/berth";
import { shot, signIn } from "./fixtures/helpers";

// A repository on a host whose name does not resolve (.invalid never does, as no name does when a
// Berth has no DNS): the launch page says Berth cannot reach the host and what to do, not that
// the repository does not exist (issue 12, point 12).

const REPOSITORY = "https://berth-nowhere.invalid/x.git";

test("a host that does not resolve: the launch page says Berth cannot reach it, and what to do", async ({ page }) => {
  await signIn(page, ALICE, "/");
  await expect(page.getByRole("heading", { name: "Launch a repository", level: 1 })).toBeVisible();
  await page.getByLabel("Repository", { exact: true }).fill(REPOSITORY);
  await expect(page.getByLabel("Launch link", { exact: true })).toHaveValue(/\/v2\/git\/https%3A%2F%2Fberth-nowhere\.invalid%2Fx(\.git)?\/HEAD$/);
  await page.getByRole("button", { name: "Launch", exact: true }).click();

  await expect(page).toHaveURL(/\/v2\/git\/https%3A%2F%2Fberth-nowhere\.invalid%2Fx(\.git)?\/HEAD/);
  const alert = page.locator("main").getByRole("alert");
  await expect(alert).toContainText("This repository cannot be launched", { timeout: 30_000 });
  await expect(alert).toContainText(/Berth cannot reach berth-nowhere\.invalid: (its name does not resolve \(ENOTFOUND\)|looking up its name failed for now)/);
  await expect(alert).toContainText("Check the host name in the repository's address");
  await expect(alert).toContainText("try again later, or tell an administrator");
  await expect(alert).not.toContainText("does not exist");
  await expect(page.getByRole("link", { name: "Back to the launch form" })).toBeVisible();
  await shot(page, "launch-host-unreachable");

  // The same answer through the API the page asked.
  const res = await page.request.get(`/api/launch/plan?provider=git&spec=${encodeURIComponent(`${encodeURIComponent(REPOSITORY)}/HEAD`)}`);
  expect(res.status()).toBe(502);
  expect(await res.json()).toMatchObject({ error: "upstream_failed", reason: "host_unreachable", host: "berth-nowhere.invalid", message: expect.stringMatching(/^Berth cannot reach berth-nowhere\.invalid/) });
});
