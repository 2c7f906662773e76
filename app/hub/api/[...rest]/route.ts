import { hubError, hubRoute } from "@/lib/hub-api/hub-route";

export const dynamic = "force-dynamic";

// Any other /hub/api address: a JSON 404, as JupyterHub's API404, not Berth's HTML page.
const notFound = hubRoute(async (req: Request) => hubError(404, `Berth's JupyterHub API has no ${new URL(req.url).pathname}. See GET /hub/api/ for the version it implements.`));

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
