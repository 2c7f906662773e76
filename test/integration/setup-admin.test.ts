import { describe, expect, it } from "vitest";
import { addUser } from "../../lib/auth/add-user";
import { verifyPassword } from "../../lib/auth/password";
import { issueSetupTokenIfNoUsers, setupAdmin } from "../../lib/auth/setup-admin";
import { signInLocal } from "../../lib/auth/sign-in-local";
import { db } from "../../lib/db/client";
import { AppError } from "../../lib/errors";
import { expectAppError } from "../helpers";

// The first-start link that creates the first administrator. Tests run in order on one database
// that starts with no users.

const PW = "a long enough password";

describe("setup link for the first administrator", () => {
  it("is issued only while there are no users, and only the newest one works", async () => {
    expect(await db().user.count()).toBe(0);
    const older = await issueSetupTokenIfNoUsers();
    const token = await issueSetupTokenIfNoUsers();
    expect(older).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(token).not.toBe(older);
    // Only a hash is stored.
    const stored = await db().setupToken.findMany();
    expect(stored).toHaveLength(1);
    expect(stored[0].tokenHash).not.toContain(token!);

    const e = await expectAppError(setupAdmin({ token: older!, name: "admin", password: PW }), "setup_closed", 403);
    expect(e.message).toMatch(/newest link/);
    await expectAppError(setupAdmin({ token: "wrong", name: "admin", password: PW }), "setup_closed", 403);
    expect(await db().user.count()).toBe(0);
  });

  it("checks the name and password before using the link", async () => {
    const token = (await issueSetupTokenIfNoUsers())!;
    await expectAppError(setupAdmin({ token, name: "Bad Name!", password: PW }), "invalid_input", 422);
    await expectAppError(setupAdmin({ token, name: "admin", password: "short" }), "invalid_input", 422);
    expect(await db().user.count()).toBe(0);
    expect(await db().setupToken.count()).toBe(1);
  });

  it("creates exactly one administrator when the right link is used twice at once, then closes", async () => {
    const token = (await issueSetupTokenIfNoUsers())!;
    const results = await Promise.allSettled([
      setupAdmin({ token, name: "admin", displayName: "The Admin", password: PW }),
      setupAdmin({ token, name: "second", password: PW }),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toBeInstanceOf(AppError);
    expect((refused[0].reason as AppError).code).toBe("setup_closed");

    const users = await db().user.findMany();
    expect(users).toHaveLength(1);
    const admin = users[0];
    expect(admin.isAdmin).toBe(true);
    expect(await verifyPassword(PW, admin.passwordHash!)).toBe(true);
    expect(await db().setupToken.count()).toBe(0);
    expect(await db().event.findFirst({ where: { action: "user_add", targetUser: admin.name } })).toMatchObject({ actorName: admin.name, actorId: admin.id });

    // The link is spent.
    await expectAppError(setupAdmin({ token, name: "third", password: PW }), "setup_closed", 403);
    expect(await db().user.count()).toBe(1);
  });

  it("is no longer issued once a user exists", async () => {
    expect(await issueSetupTokenIfNoUsers()).toBeUndefined();
    expect(await db().setupToken.count()).toBe(0);
  });

  it("lets the new administrator sign in, and nobody with a wrong password", async () => {
    const admin = (await db().user.findFirstOrThrow())!;
    expect(await signInLocal(admin.name.toUpperCase(), PW)).toMatchObject({ id: admin.id });
    expect(await signInLocal(admin.name, "wrong password!")).toBeNull();
    expect(await signInLocal("nobody", PW)).toBeNull();
    const row = await db().user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(row.lastLoginAt).toBeInstanceOf(Date);
  });

  it("adds further users through addUser, refusing duplicates", async () => {
    const u = await addUser({ name: "Carol", password: PW, isAdmin: false });
    expect(u).toMatchObject({ name: "carol", isAdmin: false });
    await expectAppError(addUser({ name: "carol", password: PW, isAdmin: false }), "conflict", 409);
    await expectAppError(addUser({ name: "dave", password: "short", isAdmin: false }), "invalid_input", 422);
  });
});
