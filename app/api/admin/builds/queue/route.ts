import { NextResponse } from "next/server";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { listBuildQueue } from "@/lib/launch/builds/list-builds";

export const dynamic = "force-dynamic";

// GET /api/admin/builds/queue: queued builds with their position, and the builds running.
export const GET = route(async (req: Request) => {
  await adminFor(req, "read:builds");
  return NextResponse.json(await listBuildQueue());
});
