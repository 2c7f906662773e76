import { NextResponse } from "next/server";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { buildId } from "@/lib/launch/builds/list-builds";
import { rebuildImage } from "@/lib/launch/builds/rebuild-image";

export const dynamic = "force-dynamic";

// POST /api/admin/builds/<id>/rebuild: builds that build's commit again (a new build row), although its image exists.
export const POST = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const actor = await adminFor(req, "admin:servers");
  return NextResponse.json(await rebuildImage(actor, buildId.parse((await ctx.params).id)), { status: 202 });
});
