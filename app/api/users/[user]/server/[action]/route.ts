import { serverLifecycleRoute } from "@/lib/http/server-lifecycle-routes";

export const POST = serverLifecycleRoute;
