import { NextResponse } from "next/server";
import { adminFor } from "@/lib/auth/request-actor";
import { jsonBody, route } from "@/lib/http/handler";
import { addLocalUser, addLocalUserSchema } from "@/lib/users/add-local-user";
import { listUsers } from "@/lib/users/list-users";
import { usersQuerySchema } from "@/lib/users/users-query";

const NO_STORE = { "cache-control": "no-store" };

// The console's users: one page at a time (?q=&sort=name|lastLogin|running|created&dir=&page=).
export const GET = route(async (req: Request) => {
  const actor = await adminFor(req, "read:users");
  const params = new URL(req.url).searchParams;
  const query = usersQuerySchema.parse(Object.fromEntries(params));
  const page = await listUsers(actor, query, { storage: params.get("storage") === "1" });
  return NextResponse.json(page, { headers: NO_STORE });
});

// Adds a local account; a generated password is in this response only.
export const POST = route(async (req: Request) => {
  const actor = await adminFor(req, "admin:users");
  const input = addLocalUserSchema.parse(await jsonBody(req));
  const user = await addLocalUser(actor, input);
  return NextResponse.json(user, { status: 201, headers: NO_STORE });
});
