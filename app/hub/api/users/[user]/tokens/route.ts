import { actorFor } from "@/lib/auth/request-actor";
import { userFromPath } from "@/lib/http/path-segments";
import { requireTokenRights } from "@/lib/tokens/token-rights";
import { hubJson, hubJsonBody, hubRoute } from "@/lib/hub-api/hub-route";
import { createHubToken, listHubTokens } from "@/lib/hub-api/hub-tokens";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ user: string }> };

export const GET = hubRoute(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, null);
  requireTokenRights(actor);
  return hubJson(await listHubTokens(actor, userFromPath((await ctx.params).user)));
});

// 201 with the token itself, shown this once.
export const POST = hubRoute(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, null);
  requireTokenRights(actor);
  const user = userFromPath((await ctx.params).user);
  return hubJson(await createHubToken(actor, user, await hubJsonBody(req)), 201);
});
