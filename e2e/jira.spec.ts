import { expect, test, type Page } from "@playwright/test";
import { startJiraDouble, type JiraDouble } from "../test/doubles/jira";
import type { E2EState } from "./fixtures/berth";
import { shot } from "./fixtures/helpers";
import { startBerth, stopBerth } from "./fixtures/start-berth";

// Sign-in with Jira credentials, through the real page, next-auth's CSRF-protected form and
// Berth's Jira provider, against the Jira double. This Berth has JIRA_URL set and no local accounts.

const CAROL = { name: "carol", password: "carol-Jira-pass-1" };
const ROOT = { name: "jadmin", password: "jadmin-Jira-pass-2" };
const DAN = { name: "dan", password: "dan-Jira-pass-3" };

let jira: JiraDouble;
let berth: E2EState;

test.beforeAll(async () => {
  jira = await startJiraDouble({
    captchaAfter: 3,
    users: [
      { name: CAROL.name, password: CAROL.password, email: "carol@example.org", displayName: "Carol Jones" },
      { name: ROOT.name, password: ROOT.password, email: "jadmin@example.org", displayName: "Jira Admin", groups: ["jira-administrators"] },
      { name: DAN.name, password: DAN.password, email: "dan@example.org", displayName: "Dan" },
    ],
  });
  berth = await startBerth({ JIRA_URL: jira.url }, { expectSetupLink: false });
});

test.afterAll(async () => {
  await stopBerth(berth);
  await jira.close();
});

// The form's own alert (Next.js keeps an empty role="alert" route announcer on every page).
const formAlert = (page: Page) => page.locator("form").getByRole("alert");

async function fillJira(page: Page, user: { name: string; password: string }) {
  await page.goto(`${berth.baseURL}/signin`);
  await page.getByLabel("Jira username").fill(user.name);
  await page.getByLabel("Jira password").fill(user.password);
  // Submitting with Enter, as a keyboard user would.
  await page.getByLabel("Jira password").press("Enter");
}

test("a person signs in with Jira credentials after a typo, and keeps the username", async ({ page }) => {
  await page.goto(`${berth.baseURL}/signin`);
  await expect(page.getByText("Sign in with your Jira username and password.")).toBeVisible();
  await shot(page, "signin-jira");

  await fillJira(page, { name: CAROL.name, password: "typo" });
  await expect(formAlert(page)).toContainText("Wrong Jira username or password");
  await expect(page.getByLabel("Jira username")).toHaveValue(CAROL.name);
  await expect(page.getByLabel("Jira password")).toHaveValue("");
  await expect(page.getByLabel("Jira password")).toBeFocused();

  await page.getByLabel("Jira password").fill(CAROL.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // No callback: people land on Launch.
  await expect(page).toHaveURL(new RegExp(`^${berth.baseURL}/$`));
  await expect(page.getByRole("heading", { name: "Launch a repository" })).toBeVisible();
  await page.getByRole("button", { name: /account menu/ }).click();
  await expect(page.getByRole("menu")).toContainText("Signed in as carol");
  await expect(page.getByRole("menu")).not.toContainText("admin");
  // One call to Jira per attempt, never a retry.
  expect(jira.requests.filter((r) => r.username === CAROL.name).map((r) => r.result)).toEqual(["wrong", "ok"]);
});

test("a member of jira-administrators is an administrator in Berth", async ({ page }) => {
  await fillJira(page, ROOT);
  await expect(page).toHaveURL(new RegExp(`^${berth.baseURL}/$`));
  await page.getByRole("button", { name: /account menu/ }).click();
  await expect(page.getByRole("menu")).toContainText("Signed in as jadmin");
  await expect(page.getByRole("menu")).toContainText("admin");
});

test("Jira's CAPTCHA sends the person to Jira's own page, and an outage reads clearly", async ({ page }) => {
  jira.failedCount.set(DAN.name, 3);
  await fillJira(page, DAN);
  const alert = formAlert(page);
  await expect(alert).toContainText("Sign in once on Jira's own page");
  await expect(alert.getByRole("link", { name: "Open Jira's sign-in page" })).toHaveAttribute("href", `${jira.url}/login.jsp`);
  await shot(page, "signin-jira-captcha");

  jira.failedCount.set(DAN.name, 0);
  jira.setMode({ status5xx: 503 });
  await page.getByLabel("Jira password").fill(DAN.password);
  await page.getByLabel("Jira password").press("Enter");
  await expect(formAlert(page)).toContainText("Jira is not answering");
  jira.setMode({});
});
