import { NextResponse } from "next/server";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { buildId, findBuild } from "@/lib/launch/builds/list-builds";

export const dynamic = "force-dynamic";

// GET /api/admin/builds/<id>: one build with its stored log.
export const GET = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await adminFor(req, "read:builds");
  return NextResponse.json(await findBuild(buildId.parse((await ctx.params).id)));
});
