import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startJiraDouble } from "../doubles/jira";

// Jira Cloud: email address + API token against /rest/api/3/myself; people keyed by accountId.
const jira = await startJiraDouble({
  users: [
    { name: "ann", accountId: "5b10ac8d82e05b22cc7d4ef5", email: "Ann.Lee@example.com", apiToken: "ATATT-ann-token", password: "ann-real-password", displayName: "Ann Lee", groups: ["site-admins"] },
    { name: "cy", accountId: "5b10ac8d82e05b22cc7d4ef6", email: "cy@example.com", apiToken: "ATATT-cy-token", displayName: "Cy" },
    { name: "dee", accountId: "5b10ac8d82e05b22cc7d4ef7", email: "dee@example.com", apiToken: "ATATT-dee-token", displayName: "Dee" },
  ],
});
process.env.JIRA_URL = jira.url;
process.env.JIRA_DEPLOYMENT = "cloud";
process.env.JIRA_ADMIN_GROUPS = "site-admins, org-admins";
process.env.BERTH_LOCAL_ACCOUNTS = "true";

const { db } = await import("../../lib/db/client");
const { signInJira } = await import("../../lib/auth/jira/sign-in-jira");
const { signinModes } = await import("../../lib/auth/options");

beforeEach(async () => {
  jira.reset();
  await db().$executeRawUnsafe(`TRUNCATE signin_attempts`);
});
afterAll(() => jira.close());

describe("Jira Cloud sign-in", () => {
  it("offers Jira Cloud and, with the operator flag, local accounts too", () => {
    expect(signinModes()).toEqual(["jira-cloud", "local"]);
  });

  it("signs in with email + API token, keyed by accountId, named by the email's local part", async () => {
    const u = await signInJira("Ann.Lee@example.com", "ATATT-ann-token", null);
    expect(u).toMatchObject({ name: "ann.lee", externalId: "5b10ac8d82e05b22cc7d4ef5", email: "Ann.Lee@example.com", displayName: "Ann Lee", isAdmin: true });
    expect(jira.requests[0]).toMatchObject({ deployment: "cloud", result: "ok" });
    const cy = await signInJira("cy@example.com", "ATATT-cy-token", null);
    expect(cy).toMatchObject({ name: "cy", isAdmin: false });
  });

  it("refuses a password where Cloud wants an API token", async () => {
    await expect(signInJira("Ann.Lee@example.com", "ann-real-password", null)).rejects.toThrow(/^wrong_credentials$/);
  });

  it("never merges a Jira person into a local account of the same name", async () => {
    await db().user.create({ data: { name: "dee", passwordHash: "scrypt$16384$8$1$x$y" } });
    await expect(signInJira("dee@example.com", "ATATT-dee-token", null)).rejects.toThrow(/^name_conflict$/);
    expect(await db().user.findUnique({ where: { name: "dee" } })).toMatchObject({ externalId: null, passwordHash: "scrypt$16384$8$1$x$y" });
  });
});
