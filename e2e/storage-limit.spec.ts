import { spawnSync } from "node:child_process";
import { statfsSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { Client } from "pg";
import { isMountPoint } from "../lib/runtime/local/mounts";
import { ALICE, state } from "./fixtures/berth";
import { deleteServerByApi, expectState, serverCard, shot, signIn } from "./fixtures/helpers";

// A server at 90 % of its storage is warned about on My servers (its card and a notice at the top)
// and in the administrators' server list. Berth runs as root here, so the workspace is a
// filesystem of the profile's size; the test fills it from the host (fallocate: blocks allocated
// at once, nothing written) to 95 %, as the person's own files would.

const NAME = "st-full";

async function serverId(owner: string, name: string): Promise<string> {
  const s = state();
  const url = new URL(s.adminUrl);
  url.pathname = `/${s.databaseName}`;
  const db = new Client({ connectionString: url.toString() });
  await db.connect();
  try {
    const r = await db.query<{ id: string }>("SELECT s.id FROM servers s JOIN users u ON u.id = s.owner_id WHERE u.name = $1 AND s.name = $2", [owner, name]);
    return r.rows[0].id;
  } finally {
    await db.end();
  }
}

test.afterEach(async ({ page }) => {
  await deleteServerByApi(page, ALICE.name, NAME);
});

test("a server at 95 % of its storage is warned about on the dashboard and in /admin", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, ALICE);
  const created = await page.request.post(`/api/users/${ALICE.name}/servers`, { data: { name: NAME } });
  expect(created.status(), await created.text()).toBe(201);
  const started = await page.request.post(`/api/users/${ALICE.name}/servers/${NAME}/start`);
  expect(started.ok(), await started.text()).toBe(true);
  await page.reload();
  await expectState(serverCard(page, NAME), "running");

  const workspace = path.join(state().dataDir, "workspaces", await serverId(ALICE.name, NAME));
  const enforced = isMountPoint(workspace);
  if (enforced) {
    // The filesystem's own figures, as `df` inside the server shows them.
    const fs = statfsSync(workspace);
    const used = (fs.blocks - fs.bfree) * fs.bsize;
    const capacity = used + fs.bavail * fs.bsize;
    const fill = Math.floor(capacity * 0.95) - used;
    const r = spawnSync("fallocate", ["-l", String(fill), path.join(workspace, "big.bin")], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  } else {
    // Not root here: storage is measured against the profile, and the dashboard says it is not enforced.
    await expect(page.getByText("Storage is measured, not enforced, on this host")).toBeVisible();
    const r = spawnSync("fallocate", ["-l", String(Math.floor(2 * 1024 ** 3 * 0.95)), path.join(workspace, "big.bin")], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  }

  // The card: the bar turns amber and the warning names the figures.
  await expect
    .poll(async () => {
      await page.reload();
      return serverCard(page, NAME).locator("[data-storage-warning]").getAttribute("data-storage-warning", { timeout: 2_000 }).catch(() => null);
    }, { timeout: 60_000 })
    .toBe("almost-full");
  const card = serverCard(page, NAME);
  await expect(card.locator("[data-storage-warning]")).toContainText(/Storage almost full: 9[5-9] % used \(.* of .*\)\. Delete files you no longer need before saving fails\./);
  await expect(card.getByRole("progressbar", { name: `Storage used by ${NAME}` })).toHaveAttribute("aria-valuenow", /^9[5-9]$/);
  // The notice at the top of the dashboard names the server.
  const notice = page.getByRole("status").filter({ hasText: "Storage almost full" });
  await expect(notice.locator(`[data-storage-alert="${NAME}"]`)).toContainText(new RegExp(`${NAME}: 9[5-9] % used`));
  await expect(notice).toContainText("It still starts: open it and delete files you no longer need.");
  if (enforced) await expect(page.getByText("Storage is measured, not enforced")).toHaveCount(0);
  await shot(page, "storage-almost-full");

  // The administrators' list (alice is one) warns in the row.
  await page.goto(`/admin/servers?owner=${ALICE.name}`);
  const row = page.locator(`tr[data-row="${ALICE.name}/${NAME}"]`);
  await expect(row.locator("[data-storage-warning]")).toHaveText(/^Almost full \(9[5-9] %\)$/);
  await shot(page, "storage-almost-full-admin");
});
