import { NextResponse } from "next/server";
import { actorFor } from "../auth/request-actor";
import { AppError } from "../errors";
import { deleteServer } from "../servers/delete-server";
import { keepServerRunning } from "../servers/idle-stop";
import { startServer } from "../servers/start-server";
import { stopServer } from "../servers/stop-server";
import { route } from "./handler";
import { serverFromPath, userFromPath } from "./path-segments";

// Route handlers (not Next.js Server Actions) shared by /api/users/<user>/server/<action> (the default
// server), /api/users/<user>/servers/<name>/<action> and DELETE /api/users/<user>/servers/<name>, so all
// behave the same.
type Params = { user: string; server?: string; action: string };
type DeleteParams = { user: string; server: string };

export const serverLifecycleRoute = route(async (req: Request, ctx: { params: Promise<Params> }) => {
  const actor = await actorFor(req, "servers");
  const p = await ctx.params;
  const user = userFromPath(p.user);
  const name = serverFromPath(p.server, user);
  if (p.action === "start") {
    const s = await startServer(actor, user, name);
    return NextResponse.json({ name, state: s.state, progress: s.progress }, { status: 202 });
  }
  if (p.action === "stop") {
    const s = await stopServer(actor, user, name, undefined, { wait: false });
    return NextResponse.json({ name, state: s.state, progress: s.progress }, { status: 202 });
  }
  if (p.action === "keep-running") {
    // Counts as activity and nothing else; from Berth's own pages only (proxy.ts refuses a change sent from a /user/ page).
    return NextResponse.json({ name, ...(await keepServerRunning(actor, user, name)) });
  }
  throw new AppError("not_found", `Unknown action "${p.action}": use start, stop or keep-running.`);
});

export const serverDeleteRoute = route(async (req: Request, ctx: { params: Promise<DeleteParams> }) => {
  const actor = await actorFor(req, "servers");
  const p = await ctx.params;
  const user = userFromPath(p.user);
  await deleteServer(actor, user, serverFromPath(p.server, user));
  return new NextResponse(null, { status: 204 });
});
