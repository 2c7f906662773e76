import type { Metadata } from "next";
import Link from "next/link";
import { cell, linkStyle, OpsTable, SectionTitle, utc } from "@/components/admin/ops/OpsTable";
import { Pager, withQuery } from "@/components/admin/ops/Pager";
import { Alert } from "@/components/ui/Alert";
import { buttonStyles } from "@/components/ui/button-styles";
import { inputStyles } from "@/components/ui/Field";
import { adminPageActor } from "@/lib/auth/admin-page";
import { AUDIT_ACTIONS, auditQuery, listEvents } from "@/lib/audit/list-events";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Audit" };
export const dynamic = "force-dynamic";

const PAGE = 50;

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

/** Details in one line; a token's use says which token (never its secret, which is not stored). */
function summary(details: unknown): string {
  if (details === null || details === undefined) return "";
  const text = JSON.stringify(details);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export default async function AdminAuditPage({ searchParams }: { searchParams: Search }) {
  await adminPageActor("/admin/audit");
  const sp = await searchParams;
  const raw = { actor: one(sp.actor), user: one(sp.user), action: one(sp.action), from: one(sp.from), to: one(sp.to), before: one(sp.before) };
  const filters = { actor: raw.actor, user: raw.user, action: raw.action, from: raw.from, to: raw.to };
  // The filters are a datetime-local's value (no zone): Berth reads them as UTC, as it shows times.
  const asUtc = (v: string) => (v && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(v) ? `${v}Z` : v);
  const parsed = auditQuery.safeParse({ ...raw, from: asUtc(raw.from), to: asUtc(raw.to), limit: PAGE });
  let result: Awaited<ReturnType<typeof listEvents>> | undefined;
  let problem: string | undefined;
  if (!parsed.success) problem = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  else {
    try {
      result = await listEvents(parsed.data);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      problem = err.message;
    }
  }
  const filtered = Object.values(filters).some(Boolean);
  const csvHref = withQuery("/api/admin/audit.csv", { ...filters, from: asUtc(filters.from), to: asUtc(filters.to) });

  return (
    <div className="space-y-6">
      <h1 className="sr-only">Audit</h1>
      <form method="get" action="/admin/audit" className="grid gap-3 rounded-2xl border border-slate-200/80 bg-white p-4 shadow-card sm:grid-cols-2 lg:grid-cols-[1fr_1fr_1fr_1.2fr_1.2fr_auto] lg:items-end">
        <div className="space-y-1.5">
          <label htmlFor="a-actor" className="block text-sm font-medium text-slate-800">Actor</label>
          <input id="a-actor" name="actor" defaultValue={filters.actor} placeholder="who did it" className={inputStyles} autoComplete="off" />
        </div>
        <div className="space-y-1.5">
          <label htmlFor="a-user" className="block text-sm font-medium text-slate-800">Target user</label>
          <input id="a-user" name="user" defaultValue={filters.user} placeholder="whose account" className={inputStyles} autoComplete="off" />
        </div>
        <div className="space-y-1.5">
          <label htmlFor="a-action" className="block text-sm font-medium text-slate-800">Action</label>
          <select id="a-action" name="action" defaultValue={filters.action} className={inputStyles}>
            <option value="">Any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </div>
        <div className="space-y-1.5">
          <label htmlFor="a-from" className="block text-sm font-medium text-slate-800">From (UTC)</label>
          <input id="a-from" name="from" type="datetime-local" defaultValue={filters.from} className={inputStyles} />
        </div>
        <div className="space-y-1.5">
          <label htmlFor="a-to" className="block text-sm font-medium text-slate-800">To (UTC)</label>
          <input id="a-to" name="to" type="datetime-local" defaultValue={filters.to} className={inputStyles} />
        </div>
        <div className="flex gap-2">
          <button type="submit" className={buttonStyles.primary}>Filter</button>
          {filtered ? <Link href="/admin/audit" className={buttonStyles.secondary}>Clear</Link> : null}
        </div>
      </form>

      <section aria-labelledby="events-title">
        <SectionTitle
          id="events-title"
          aside={
            <a href={csvHref} download className={buttonStyles.secondary}>
              Download CSV{filtered ? " (these filters)" : ""}
            </a>
          }
        >
          Events
        </SectionTitle>
        {problem ? (
          <Alert tone="error" title="These filters cannot be used">
            {problem} <Link href="/admin/audit" className={linkStyle}>Clear the filters</Link>.
          </Alert>
        ) : result ? (
          <>
            <OpsTable
              id="events-table"
              minWidth="64rem"
              caption="Audit events, newest first"
              columns={["Time", "Actor", "Action", "Target user", "Server", "Reason", "Details"]}
              empty={result.events.length === 0 ? (filtered ? "No event matches these filters." : "Nothing has happened yet.") : undefined}
            >
              {result.events.map((e) => (
                <tr key={e.id} data-event={e.id}>
                  <td className={`${cell} whitespace-nowrap`}>
                    <time dateTime={e.at}>{utc(e.at)}</time>
                  </td>
                  <td className={cell}>{e.actor ?? "—"}</td>
                  <td className={cell}>
                    <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">{e.action}</code>
                  </td>
                  <td className={cell}>{e.targetUser ?? "—"}</td>
                  <td className={cell}>{e.serverName === null ? "—" : e.serverName === "" ? "My Server" : e.serverName}</td>
                  <td className={`${cell} max-w-56 break-words`}>{e.reason ?? ""}</td>
                  <td className={`${cell} max-w-96 break-all font-mono text-xs text-slate-500`}>{summary(e.details)}</td>
                </tr>
              ))}
            </OpsTable>
            <Pager label="Audit pages" first={raw.before ? withQuery("/admin/audit", filters) : null} next={result.next ? withQuery("/admin/audit", { ...filters, before: result.next }) : null} />
          </>
        ) : null}
      </section>
    </div>
  );
}
