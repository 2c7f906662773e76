import { NextResponse } from "next/server";
import { actorFor } from "@/lib/auth/request-actor";
import { requireTokenRights } from "@/lib/tokens/token-rights";
import { route } from "@/lib/http/handler";
import { userFromPath } from "@/lib/http/path-segments";
import { revokeToken } from "@/lib/tokens/tokens";

type Ctx = { params: Promise<{ user: string; id: string }> };

export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, null);
  requireTokenRights(actor);
  const p = await ctx.params;
  await revokeToken(actor, userFromPath(p.user), p.id);
  return new NextResponse(null, { status: 204 });
});
