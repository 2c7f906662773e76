import { actorFor } from "@/lib/auth/request-actor";
import { hubJson, hubRoute } from "@/lib/hub-api/hub-route";
import { listHubUsers, parseUserListQuery } from "@/lib/hub-api/list-hub-users";
import { paginatedModel, PAGINATION_MEDIA_TYPE } from "@/lib/hub-api/pagination";

export const dynamic = "force-dynamic";

// JupyterHub's list:users; Berth's read:users. A person who is not an administrator sees themselves.
export const GET = hubRoute(async (req: Request) => {
  const actor = await actorFor(req, "read:users");
  const url = new URL(req.url);
  const paginated = (req.headers.get("accept") ?? "").includes(PAGINATION_MEDIA_TYPE);
  const q = parseUserListQuery(url.searchParams, paginated);
  const { items, total } = await listHubUsers(actor, q);
  return hubJson(paginated ? paginatedModel(items, q.offset, q.limit, total, url) : items);
});
