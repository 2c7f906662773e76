import { NextResponse } from "next/server";
import { z } from "zod";
import { adminFor } from "@/lib/auth/request-actor";
import { jsonBody, route } from "@/lib/http/handler";
import { userFromPath } from "@/lib/http/path-segments";
import { setUserGroups } from "@/lib/users/set-user-groups";

type Ctx = { params: Promise<{ user: string }> };
const body = z.object({ groups: z.array(z.string().max(400)).max(1000) });

// Sets a local account's groups ({"groups": ["ml-team"]}), which decide the profiles it may use.
// A Jira account's come from Jira at each sign-in: refused (422).
export const PUT = route(async (req: Request, ctx: Ctx) => {
  const actor = await adminFor(req, "admin:users");
  const user = userFromPath((await ctx.params).user);
  const { groups } = body.parse(await jsonBody(req));
  return NextResponse.json(await setUserGroups(actor, user, groups));
});
