import { config } from "../../config";
import { db } from "../../db/client";
import type { User } from "../../generated/prisma/client";
import { log } from "../../log";
import { recordEvent } from "../../audit/record-event";
import { reserveAttempt, settleAttempt } from "../signin-attempts";
import { SigninRefused } from "../signin-refused";
import { createSession } from "../user-sessions";
import { checkJiraCredentials } from "./check-jira-credentials";
import { loginName } from "./login-name";
import { recordReturningSignin } from "./record-jira-signin";

// A person in more groups than this keeps the first ones Jira lists (a bound on the row, not a policy).
const MAX_GROUPS = 1000;

/**
 * Checks the credentials with Jira and returns the Berth user. With `session` (next-auth is about
 * to issue a cookie) the server-side session row is created too and its id returned as `sid`.
 */
export async function signInJira(username: string, password: string, address: string | null, session?: { userAgent: string | null }): Promise<User & { sid?: string }> {
  const c = config();
  const jira = c.jira;
  if (!jira) throw new SigninRefused("CredentialsSignin");
  const login = username.trim();
  if (!login || !password) throw new SigninRefused("wrong_credentials");

  const reservation = await reserveAttempt(login, address, { limitUser: true });
  if (!reservation.ok) {
    log.warn("sign-in refused before reaching Jira", { username: login, address, reason: reservation.code });
    throw new SigninRefused(reservation.code, reservation.retryAfterSeconds);
  }
  const outcome = await checkJiraCredentials(jira, login, password);
  switch (outcome.kind) {
    case "unavailable":
      await settleAttempt(reservation.id, "unavailable");
      log.warn("Jira did not answer a sign-in", { detail: outcome.detail });
      throw new SigninRefused("jira_unavailable");
    case "basic_auth_disabled":
      await settleAttempt(reservation.id, "unavailable");
      log.error("Jira refuses basic authentication; Jira sign-in cannot work until it is allowed", { detail: outcome.detail, jira: jira.url });
      throw new SigninRefused("basic_auth_disabled");
    case "captcha":
      await settleAttempt(reservation.id, "failed");
      throw new SigninRefused("captcha", outcome.loginUrl);
    case "wrong_credentials":
      await settleAttempt(reservation.id, "failed");
      throw new SigninRefused("wrong_credentials");
  }

  const p = outcome.profile;
  if (!p.active) {
    // Jira accepted the credentials: its own failure count is reset, so is ours.
    await settleAttempt(reservation.id, "success");
    throw new SigninRefused("inactive");
  }
  const isAdmin = p.groups.some((g) => jira.adminGroups.includes(g));
  // Their Jira groups, as of this sign-in: who may use which profile (lib/policy/profile-access.ts).
  const groups = [...new Set(p.groups.map((g) => g.slice(0, 200)))].slice(0, MAX_GROUPS);
  const data = { displayName: p.displayName, email: p.email, isAdmin, groups, lastLoginAt: new Date() };
  const event = { via: "jira", admin: isAdmin };

  // The common case, a returning person, in one statement (which also settles the attempt).
  const expiresAt = new Date(data.lastLoginAt.getTime() + c.sessionMaxAgeSeconds * 1000);
  const fast = await recordReturningSignin({ attemptId: reservation.id, externalId: p.externalId, data, event, session: session && { userAgent: session.userAgent, address, expiresAt } });
  if (fast) return fast.sid ? { ...fast.user, sid: fast.sid } : fast.user;

  const name = loginName(p.login, p.externalId, jira.deployment);
  const user = await upsertJiraUser(p.externalId, name, data).catch((err: unknown) => {
    // Two first sign-ins of one person at once: the other one created the row; take it.
    if ((err as { code?: unknown })?.code === "P2002") return upsertJiraUser(p.externalId, name, data);
    throw err;
  });
  if (user === "disabled") throw new SigninRefused("disabled");
  if (!user) {
    log.warn("Jira sign-in refused: the name belongs to another account", { username: name });
    throw new SigninRefused("name_conflict");
  }
  await recordEvent({ id: user.id, name: user.name, isAdmin: user.isAdmin }, { action: "signin", targetUser: user.name, details: event });
  if (!session) return user;
  return { ...user, sid: await createSession(user.id, { userAgent: session.userAgent, address }) };
}

function upsertJiraUser(externalId: string, name: string, data: { displayName: string | null; email: string | null; isAdmin: boolean; groups: string[]; lastLoginAt: Date }) {
  return db().$transaction(async (tx) => {
    const byId = await tx.user.findUnique({ where: { externalId } });
    // A Berth administrator disabled this account: Jira's yes does not override that.
    if (byId?.disabledAt) return "disabled" as const;
    if (byId) return tx.user.update({ where: { id: byId.id }, data });
    const byName = await tx.user.findUnique({ where: { name } });
    // The same person's other first sign-in created the row between the two reads.
    if (byName?.externalId === externalId) return byName.disabledAt ? ("disabled" as const) : tx.user.update({ where: { id: byName.id }, data });
    if (byName?.passwordHash || byName?.externalId) {
      // A local account (or another Jira identity) owns this name: never merge silently.
      return null;
    }
    if (byName) return tx.user.update({ where: { id: byName.id }, data: { ...data, externalId } });
    return tx.user.create({ data: { ...data, name, externalId } });
  });
}
