import { expect, test, type Page } from "@playwright/test";
import { ALICE } from "./fixtures/berth";
import { deleteServerByApi, expectState, SERVER_START_TIMEOUT, serverCard, shot, signIn } from "./fixtures/helpers";

const SERVER = "analysis";

async function openFromDashboard(page: Page) {
  await page.getByRole("link", { name: `Open ${SERVER}` }).click();
  await expect(page).toHaveURL(new RegExp(`/user/${ALICE.name}/${SERVER}/tree`), { timeout: 30_000 });
  // Jupyter Notebook 6's file list, through Berth's proxy.
  await expect(page.locator("#notebook_list")).toBeVisible();
}

test.afterEach(async ({ page }) => {
  // Whatever happened, leave alice without named servers for the specs that follow.
  await deleteServerByApi(page, ALICE.name, SERVER);
});

test("a named server: add, start, write a notebook, stop, start again, delete", async ({ page }) => {
  test.setTimeout(240_000);

  await test.step("sign in and see the empty dashboard", async () => {
    await signIn(page, ALICE);
    await expect(page.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();
    await expect(page.getByText("No named servers yet")).toBeVisible();
    await shot(page, "servers-empty");
  });

  await test.step("an invalid name is explained while typing", async () => {
    const name = page.getByLabel("Server name");
    await name.fill("Bad_Name");
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("Use lowercase letters only.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Add server" })).toBeDisabled();
    await name.fill("bad_name");
    await expect(page.getByText("Use only lowercase letters, digits and hyphens.")).toBeVisible();
    await shot(page, "servers-invalid-name");
  });

  await test.step("add the server", async () => {
    await page.getByLabel("Server name").fill(SERVER);
    await expect(page.getByLabel("Server name")).not.toHaveAttribute("aria-invalid", "true");
    await page.getByRole("button", { name: "Add server" }).click();
    await expectState(serverCard(page, SERVER), "stopped");
    await expect(page.getByLabel("Server name")).toHaveValue("");
  });

  await test.step("start it and wait until it runs", async () => {
    const card = serverCard(page, SERVER);
    await card.getByRole("button", { name: `Start ${SERVER}` }).click();
    await expect(card).toHaveAttribute("data-state", /starting|running/);
    await expectState(card, "running");
    await expect(card.getByRole("link", { name: `Open ${SERVER}` })).toBeVisible();
    // Times read right: never "in 0 min" beside "just now", never "1 minutes".
    await expect(card.getByText(/^in (\d+ h \d+ min|\d+ min|under a minute) without activity$/)).toBeVisible();
    await expect(page.getByText(/^Servers stop after (1 (hour|minute)|\d+ (hours|minutes|seconds)|\d+ h \d+ min) without activity; their files are kept\.$/)).toBeVisible();
    await shot(page, "servers-running");
  });

  await test.step("open it: Jupyter's file list through the proxy", async () => {
    await openFromDashboard(page);
    await shot(page, "jupyter-tree");
  });

  await test.step("create a notebook, run a cell, save it", async () => {
    await page.locator("#new-dropdown-button").click();
    // Notebook 6 names its kernel menu items by kernel name (aria-label "python3"), showing "Python 3 (ipykernel)".
    const python = page.locator("#new-menu li[id^=kernel-python] a").first();
    await expect(python).toContainText("Python 3");
    const [nb] = await Promise.all([page.waitForEvent("popup"), python.click()]);
    await expect(nb).toHaveURL(new RegExp(`/user/${ALICE.name}/${SERVER}/notebooks/Untitled\\.ipynb`), { timeout: 30_000 });
    // The kernel talks over a WebSocket through the proxy; it must come up idle.
    await expect(nb.locator("#kernel_indicator_icon")).toHaveClass(/kernel_idle_icon/, { timeout: 30_000 });
    await nb.locator(".cell").first().locator(".CodeMirror").click();
    await nb.keyboard.type("print(6*7)");
    await nb.keyboard.press("Shift+Enter");
    await expect(nb.locator(".output_area pre").first()).toHaveText("42", { timeout: 30_000 });
    await nb.keyboard.press("Control+s");
    // Notebook 6 saves, then reports the checkpoint it made of the saved file.
    await expect(nb.locator("#notification_notebook")).toHaveText(/Checkpoint created|Notebook saved/);
    await expect(nb.locator("#save_widget .autosave_status")).not.toContainText("unsaved");
    // What Jupyter now has on disk, asked through the same proxy.
    await expect
      .poll(async () => {
        const res = await nb.request.get(`/user/${ALICE.name}/${SERVER}/api/contents/Untitled.ipynb`);
        return res.ok() ? JSON.stringify((await res.json()).content.cells[0]?.source) : `HTTP ${res.status()}`;
      })
      .toContain("print(6*7)");
    await shot(nb, "jupyter-notebook");
    await nb.close();
  });

  await test.step("stop it; the spawn page offers to start it again", async () => {
    await page.goto("/servers");
    const card = serverCard(page, SERVER);
    await card.getByRole("button", { name: `Stop ${SERVER}` }).click();
    await expectState(card, "stopped");
    await expect(card.getByRole("link", { name: `Open ${SERVER}` })).toHaveCount(0);

    // A bookmark into a stopped server goes to its spawn page instead of an error.
    await page.goto(`/user/${ALICE.name}/${SERVER}/tree`);
    await expect(page).toHaveURL(new RegExp(`/spawn/${ALICE.name}/${SERVER}\\?next=`));
    await expect(page.getByRole("heading", { name: SERVER })).toBeVisible();
    await expect(page.getByRole("button", { name: "Start server" })).toBeVisible();
    await shot(page, "spawn-stopped");
  });

  await test.step("start it again: the notebook is still there", async () => {
    await page.goto("/servers");
    const card = serverCard(page, SERVER);
    await card.getByRole("button", { name: `Start ${SERVER}` }).click();
    await expectState(card, "running", SERVER_START_TIMEOUT);
    await openFromDashboard(page);
    await expect(page.locator("#notebook_list").getByText("Untitled.ipynb")).toBeVisible();
  });

  await test.step("delete it: the dialog warns that its storage goes too", async () => {
    await page.goto("/servers");
    const card = serverCard(page, SERVER);
    await card.getByRole("button", { name: `Delete ${SERVER}` }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(`Delete server “${SERVER}”?`);
    await expect(dialog).toContainText("its storage will be deleted");
    // The viewport, as a person sees it: a modal covers the screen, not the whole document.
    await shot(page, "delete-dialog", { fullPage: false });
    await dialog.getByRole("button", { name: "Delete server and its files" }).click();
    await expect(dialog).toBeHidden({ timeout: 30_000 });
    await expect(card).toHaveCount(0);
    await expect(page.getByText("No named servers yet")).toBeVisible();
  });
});
