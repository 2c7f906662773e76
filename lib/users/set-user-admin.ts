import { setAdmin } from "../auth/set-admin";
import { AppError } from "../errors";
import type { Actor } from "../auth/actor";
import { findUser, isJira } from "./find-user";
import { refuseSelf, requireAdmin } from "./require-admin";

/**
 * Makes a local account an administrator or an ordinary user. A Jira account's right comes from
 * its Jira groups at each sign-in (JIRA_ADMIN_GROUPS), so changing it here would not last: refused.
 */
export async function setUserAdmin(actor: Actor, name: string, isAdmin: boolean) {
  requireAdmin(actor);
  const user = await findUser(name);
  if (!isAdmin) refuseSelf(actor, user, "demote");
  if (isJira(user)) {
    throw new AppError("unsupported", `"${user.name}" signs in with Jira: their administrator right comes from their Jira groups (JIRA_ADMIN_GROUPS) at each sign-in. Change their groups in Jira instead.`);
  }
  return setAdmin(user.name, isAdmin, actor);
}
