import type { Prisma } from "../db/client";
import { db } from "../db/client";
import type { Actor } from "../auth/actor";

type Tx = Prisma.TransactionClient;

export interface EventInput {
  action:
    | "create" | "start" | "started" | "stop" | "stopped" | "delete" | "failed" | "cull" | "quota_refused" | "reconcile" | "launch"
    | "user_add" | "user_groups" | "signin" | "signout" | "signout_all" | "user_remove" | "user_admin" | "user_disable" | "user_enable" | "user_password_reset"
    | "token_create" | "token_revoke" | "token_use"
    | "build_cancel" | "rebuild";
  targetUser?: string;
  serverName?: string;
  reason?: string;
  details?: Prisma.InputJsonValue;
}

export async function recordEvent(actor: Actor, e: EventInput, tx: Tx = db()): Promise<void> {
  // What a token did is written down as the token's doing (its id and prefix, never the secret).
  const details =
    actor.token && (e.details === undefined || (typeof e.details === "object" && e.details !== null && !Array.isArray(e.details)))
      ? { ...((e.details as Prisma.InputJsonObject | undefined) ?? {}), viaToken: { id: actor.token.id, prefix: actor.token.prefix } }
      : e.details;
  await tx.event.create({
    data: { actorId: actor.id, actorName: actor.name, action: e.action, targetUser: e.targetUser, serverName: e.serverName, reason: e.reason, details },
  });
}
