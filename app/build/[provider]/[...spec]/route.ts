import { actorFor } from "@/lib/auth/request-actor";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/handler";
import { rawSpec } from "@/lib/launch/raw-spec";
import { launchOptions, launchStream } from "@/lib/launch/launch-stream";

export const dynamic = "force-dynamic";

// GET /build/<provider>/<spec>: the BinderHub event stream (DESIGN.md §4). The spec is read from
// the raw path: Next decodes route params, and gl/git specs carry escaped slashes.
export const GET = route(async (req: Request) => {
  // A launch creates and starts servers: only Berth's own pages (or a non-browser client) may ask.
  if (req.headers.get("sec-fetch-site") === "cross-site") {
    throw new AppError("forbidden", "Launches start from Berth's launch page. Open the /v2/… link instead.");
  }
  // binderhub-client's `apiToken` arrives as "Authorization: Bearer <token>"; a launch starts a server.
  const actor = await actorFor(req, "servers");
  const url = new URL(req.url);
  const { provider, spec } = rawSpec(url.pathname, "/build/");
  const body = launchStream(actor, provider, spec, launchOptions(url.searchParams), req.signal);
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no", connection: "keep-alive" },
  });
});
