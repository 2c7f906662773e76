import { actorFor } from "@/lib/auth/request-actor";
import { hubJson, hubRoute } from "@/lib/hub-api/hub-route";
import { whoami } from "@/lib/hub-api/whoami";

export const dynamic = "force-dynamic";

// Any valid token or session may identify itself, whatever its scopes.
export const GET = hubRoute(async (req: Request) => hubJson(await whoami(await actorFor(req, null))));
