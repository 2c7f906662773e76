import { AppError } from "../errors";
import type { Actor } from "../auth/actor";

/** Services check again what the routes checked: a caller that skipped adminFor still gets nothing. */
export function requireAdmin(actor: Actor): void {
  if (!actor.isAdmin) throw new AppError("forbidden", "Only administrators can manage users.");
}

/**
 * An administrator may not lock themselves out: disabling, demoting or deleting one's own account
 * is refused with what to do instead. The system (the CLI) has no account of its own.
 */
export function refuseSelf(actor: Actor, user: { id: string; name: string }, what: "disable" | "demote" | "delete"): void {
  if (actor.id === null || actor.id !== user.id) return;
  const verb = { disable: "disable your own account", demote: "remove your own administrator rights", delete: "delete your own account" }[what];
  throw new AppError("conflict", `You cannot ${verb}: you would lock yourself out. Ask another administrator to do it, or use \`npm run berth -- user …\` on the server.`);
}
