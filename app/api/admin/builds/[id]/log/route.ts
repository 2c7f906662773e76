import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { buildLogStream } from "@/lib/launch/builds/build-log-stream";
import { buildId, findBuild } from "@/lib/launch/builds/list-builds";

export const dynamic = "force-dynamic";

// GET /api/admin/builds/<id>/log: the build's log as server-sent events, live while it runs
// (whichever replica runs it), ending with its outcome.
export const GET = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  await adminFor(req, "read:builds");
  const id = buildId.parse((await ctx.params).id);
  await findBuild(id);
  return new Response(buildLogStream(id, req.signal), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
  });
});
