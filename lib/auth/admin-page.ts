import { forbidden, redirect } from "next/navigation";
import type { Actor } from "./actor";
import { expandScopes, scopesFor } from "./scopes";
import { currentUser } from "./session";

/**
 * For the console's pages (server components): the signed-in administrator as an Actor. Someone
 * signed out is sent to sign in and back to `path`; anyone else gets the 403 page
 * (app/admin/forbidden.tsx).
 */
export async function adminPageActor(path: string): Promise<Actor> {
  const u = await currentUser();
  if (!u) redirect(`/signin?callbackUrl=${encodeURIComponent(path)}`);
  if (!u.isAdmin) forbidden();
  return { id: u.id, name: u.name, isAdmin: true, scopes: expandScopes(scopesFor(true)) };
}
