import { config } from "../../config";
import { db } from "../../db/client";
import { log } from "../../log";
import { recordEvent } from "../../servers/record-event";
import { reserveAttempt, settleAttempt } from "../signin-attempts";
import { SigninRefused } from "../signin-refused";
import { checkJiraCredentials } from "./check-jira-credentials";
import { loginName } from "./login-name";

export async function signInJira(username: string, password: string, address: string | null) {
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

  // Jira accepted the credentials: its own failure count is reset, so is ours.
  await settleAttempt(reservation.id, "success");
  const p = outcome.profile;
  if (!p.active) throw new SigninRefused("inactive");
  const isAdmin = p.groups.some((g) => jira.adminGroups.includes(g));
  const name = loginName(p.login, p.externalId, jira.deployment);
  const data = { displayName: p.displayName, email: p.email, isAdmin, lastLoginAt: new Date() };

  const user = await db().$transaction(async (tx) => {
    const byId = await tx.user.findUnique({ where: { externalId: p.externalId } });
    // A Berth administrator disabled this account: Jira's yes does not override that.
    if (byId?.disabledAt) return "disabled" as const;
    if (byId) return tx.user.update({ where: { id: byId.id }, data });
    const byName = await tx.user.findUnique({ where: { name } });
    if (byName?.passwordHash || byName?.externalId) {
      // A local account (or another Jira identity) owns this name: never merge silently.
      return null;
    }
    if (byName) return tx.user.update({ where: { id: byName.id }, data: { ...data, externalId: p.externalId } });
    return tx.user.create({ data: { ...data, name, externalId: p.externalId } });
  });
  if (user === "disabled") throw new SigninRefused("disabled");
  if (!user) {
    log.warn("Jira sign-in refused: the name belongs to another account", { username: name });
    throw new SigninRefused("name_conflict");
  }
  await recordEvent({ id: user.id, name: user.name, isAdmin: user.isAdmin }, { action: "signin", targetUser: user.name, details: { via: "jira", admin: isAdmin } });
  return user;
}
