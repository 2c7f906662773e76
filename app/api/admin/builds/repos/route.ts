import { NextResponse } from "next/server";
import { z } from "zod";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { repoLaunchCounts } from "@/lib/launch/builds/list-builds";

export const dynamic = "force-dynamic";

const query = z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(200).default(50) });

// GET /api/admin/builds/repos?offset=&limit=: launches and cache hits per repository, most launched first.
export const GET = route(async (req: Request) => {
  await adminFor(req, "read:builds");
  const q = query.parse(Object.fromEntries(new URL(req.url).searchParams));
  return NextResponse.json(await repoLaunchCounts(q.offset, q.limit));
});
