import { actorFor } from "@/lib/auth/request-actor";
import { userFromPath } from "@/lib/http/path-segments";
import { requireTokenRights } from "@/lib/tokens/token-rights";
import { hubEmpty, hubJson, hubRoute } from "@/lib/hub-api/hub-route";
import { getHubToken, revokeHubToken } from "@/lib/hub-api/hub-tokens";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ user: string; id: string }> };

export const GET = hubRoute(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, null);
  requireTokenRights(actor);
  const p = await ctx.params;
  return hubJson(await getHubToken(actor, userFromPath(p.user), decodeURIComponent(p.id)));
});

export const DELETE = hubRoute(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, null);
  requireTokenRights(actor);
  const p = await ctx.params;
  await revokeHubToken(actor, userFromPath(p.user), decodeURIComponent(p.id));
  return hubEmpty(204);
});
