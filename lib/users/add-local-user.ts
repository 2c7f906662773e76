import { z } from "zod";
import { addUser } from "../auth/add-user";
import { randomPassword } from "../auth/password";
import type { Actor } from "../auth/actor";
import { requireAdmin } from "./require-admin";

export const addLocalUserSchema = z.object({
  name: z.string().trim().min(1, "give a username").max(64),
  displayName: z.string().trim().max(200).optional(),
  email: z.union([z.literal(""), z.string().trim().email("an email address such as ada@example.org").max(320)]).optional(),
  isAdmin: z.boolean().default(false),
  /** absent: one is generated and returned once */
  password: z.string().max(1000).optional(),
});

export type AddLocalUserInput = z.input<typeof addLocalUserSchema>;

/**
 * Adds a local account (one that signs in with a Berth password). The password is the one given,
 * or a generated one that is returned here once and never stored or shown again.
 */
export async function addLocalUser(actor: Actor, input: AddLocalUserInput): Promise<{ name: string; isAdmin: boolean; password?: string }> {
  requireAdmin(actor);
  const v = addLocalUserSchema.parse(input);
  const generated = v.password === undefined || v.password === "";
  const password = generated ? randomPassword() : v.password!;
  const user = await addUser({ name: v.name, password, isAdmin: v.isAdmin, displayName: v.displayName, email: v.email }, actor);
  return { name: user.name, isAdmin: user.isAdmin, ...(generated ? { password } : {}) };
}
