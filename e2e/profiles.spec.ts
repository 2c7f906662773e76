import { spawnSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ROOT, type E2EState } from "./fixtures/berth";
import { SERVER_START_TIMEOUT, serverCard, shot } from "./fixtures/helpers";
import { startBerth, stopBerth } from "./fixtures/start-berth";
import { imageOption, ML_TEAM } from "../test/shared/profile-fixtures";

// Issue 13 points 4–6 as people see them: the add-server form offers only the profiles a person may
// use (with a profile's choices), "Need another profile?" opens the operator's request form with
// their name and request filled in, an administrator sets a local account's groups, and a profile
// removed from the file shows as retired on the dashboard and on the console's Profiles tab.

const ROOT_ADMIN = { name: "root", password: "root-admin-password-7" };
const CAROL = { name: "carol", password: "carol-horse-battery-7" };
const DAVE = { name: "dave", password: "dave-staple-correct-7" };
const REQUEST = "https://desk.example.org/servicedesk/create?summary={summary}&reporter={user}";

const dir = mkdtempSync(path.join(tmpdir(), "berth-e2e-profiles-"));
const file = path.join(dir, "profiles.json");
function write(content: unknown) {
  writeFileSync(`${file}.tmp`, JSON.stringify(content));
  renameSync(`${file}.tmp`, file);
}
const STANDARD = { slug: "standard", displayName: "Standard", description: "1 CPU, 2 GiB", default: true };
const GPU = {
  slug: "gpu",
  displayName: "GPU",
  description: "For training models",
  memory: "1Gi",
  groups: ML_TEAM,
  options: { image: imageOption({ description: "The older stack" }, { description: "The current stack" }) },
};

let berth: E2EState;

function cli(args: string[], input?: string) {
  const r = spawnSync("npx", ["tsx", "lib/cli/main.ts", ...args], { cwd: ROOT, env: { ...process.env, ...berth.env }, input, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

async function signIn(page: Page, user: { name: string; password: string }) {
  await page.goto("/signin?callbackUrl=%2Fservers");
  await page.getByLabel("Username").fill(user.name);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/servers$/);
}

async function signedIn(browser: Browser, user: { name: string; password: string }) {
  const context = await browser.newContext({ baseURL: berth.baseURL });
  const page = await context.newPage();
  await signIn(page, user);
  return { context, page };
}

const profileOptions = (page: Page) => page.getByLabel("Profile").locator("option");

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  write({ profiles: [STANDARD, GPU] });
  berth = await startBerth({ BERTH_PROFILES_FILE: file, BERTH_PROFILE_REQUEST_URL: REQUEST }, { expectSetupLink: false });
  cli(["user", "add", ROOT_ADMIN.name, "--admin", "--password-stdin"], `${ROOT_ADMIN.password}\n`);
  cli(["user", "add", CAROL.name, "--password-stdin"], `${CAROL.password}\n`);
  cli(["user", "add", DAVE.name, "--password-stdin"], `${DAVE.password}\n`);
  expect(cli(["user", "groups", CAROL.name, "--set", "ml-team,staff"])).toBe('"carol" is now in ml-team, staff.\n');
  expect(cli(["user", "groups", CAROL.name])).toBe('"carol" is in ml-team, staff.\n');
});

test.afterAll(async () => {
  if (berth) await stopBerth(berth);
  rmSync(dir, { recursive: true, force: true });
});

test("the form offers only allowed profiles, and “Need another profile?” opens the request form filled in", async ({ browser }) => {
  const { context, page } = await signedIn(browser, DAVE);
  await expect(profileOptions(page)).toHaveText(["Standard"]);

  const ask = page.getByText("Need another profile?");
  await ask.click();
  await page.getByLabel("What do you need?").fill("GPU for training & evaluation");
  const link = page.getByRole("link", { name: "Open the request form" });
  await expect(link).toHaveAttribute("target", "_blank");
  const href = new URL((await link.getAttribute("href"))!);
  expect(href.origin + href.pathname).toBe("https://desk.example.org/servicedesk/create");
  expect(Object.fromEntries(href.searchParams)).toEqual({ summary: "GPU for training & evaluation", reporter: "dave" });
  // Enter in the request field does not add a server.
  await page.getByLabel("What do you need?").press("Enter");
  await expect(page.locator("li[data-server]")).toHaveCount(1);
  await shot(page, "profiles-need-another");

  // The API refuses the profile the form does not offer, saying why and what to do.
  const res = await page.request.post("/api/users/dave/servers", { data: { name: "train", profile: "gpu" } });
  expect(res.status()).toBe(403);
  expect(((await res.json()) as { message: string }).message).toBe(
    'The profile "GPU" (gpu) is only for members of ml-team, and you are not in any of them. Choose one of the profiles offered to you, or ask for it with "Need another profile?" on My servers.',
  );
  await context.close();
});

test("a group member chooses the group profile and one of its choices", async ({ browser }) => {
  const { context, page } = await signedIn(browser, CAROL);
  await expect(profileOptions(page)).toHaveText(["Standard", "GPU"]);
  await expect(page.getByLabel("Image")).toHaveCount(0);
  await page.getByLabel("Profile").selectOption("gpu");
  await expect(page.getByLabel("Image")).toHaveValue("py312");
  await page.getByLabel("Image").selectOption("py311");
  await expect(page.getByText("The older stack")).toBeVisible();
  await page.getByLabel("Server name").fill("train");
  await shot(page, "profiles-choice");
  await page.getByRole("button", { name: "Add server" }).click();
  const card = serverCard(page, "train");
  await expect(card).toContainText("GPU · Python 3.11");
  await expect(card.locator("[data-retired]")).toHaveCount(0);
  // The form is ready for the next server: the default profile again, none of the last one's choices.
  await expect(page.getByLabel("Profile")).toHaveValue("standard");
  await expect(page.getByLabel("Image")).toHaveCount(0);
  await expect(page.getByLabel("Server name")).toHaveValue("");
  await context.close();
});

test("a profile picked while the page's script still loads is not lost: the form waits for it", async ({ browser }) => {
  const { context, page } = await signedIn(browser, CAROL);
  // A slow device or network: the page's scripts arrive 2 s late, so React takes the form over
  // late. Until then the form's controls are disabled; picking waits for them instead of being
  // undone by hydration (a <select> goes back to its first value without React hearing of it).
  await page.route("**/_next/static/chunks/**", async (route) => {
    await new Promise((r) => setTimeout(r, 2000));
    await route.continue();
  });
  // Not waiting for "load", which waits for those scripts too.
  await page.goto("/servers", { waitUntil: "domcontentloaded" });
  await expect(page.getByLabel("Profile")).toBeDisabled();
  await page.getByLabel("Profile").selectOption("gpu");
  await expect(page.getByLabel("Image")).toHaveValue("py312");
  await expect(page.getByLabel("Profile")).toHaveValue("gpu");
  await context.close();
});

test("an administrator sets a local account's groups on the Users tab", async ({ browser }) => {
  // Two sign-ins and two runs of the CLI on a busy machine.
  test.setTimeout(180_000);
  const { context, page } = await signedIn(browser, ROOT_ADMIN);
  await page.goto("/admin");
  await page.getByRole("button", { name: "Manage dave" }).click();
  const dialog = page.getByRole("dialog", { name: /^Manage/ });
  const groups = dialog.getByRole("textbox", { name: "Groups" });
  await expect(groups).toHaveValue("");
  await groups.fill("ml-team, readers");
  await dialog.getByRole("button", { name: "Save groups" }).click();
  await expect(page.getByText("“dave” is now in ml-team, readers.").first()).toBeVisible();
  await expect(groups).toHaveValue("ml-team, readers");
  await shot(page, "profiles-user-groups");
  await context.close();
  expect(cli(["user", "groups", DAVE.name])).toBe('"dave" is in ml-team, readers.\n');
  // Dave is offered GPU now.
  const dave = await signedIn(browser, DAVE);
  await expect(profileOptions(dave.page)).toHaveText(["Standard", "GPU"]);
  await dave.context.close();
});

test("a removed profile shows as retired, its server still starts, and the console lists it", async ({ browser }) => {
  test.setTimeout(180_000);
  write({ profiles: [STANDARD] });
  const { context, page } = await signedIn(browser, CAROL);
  const card = serverCard(page, "train");
  // The profiles file is looked at every 2 s; the dashboard polls.
  await expect(async () => {
    await page.reload();
    await expect(card.locator("[data-retired]")).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(card).toContainText("GPU · Python 3.11");
  await expect(card).toContainText("1Gi memory");
  await expect(profileOptions(page)).toHaveText(["Standard"]);
  await card.getByRole("button", { name: "Start train" }).click();
  await expect(card).toHaveAttribute("data-state", "running", { timeout: SERVER_START_TIMEOUT });
  await shot(page, "profiles-retired-dashboard");
  await card.getByRole("button", { name: "Stop train" }).click();
  await expect(card).toHaveAttribute("data-state", "stopped", { timeout: SERVER_START_TIMEOUT });
  await context.close();

  const admin = await signedIn(browser, ROOT_ADMIN);
  await admin.page.goto("/admin/profiles");
  const retired = admin.page.getByRole("table", { name: /Retired profiles/ });
  await expect(retired.getByRole("row").filter({ hasText: "carol / train" })).toContainText("GPU · Python 3.11: 1 CPU, 1Gi memory, 2Gi storage");
  await expect(retired).toContainText("Retired");
  await shot(admin.page, "profiles-admin-retired");
  await admin.context.close();
});
