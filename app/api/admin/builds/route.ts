import { NextResponse } from "next/server";
import { z } from "zod";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { listBuildHistory, OUTCOMES } from "@/lib/launch/builds/list-builds";

export const dynamic = "force-dynamic";

const query = z.object({
  outcome: z.enum(OUTCOMES).optional(),
  repo: z.string().trim().max(500).optional().transform((v) => v || undefined),
  before: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// GET /api/admin/builds?outcome=&repo=&before=&limit=: the build history, newest first (keyset pages).
export const GET = route(async (req: Request) => {
  await adminFor(req, "read:builds");
  const q = query.parse(Object.fromEntries(new URL(req.url).searchParams));
  return NextResponse.json(await listBuildHistory(q));
});
