import { hubJson, hubRoute } from "@/lib/hub-api/hub-route";
import { HUB_API_VERSION } from "@/lib/hub-api/models";

export const dynamic = "force-dynamic";

// Not authenticated, as in JupyterHub: clients ask which API they talk to before they sign in.
export const GET = hubRoute(async () => hubJson({ version: HUB_API_VERSION }));
