import { NextResponse } from "next/server";
import { actorFor } from "@/lib/auth/request-actor";
import { requireTokenRights } from "@/lib/tokens/token-rights";
import { jsonBody, route } from "@/lib/http/handler";
import { userFromPath } from "@/lib/http/path-segments";
import { createToken, listTokens, newTokenInput } from "@/lib/tokens/tokens";

type Ctx = { params: Promise<{ user: string }> };
const noStore = { "cache-control": "no-store" };

// A person's API tokens: with a session, or a token holding all its owner's scopes (JupyterHub's
// `tokens`, the same rule as /hub/api); a token only ever makes weaker, shorter-lived ones, and
// someone else's tokens need admin:users (lib/tokens/tokens.ts).
export const GET = route(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, null);
  requireTokenRights(actor);
  const user = userFromPath((await ctx.params).user);
  return NextResponse.json({ tokens: await listTokens(actor, user) }, { headers: noStore });
});

// The answer is the only time the token itself is ever sent.
export const POST = route(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, null);
  requireTokenRights(actor);
  const user = userFromPath((await ctx.params).user);
  const input = newTokenInput.parse(await jsonBody(req));
  const { token, info } = await createToken(actor, user, input);
  return NextResponse.json({ token, ...info }, { status: 201, headers: noStore });
});
