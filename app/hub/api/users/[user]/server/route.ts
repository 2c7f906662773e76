import { startHandler, stopHandler } from "@/lib/hub-api/server-handlers";

// POST starts the default server (201 started, 202 pending); DELETE stops it (204, or 202 pending).
export const POST = startHandler;
export const DELETE = stopHandler;
