import { NextResponse } from "next/server";
import { signOutEverywhere } from "@/lib/auth/sign-out-everywhere";
import { sessionActorFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";

type Ctx = { params: Promise<{ user: string }> };

// "Sign out everywhere": ends every session of the user (the caller's own, too, if it is theirs).
// Session only: an API token is for the API, not for ending someone's browser sessions.
export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const actor = await sessionActorFor(req);
  const { user } = await ctx.params;
  const result = await signOutEverywhere(actor, user);
  return NextResponse.json(result, { headers: { "cache-control": "no-store" } });
});
