import { NextResponse } from "next/server";
import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { auditQuery, listEvents } from "@/lib/audit/list-events";
import { csvResponse } from "@/lib/audit/csv-response";

export const dynamic = "force-dynamic";

// GET /api/admin/audit?actor=&user=&action=&from=&to=&before=&limit=: audit events, newest first
// (keyset pages); with format=csv, every matching event as a CSV download.
export const GET = route(async (req: Request) => {
  await adminFor(req, "admin:users");
  const params = new URL(req.url).searchParams;
  const q = auditQuery.parse(Object.fromEntries(params));
  if (params.get("format") === "csv") return csvResponse(q);
  return NextResponse.json(await listEvents(q));
});
