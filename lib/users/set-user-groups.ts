import { db } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../audit/record-event";
import type { Actor } from "../auth/actor";
import { findUser, isJira } from "./find-user";
import { requireAdmin } from "./require-admin";

// A local account's groups, which decide the profiles it may use (profiles' `groups`). A Jira
// account's groups are Jira's, read again at each sign-in, so setting them here would not last.

export const MAX_GROUPS_PER_USER = 100;
// Printable, no commas (the CLI's separator) and no surrounding spaces; Jira group names fit.
const GROUP_NAME = /^[^\s,\p{Cc}](?:[^,\p{Cc}]{0,198}[^\s,\p{Cc}])?$/u;

/** Trimmed, distinct, sorted; refuses what cannot be a group name. */
export function normaliseGroups(input: readonly string[]): string[] {
  const out = [...new Set(input.map((g) => g.trim()).filter(Boolean))].sort();
  const bad = out.find((g) => !GROUP_NAME.test(g));
  if (bad !== undefined) throw new AppError("invalid_input", `"${bad}" cannot be a group name: use up to 200 printable characters, without commas.`);
  if (out.length > MAX_GROUPS_PER_USER) throw new AppError("invalid_input", `That is ${out.length} groups; a person can have at most ${MAX_GROUPS_PER_USER}.`);
  return out;
}

export async function setUserGroups(actor: Actor, name: string, groups: readonly string[]): Promise<{ name: string; groups: string[]; changed: boolean }> {
  requireAdmin(actor);
  const next = normaliseGroups(groups);
  const user = await findUser(name);
  if (isJira(user)) {
    throw new AppError("unsupported", `"${user.name}" signs in with Jira: their groups are read from Jira at each sign-in. Change their groups in Jira instead.`);
  }
  const changed = next.join("\n") !== [...user.groups].sort().join("\n");
  if (changed) {
    await db().$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { groups: next } });
      await recordEvent(actor, { action: "user_groups", targetUser: user.name, details: { groups: next, before: user.groups } }, tx);
    });
  }
  return { name: user.name, groups: next, changed };
}
