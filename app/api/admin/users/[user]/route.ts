import { NextResponse } from "next/server";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { userFromPath } from "@/lib/http/path-segments";
import { deleteUser } from "@/lib/users/delete-user";
import { describeUser } from "@/lib/users/describe-user";

type Ctx = { params: Promise<{ user: string }> };

// One user with each server and its storage: what a confirmation names before deleting.
export const GET = route(async (req: Request, ctx: Ctx) => {
  const actor = await adminFor(req, "read:users");
  const user = userFromPath((await ctx.params).user);
  return NextResponse.json(await describeUser(actor, user), { headers: { "cache-control": "no-store" } });
});

// Stops their running servers, then deletes the user with their servers and storage.
export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const actor = await adminFor(req, "admin:users");
  const user = userFromPath((await ctx.params).user);
  return NextResponse.json(await deleteUser(actor, user));
});
