import { db } from "../db/client";
import { serverProfile } from "../policy/profile-access";
import { parseBytes } from "../policy/quantity";
import { runtime } from "../runtime";
import type { Actor } from "../auth/actor";
import { serverLabel } from "../servers/types";
import { findUser, isJira } from "./find-user";
import { requireAdmin } from "./require-admin";

export type UserDetail = Awaited<ReturnType<typeof describeUser>>;

/** One user with each of their servers and its storage: what the console's confirmations name. */
export async function describeUser(actor: Actor, name: string) {
  requireAdmin(actor);
  const user = await findUser(name);
  const rt = runtime();
  const rows = await db().server.findMany({ where: { ownerId: user.id }, select: { id: true, name: true, state: true, profile: true, profileSpec: true }, orderBy: { name: "asc" } });
  const servers = await Promise.all(
    rows.map(async (s) => {
      const profile = serverProfile(s).recorded;
      return {
        name: s.name,
        label: serverLabel(s.name),
        state: s.state,
        storageUsed: (await rt.storageUsed(s.id).catch(() => undefined)) ?? null,
        storageLimit: profile ? parseBytes(profile.storage) : null,
      };
    }),
  );
  return {
    name: user.name,
    displayName: user.displayName,
    email: user.email,
    isAdmin: user.isAdmin,
    groups: user.groups,
    source: isJira(user) ? ("jira" as const) : ("local" as const),
    disabledAt: user.disabledAt?.toISOString() ?? null,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    servers,
  };
}
