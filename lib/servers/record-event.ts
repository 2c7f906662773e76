import type { Prisma } from "../db/client";
import { db } from "../db/client";
import type { Actor } from "./types";

type Tx = Prisma.TransactionClient;

export interface EventInput {
  action: "create" | "start" | "started" | "stop" | "stopped" | "delete" | "failed" | "cull" | "quota_refused" | "reconcile" | "user_add" | "signin" | "launch"
    | "signout" | "signout_all" | "user_remove" | "user_admin";
  targetUser?: string;
  serverName?: string;
  reason?: string;
  details?: Prisma.InputJsonValue;
}

export async function recordEvent(actor: Actor, e: EventInput, tx: Tx = db()): Promise<void> {
  await tx.event.create({
    data: { actorId: actor.id, actorName: actor.name, action: e.action, targetUser: e.targetUser, serverName: e.serverName, reason: e.reason, details: e.details },
  });
}
