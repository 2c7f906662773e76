import { AppError } from "../errors";
import { eventsCsv, type AuditQuery } from "./list-events";

/** The CSV download of the events `q` selects (its page cursor and size do not apply). */
export function csvResponse(q: AuditQuery): Response {
  if (q.from && q.to && q.from >= q.to) throw new AppError("invalid_input", "The time range is empty: “from” must be before “to”.");
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(eventsCsv(q), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="berth-audit-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
