import { NextResponse } from "next/server";
import { bulkServers, bulkServersInput } from "@/lib/admin/bulk-servers";
import { listAllServers } from "@/lib/admin/list-all-servers";
import { parseServersQuery } from "@/lib/admin/servers-query";
import { adminFor } from "@/lib/auth/request-actor";
import { jsonBody, route } from "@/lib/http/handler";

// The console's Servers tab: everyone's servers (GET, the page's filters as query parameters) and
// bulk stop/delete (POST { action, servers: [{ user, name }] }). Administrators only.

export const GET = route(async (req: Request) => {
  const actor = await adminFor(req, "admin:servers");
  const q = parseServersQuery(new URL(req.url).searchParams);
  return NextResponse.json(await listAllServers(actor, q), { headers: { "cache-control": "no-store" } });
});

export const POST = route(async (req: Request) => {
  const actor = await adminFor(req, "admin:servers");
  const input = bulkServersInput.parse(await jsonBody(req));
  const result = await bulkServers(actor, input);
  // 200 even when some failed: the body says which, and why.
  return NextResponse.json(result, { headers: { "cache-control": "no-store" } });
});
