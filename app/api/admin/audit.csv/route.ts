import { adminFor } from "@/lib/auth/request-actor";
import { route } from "@/lib/http/handler";
import { auditQuery } from "@/lib/audit/list-events";
import { csvResponse } from "@/lib/audit/csv-response";

export const dynamic = "force-dynamic";

// GET /api/admin/audit.csv?actor=&user=&action=&from=&to=: the matching audit events as CSV, streamed.
export const GET = route(async (req: Request) => {
  await adminFor(req, "admin:users");
  return csvResponse(auditQuery.parse(Object.fromEntries(new URL(req.url).searchParams)));
});
