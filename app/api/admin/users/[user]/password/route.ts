import { NextResponse } from "next/server";
import { z } from "zod";
import { adminFor } from "@/lib/auth/request-actor";
import { jsonBody, route } from "@/lib/http/handler";
import { userFromPath } from "@/lib/http/path-segments";
import { resetPassword } from "@/lib/users/reset-password";

type Ctx = { params: Promise<{ user: string }> };
const body = z.object({ password: z.string().max(1000).optional() });

// A new password for a local account (generated unless given, then in this response only); their sessions end.
export const POST = route(async (req: Request, ctx: Ctx) => {
  const actor = await adminFor(req, "admin:users");
  const user = userFromPath((await ctx.params).user);
  const { password } = body.parse(req.headers.get("content-length") === "0" ? {} : await jsonBody(req));
  return NextResponse.json(await resetPassword(actor, user, password), { headers: { "cache-control": "no-store" } });
});
