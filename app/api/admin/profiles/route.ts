import { NextResponse } from "next/server";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { listProfileUsage } from "@/lib/policy/profile-usage";

export const dynamic = "force-dynamic";

// GET /api/admin/profiles: the profiles in use, servers per profile, and the profiles file's state.
export const GET = route(async (req: Request) => {
  await adminFor(req, "read:servers");
  return NextResponse.json(await listProfileUsage());
});
