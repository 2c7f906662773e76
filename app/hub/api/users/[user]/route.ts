import { actorFor } from "@/lib/auth/request-actor";
import { userFromPath } from "@/lib/http/path-segments";
import { requireAny } from "@/lib/hub-api/access";
import { hubJson, hubRoute } from "@/lib/hub-api/hub-route";
import { getHubUser, includeStoppedServers } from "@/lib/hub-api/list-hub-users";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ user: string }> };

// JupyterHub accepts any of read:users or read:servers here; each shows its own fields.
export const GET = hubRoute(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, null);
  requireAny(actor, ["read:users", "read:servers"]);
  const user = userFromPath((await ctx.params).user);
  return hubJson(await getHubUser(actor, user, { includeStopped: includeStoppedServers(new URL(req.url).searchParams) }));
});
