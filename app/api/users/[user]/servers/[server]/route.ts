import { serverDeleteRoute } from "@/lib/http/server-lifecycle-routes";

export const DELETE = serverDeleteRoute;
