import { NextResponse } from "next/server";
import { z } from "zod";
import { adminFor } from "@/lib/auth/request-actor";
import { jsonBody, route } from "@/lib/http/handler";
import { userFromPath } from "@/lib/http/path-segments";
import { setUserAdmin } from "@/lib/users/set-user-admin";

type Ctx = { params: Promise<{ user: string }> };
const body = z.object({ admin: z.boolean() });

// Makes a local account an administrator ({"admin": true}) or an ordinary user ({"admin": false}).
export const PUT = route(async (req: Request, ctx: Ctx) => {
  const actor = await adminFor(req, "admin:users");
  const user = userFromPath((await ctx.params).user);
  const { admin } = body.parse(await jsonBody(req));
  return NextResponse.json(await setUserAdmin(actor, user, admin));
});
