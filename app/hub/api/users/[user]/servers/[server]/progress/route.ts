import { progressHandler } from "@/lib/hub-api/server-handlers";

export const dynamic = "force-dynamic";

// JupyterHub's spawn progress event stream.
export const GET = progressHandler;
