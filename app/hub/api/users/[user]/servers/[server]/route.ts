import { startHandler, stopHandler } from "@/lib/hub-api/server-handlers";

// POST creates (body: user_options with `profile`) and starts a named server; DELETE stops it,
// and with {"remove": true} deletes it and its storage.
export const POST = startHandler;
export const DELETE = stopHandler;
