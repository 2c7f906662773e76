import { NextResponse } from "next/server";
import { z } from "zod";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { listAllTokens } from "@/lib/tokens/tokens";

export const dynamic = "force-dynamic";

const query = z.object({
  user: z.string().max(64).optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// GET /api/tokens?user=&offset=&limit=: everyone's tokens, newest first (administrators; a
// token needs admin:users). Revoking one is DELETE /api/users/<owner>/tokens/<id>.
export const GET = route(async (req: Request) => {
  const actor = await adminFor(req, "admin:users");
  const p = new URL(req.url).searchParams;
  const q = query.parse({ user: p.get("user") || undefined, offset: p.get("offset") ?? undefined, limit: p.get("limit") ?? undefined });
  return NextResponse.json(await listAllTokens(actor, q), { headers: { "cache-control": "no-store" } });
});
