import { z } from "zod";
import { config } from "../config";
import { db } from "../db/client";
import { AppError } from "../errors";
import { namedServerLimitMessage } from "../policy/named-server-limit";
import { checkServerName } from "../policy/server-name";
import { invalidateRoute } from "../proxy/route-cache";
import { newToken } from "./find-server";
import { SERIALISED_TX } from "../db/transactions";
import { recordEvent } from "../audit/record-event";
import { resolveOwner } from "./resolve-owner";
import type { Actor } from "../auth/actor";
import { chooseProfile } from "../policy/profile-access";
import { recordJson } from "../policy/resolve-profile";

export const createServerInput = z.object({
  name: z.string().max(200),
  profile: z.string().max(100).optional(),
  // The profile's options (KubeSpawner's profile_options): option name → choice name.
  options: z.record(z.string().max(40), z.string().max(40)).optional(),
});

export async function createServer(actor: Actor, ownerName: string, input: z.infer<typeof createServerInput>) {
  const { policy } = config();
  const owner = await resolveOwner(actor, ownerName);
  const check = checkServerName(input.name, policy.serverNameMaxLength);
  if (!check.ok) throw new AppError("invalid_name", `"${input.name}" cannot be a server name. ${check.reason}`);
  // Exists, may be used by the owner (403 naming the profile otherwise), and its choices resolved.
  const profile = chooseProfile(actor, owner, input.profile, input.options);

  // Cheap refusal first, without a lock: most requests past the limit stop here. The check is
  // repeated under the lock below, which is what makes it exact.
  await checkNamedServerQuota(actor, owner, input.name);

  const result = await db().$transaction(async (tx) => {
    // The row lock on the owner serialises concurrent creates for one person, so the count below
    // cannot be raced past the limit.
    await tx.$queryRaw`SELECT id FROM users WHERE id = ${owner.id}::uuid FOR UPDATE`;
    const existing = await tx.server.findUnique({ where: { ownerId_name: { ownerId: owner.id, name: input.name } } });
    if (existing) {
      return { error: new AppError("name_taken", `You already have a server named "${input.name}". Start it from the list, or choose another name.`) };
    }
    const named = await tx.server.findMany({ where: { ownerId: owner.id, name: { not: "" } }, select: { name: true }, orderBy: { name: "asc" } });
    if (named.length >= policy.maxNamedServers) {
      await recordEvent(actor, { action: "quota_refused", targetUser: owner.name, serverName: input.name, reason: `limit ${policy.maxNamedServers}` }, tx);
      return { error: quotaError(named.map((s) => s.name), policy.maxNamedServers) };
    }
    const server = await tx.server.create({ data: { ownerId: owner.id, name: input.name, profile: profile.slug, profileSpec: recordJson(profile), token: newToken() } });
    await recordEvent(actor, { action: "create", targetUser: owner.name, serverName: input.name, details: { profile: profile.slug, ...(profile.choices.length ? { options: Object.fromEntries(profile.choices.map((c) => [c.option, c.choice])) } : {}) } }, tx);
    return { server };
  }, SERIALISED_TX);
  // The refusal's audit event commits with the transaction; the error is thrown after it.
  if ("error" in result && result.error) throw result.error;
  invalidateRoute(owner.name, input.name);
  return result.server!;
}

/**
 * Refuses (and records the refusal) when `owner` has no room for another named server. Without
 * a lock: a fast answer for the common case; createServer repeats the check under its lock.
 */
export async function checkNamedServerQuota(actor: Actor, owner: { id: string; name: string }, wanted: string): Promise<void> {
  const { policy } = config();
  const namedNow = await db().server.count({ where: { ownerId: owner.id, name: { not: "" } } });
  if (namedNow < policy.maxNamedServers) return;
  const named = await db().server.findMany({ where: { ownerId: owner.id, name: { not: "" } }, select: { name: true }, orderBy: { name: "asc" } });
  await recordEvent(actor, { action: "quota_refused", targetUser: owner.name, serverName: wanted, reason: `limit ${policy.maxNamedServers}` });
  throw quotaError(named.map((s) => s.name), policy.maxNamedServers);
}

function quotaError(names: string[], limit: number): AppError {
  return new AppError("quota_exceeded", namedServerLimitMessage(names, limit), { limit });
}
