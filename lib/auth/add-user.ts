import { db } from "../db/client";
import { AppError } from "../errors";
import { checkUserName } from "../policy/user-name";
import { recordEvent } from "../audit/record-event";
import { SYSTEM, type Actor } from "./actor";
import { checkPasswordStrength, hashPassword } from "./password";

export async function addUser(input: { name: string; password: string; isAdmin: boolean; displayName?: string; email?: string }, actor: Actor = SYSTEM) {
  const name = input.name.trim().toLowerCase();
  const nameProblem = checkUserName(name);
  if (nameProblem) throw new AppError("invalid_input", `"${input.name}" cannot be a username. ${nameProblem}`);
  const pwProblem = checkPasswordStrength(input.password);
  if (pwProblem) throw new AppError("invalid_input", `Choose a stronger password. ${pwProblem}`);
  if (await db().user.findUnique({ where: { name } })) throw new AppError("conflict", `A user named "${name}" already exists.`);
  const user = await db().user.create({
    data: { name, displayName: input.displayName || null, email: input.email || null, isAdmin: input.isAdmin, passwordHash: await hashPassword(input.password) },
  });
  await db().setupToken.deleteMany({});
  await recordEvent(actor, { action: "user_add", targetUser: name, details: { admin: input.isAdmin } });
  return user;
}
