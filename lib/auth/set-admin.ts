import { db } from "../db/client";
import { SERIALISED_TX } from "../db/transactions";
import type { Prisma } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../audit/record-event";
import { SYSTEM, type Actor } from "./actor";
import { sessionChecker } from "./user-sessions";

type Tx = Prisma.TransactionClient;

/**
 * Refuses a change that would leave Berth with no administrator. Demotions and removals take this
 * lock first, so two of them at once cannot each leave the other as the last one and remove both.
 */
export async function keepOneAdmin(tx: Tx, user: { id: string; name: string; isAdmin: boolean }, what: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('berth:administrators'))`;
  if (!user.isAdmin) return;
  const others = await tx.user.count({ where: { isAdmin: true, id: { not: user.id } } });
  if (others === 0) {
    throw new AppError("conflict", `"${user.name}" is the only administrator, so they cannot be ${what}. Make someone else an administrator first (npm run berth -- user admin <name> --on).`);
  }
}

/**
 * Grants or withdraws administrator rights. Sessions read the user's rights at each check, so the
 * change reaches pages, the API and the proxy on every replica within the session check's
 * lifetime, without signing anyone out. (For a Jira account, the next Jira sign-in sets the right
 * again from Jira's groups.)
 */
export async function setAdmin(userName: string, isAdmin: boolean, actor: Actor = SYSTEM): Promise<{ name: string; isAdmin: boolean; changed: boolean; jira: boolean }> {
  const result = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { name: userName }, select: { id: true, name: true, isAdmin: true, externalId: true } });
    if (!user) throw new AppError("not_found", `There is no user named "${userName}".`);
    if (user.isAdmin === isAdmin) return { name: user.name, isAdmin, changed: false, jira: Boolean(user.externalId) };
    if (!isAdmin) await keepOneAdmin(tx, user, "made an ordinary user");
    await tx.user.update({ where: { id: user.id }, data: { isAdmin } });
    await recordEvent(actor, { action: "user_admin", targetUser: user.name, details: { admin: isAdmin } }, tx);
    return { name: user.name, isAdmin, changed: true, jira: Boolean(user.externalId) };
  }, SERIALISED_TX);
  sessionChecker().forget();
  return result;
}
