import { NextResponse } from "next/server";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { buildId } from "@/lib/launch/builds/list-builds";
import { cancelBuild } from "@/lib/launch/builds/cancel-build";

export const dynamic = "force-dynamic";

// POST /api/admin/builds/<id>/cancel: cancels a queued or running build on whichever replica runs it.
export const POST = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const actor = await adminFor(req, "admin:servers");
  return NextResponse.json(await cancelBuild(actor, buildId.parse((await ctx.params).id)));
});
