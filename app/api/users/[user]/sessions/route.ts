import { NextResponse } from "next/server";
import { signOutEverywhere } from "@/lib/auth/sign-out-everywhere";
import { requireActor } from "@/lib/auth/session";
import { route } from "@/lib/http/handler";

type Ctx = { params: Promise<{ user: string }> };

// "Sign out everywhere": ends every session of the user (the caller's own, too, if it is theirs).
export const DELETE = route(async (_req: Request, ctx: Ctx) => {
  const actor = await requireActor();
  const { user } = await ctx.params;
  const result = await signOutEverywhere(actor, user);
  return NextResponse.json(result, { headers: { "cache-control": "no-store" } });
});
