import { NextResponse } from "next/server";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { userFromPath } from "@/lib/http/path-segments";
import { enableUser } from "@/lib/users/disable-user";

type Ctx = { params: Promise<{ user: string }> };

// Lets a disabled user sign in again.
export const POST = route(async (req: Request, ctx: Ctx) => {
  const actor = await adminFor(req, "admin:users");
  const user = userFromPath((await ctx.params).user);
  return NextResponse.json(await enableUser(actor, user));
});
