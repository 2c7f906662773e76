import { expect, test } from "@playwright/test";
import { ALICE } from "./fixtures/berth";
import { deleteServerByApi, serverCard, signIn } from "./fixtures/helpers";

const NAME = "kb-test";

test.afterEach(async ({ page }) => {
  await deleteServerByApi(page, ALICE.name, NAME);
});

test("add and delete a server with the keyboard alone", async ({ page }) => {
  await signIn(page, ALICE);
  await expect(page.getByRole("heading", { name: "My servers", level: 1 })).toBeVisible();

  // The skip link is the first stop and moves focus to the content.
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);

  // Tab through to the name field (no clicking), type, submit with Enter.
  const field = page.getByLabel("Server name");
  for (let i = 0; i < 30 && !(await field.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(field).toBeFocused();
  await page.keyboard.type(NAME);
  await page.keyboard.press("Enter");
  const card = serverCard(page, NAME);
  await expect(card).toHaveAttribute("data-state", "stopped");
  await expect(field).toHaveValue("");

  // Delete: Enter opens the dialog with focus on the safe choice; Escape closes it and gives
  // focus back to the button that opened it.
  const del = card.getByRole("button", { name: `Delete ${NAME}` });
  await del.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: `Delete server “${NAME}”?` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(del).toBeFocused();
  await expect(card).toBeVisible();

  // Again, this time Tab to the destructive button and confirm with Enter.
  await page.keyboard.press("Enter");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Delete server and its files" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(card).toHaveCount(0);
});

test("the user menu opens and closes with the keyboard", async ({ page }) => {
  await signIn(page, ALICE);
  const button = page.getByRole("button", { name: /account menu/ });
  await button.focus();
  await page.keyboard.press("Enter");
  const signOut = page.getByRole("menuitem", { name: "Sign out", exact: true });
  await expect(signOut).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toBeHidden();
  await expect(button).toBeFocused();
});
