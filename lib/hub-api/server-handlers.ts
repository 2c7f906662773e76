import { actorFor } from "../auth/request-actor";
import { serverFromPath, userFromPath } from "../http/path-segments";
import { hubEmpty, hubJsonBody, hubRoute } from "./hub-route";
import { progressStream } from "./hub-progress";
import { startHubServer, stopHubServer } from "./hub-servers";

// Shared by /hub/api/users/{name}/server[/progress] (the default server) and
// /hub/api/users/{name}/servers/{server}[/progress], so both behave the same.
type Params = { params: Promise<{ user: string; server?: string }> };

async function target(ctx: Params) {
  const p = await ctx.params;
  const user = userFromPath(p.user);
  return { user, name: serverFromPath(p.server, user) };
}

export const startHandler = hubRoute(async (req: Request, ctx: Params) => {
  const actor = await actorFor(req, "servers");
  const { user, name } = await target(ctx);
  return hubEmpty(await startHubServer(actor, user, name, await hubJsonBody(req)));
});

export const stopHandler = hubRoute(async (req: Request, ctx: Params) => {
  const actor = await actorFor(req, "servers");
  const { user, name } = await target(ctx);
  return hubEmpty(await stopHubServer(actor, user, name, await hubJsonBody(req)));
});

export const progressHandler = hubRoute(async (req: Request, ctx: Params) => {
  const actor = await actorFor(req, "read:servers");
  const { user, name } = await target(ctx);
  const body = await progressStream(actor, user, name, req.signal);
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
  });
});
