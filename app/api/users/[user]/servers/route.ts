import { NextResponse } from "next/server";
import { actorFor } from "@/lib/auth/request-actor";
import { jsonBody, route } from "@/lib/http/handler";
import { userFromPath } from "@/lib/http/path-segments";
import { createServer, createServerInput } from "@/lib/servers/create-server";
import { listServers } from "@/lib/servers/list-servers";

type Ctx = { params: Promise<{ user: string }> };

export const GET = route(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, "read:servers");
  const user = userFromPath((await ctx.params).user);
  return NextResponse.json(await listServers(actor, user), { headers: { "cache-control": "no-store" } });
});

export const POST = route(async (req: Request, ctx: Ctx) => {
  const actor = await actorFor(req, "servers");
  const user = userFromPath((await ctx.params).user);
  const input = createServerInput.parse(await jsonBody(req));
  const server = await createServer(actor, user, input);
  return NextResponse.json({ name: server.name, state: server.state, profile: server.profile }, { status: 201 });
});
