import { z } from "zod";
import { db, type Prisma } from "../db/client";
import { AppError } from "../errors";
import { csvRow } from "./csv";

// The audit trail (the `events` table) for the console's Audit tab and its CSV export: filtered
// and ordered by SQL (newest first), keyset-paginated on (at, id) so any page costs the same.

/** The actions Berth records (lib/audit/record-event.ts), for the filter's choices. */
export const AUDIT_ACTIONS = [
  "signin", "signout", "signout_all", "user_add", "user_remove", "user_admin", "user_groups", "user_disable", "user_enable", "user_password_reset",
  "create", "start", "started", "stop", "stopped", "delete", "failed", "cull", "quota_refused", "reconcile",
  "launch", "build_cancel", "rebuild", "token_create", "token_revoke", "token_use",
] as const;

const name = z.string().trim().max(200).optional().transform((v) => v || undefined);
const when = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: "custom", message: "a date and time such as 2026-12-01T09:30 or 2026-12-01" });
      return z.NEVER;
    }
    return d;
  });

export const auditQuery = z.object({
  actor: name,
  user: name,
  action: z.string().trim().regex(/^[a-z_]{0,40}$/, "an action name such as launch or user_add").optional().transform((v) => v || undefined),
  from: when,
  to: when,
  before: z.string().max(100).optional().transform((v) => v || undefined),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export interface AuditEvent {
  id: string;
  at: string;
  actor: string | null;
  action: string;
  targetUser: string | null;
  serverName: string | null;
  reason: string | null;
  details: unknown;
}

const cursorOf = (e: { at: Date; id: string }) => `${e.at.toISOString()}_${e.id}`;
function parseCursor(c: string): { at: Date; id: string } {
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)_([0-9a-f-]{36})$/.exec(c);
  if (!m) throw new AppError("invalid_input", "The page cursor is not valid. Start again from the first page.");
  return { at: new Date(m[1]), id: m[2] };
}

function whereOf(q: Omit<AuditQuery, "before" | "limit">, before?: { at: Date; id: string }): Prisma.EventWhereInput {
  const and: Prisma.EventWhereInput[] = [];
  if (q.actor) and.push({ actorName: q.actor });
  if (q.user) and.push({ targetUser: q.user });
  if (q.action) and.push({ action: q.action });
  if (q.from) and.push({ at: { gte: q.from } });
  if (q.to) and.push({ at: { lt: q.to } });
  // `at <= cursor` too: the OR alone gives the (at, id) index no bound to start from.
  if (before) and.push({ at: { lte: before.at } }, { OR: [{ at: { lt: before.at } }, { at: before.at, id: { lt: before.id } }] });
  return { AND: and };
}

const select = { id: true, at: true, actorName: true, action: true, targetUser: true, serverName: true, reason: true, details: true } satisfies Prisma.EventSelect;

export async function listEvents(q: AuditQuery): Promise<{ events: AuditEvent[]; next: string | null }> {
  if (q.from && q.to && q.from >= q.to) throw new AppError("invalid_input", "The time range is empty: “from” must be before “to”.");
  const rows = await db().event.findMany({ where: whereOf(q, q.before ? parseCursor(q.before) : undefined), orderBy: [{ at: "desc" }, { id: "desc" }], take: q.limit + 1, select });
  const page = rows.slice(0, q.limit);
  return {
    events: page.map((e) => ({ id: e.id, at: e.at.toISOString(), actor: e.actorName, action: e.action, targetUser: e.targetUser, serverName: e.serverName, reason: e.reason, details: e.details })),
    next: rows.length > q.limit ? cursorOf(page[page.length - 1]) : null,
  };
}

const CSV_BATCH = 1000;
export const CSV_HEADER = ["time", "actor", "action", "target_user", "server", "reason", "via_token", "details"];

/**
 * The filtered events as CSV, newest first, read in keyset batches as the client takes them
 * (a pull stream: a slow download holds one batch in memory, never the whole table).
 */
export function eventsCsv(q: Omit<AuditQuery, "before" | "limit">): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: { at: Date; id: string } | undefined;
  let header = true;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(stream) {
        if (header) {
          header = false;
          stream.enqueue(encoder.encode(csvRow(CSV_HEADER)));
          return;
        }
        if (done) return;
        const rows = await db().event.findMany({ where: whereOf(q, cursor), orderBy: [{ at: "desc" }, { id: "desc" }], take: CSV_BATCH, select });
        if (rows.length > 0) {
          cursor = rows[rows.length - 1];
          const text = rows
            .map((e) => {
              const d = e.details as Record<string, unknown> | null;
              const via = d && typeof d === "object" && !Array.isArray(d) ? (d.viaToken as { prefix?: string } | undefined)?.prefix : undefined;
              return csvRow([e.at, e.actorName, e.action, e.targetUser, e.serverName, e.reason, via ?? null, e.details]);
            })
            .join("");
          stream.enqueue(encoder.encode(text));
        }
        if (rows.length < CSV_BATCH) {
          done = true;
          stream.close();
        }
      },
    },
    { highWaterMark: 0 },
  );
}
