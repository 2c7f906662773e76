import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { db } from "../db/client";
import { SERIALISED_TX } from "../db/transactions";
import { AppError } from "../errors";
import { checkUserName } from "../policy/user-name";
import { recordEvent } from "../audit/record-event";
import { checkPasswordStrength, hashPassword } from "./password";

// First start with no users: a one-time link creates the first administrator. Only the hash is
// stored; a new start replaces it, so only the link printed last works.

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export async function issueSetupTokenIfNoUsers(): Promise<string | undefined> {
  if ((await db().user.count()) > 0) {
    await db().setupToken.deleteMany({});
    return undefined;
  }
  const token = randomBytes(24).toString("base64url");
  await db().setupToken.upsert({ where: { id: 1 }, create: { id: 1, tokenHash: sha256(token) }, update: { tokenHash: sha256(token), createdAt: new Date() } });
  return token;
}

export const setupInput = z.object({
  token: z.string().min(1).max(200),
  name: z.string().trim().toLowerCase(),
  displayName: z.string().trim().max(100).optional(),
  password: z.string().max(1000),
});

export async function setupAdmin(input: z.infer<typeof setupInput>) {
  const nameProblem = checkUserName(input.name);
  if (nameProblem) throw new AppError("invalid_input", `"${input.name}" cannot be a username. ${nameProblem}`);
  const pwProblem = checkPasswordStrength(input.password);
  if (pwProblem) throw new AppError("invalid_input", `Choose a stronger password. ${pwProblem}`);
  const passwordHash = await hashPassword(input.password);
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ token_hash: string }[]>`SELECT token_hash FROM setup_tokens WHERE id = 1 FOR UPDATE`;
    const stored = rows[0]?.token_hash;
    const given = sha256(input.token);
    if (!stored || !timingSafeEqual(Buffer.from(stored), Buffer.from(given)) || (await tx.user.count()) > 0) {
      throw new AppError("setup_closed", "This setup link is no longer valid. Use the newest link Berth printed when it started, or ask an administrator for an account.");
    }
    const user = await tx.user.create({ data: { name: input.name, displayName: input.displayName || null, isAdmin: true, passwordHash } });
    await tx.setupToken.deleteMany({});
    await recordEvent({ id: user.id, name: user.name, isAdmin: true }, { action: "user_add", targetUser: user.name, reason: "first administrator (setup link)" }, tx);
    return { name: user.name };
  }, SERIALISED_TX);
}

/** True while Berth has no accounts and the first administrator comes from the setup link (the sign-in page says so). */
export async function awaitingSetup(): Promise<boolean> {
  return (await db().user.count()) === 0 && (await db().setupToken.count()) > 0;
}

/** Read-only check for the setup page: show the form only while the link can still be used. */
export async function setupLinkValid(token: string): Promise<boolean> {
  const row = await db().setupToken.findUnique({ where: { id: 1 } });
  if (!row || !token) return false;
  const given = sha256(token);
  return timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(given)) && (await db().user.count()) === 0;
}
