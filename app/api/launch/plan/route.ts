import { NextResponse } from "next/server";
import { z } from "zod";
import { actorFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { planLaunch } from "@/lib/launch/plan-launch";

export const dynamic = "force-dynamic";

const query = z.object({ provider: z.string().min(1).max(20), spec: z.string().min(1).max(2000) });

// GET /api/launch/plan?provider=gh&spec=<escaped spec>: the commit, whether it is built, and the
// person's servers from the same repository.
export const GET = route(async (req: Request) => {
  const actor = await actorFor(req, "read:servers");
  const params = new URL(req.url).searchParams;
  const { provider, spec } = query.parse({ provider: params.get("provider"), spec: params.get("spec") });
  return NextResponse.json(await planLaunch(actor, provider, spec));
});
