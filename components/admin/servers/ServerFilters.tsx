"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import type { AdminServersPage } from "@/lib/admin/list-all-servers";
import { SERVER_STATES, parseServersQuery, serversQueryString, type ServersQuery } from "@/lib/admin/servers-query";
import { buttonStyles } from "../../ui/button-styles";
import { inputStyles } from "../../ui/Field";

/** The Servers tab's filters: a GET form (works without JavaScript) that starts again at page 1. */
export function ServerFilters({ query, profiles, filtered }: { query: ServersQuery; profiles: AdminServersPage["profiles"]; filtered: boolean }) {
  const router = useRouter();
  return (
    <form
      role="search"
      aria-label="Filter servers"
      action="/admin/servers"
      method="get"
      onSubmit={(e) => {
        // Without JavaScript the form submits as it is; with it, the address leaves out empty fields.
        const form = Object.fromEntries([...new FormData(e.currentTarget)].map(([k, v]) => [k, String(v)]));
        try {
          const next = parseServersQuery(form);
          e.preventDefault();
          router.push(`/admin/servers${serversQueryString({ ...next, page: 1 })}`);
        } catch {
          // Let the server say what was wrong with it.
        }
      }}
      className="grid grid-cols-2 gap-3 rounded-xl border border-slate-200/80 bg-white p-4 shadow-card sm:grid-cols-3 lg:grid-cols-[repeat(4,minmax(0,1fr))_auto]">
      <div>
        <label htmlFor="f-state" className="mb-1.5 block text-sm font-medium text-slate-800">State</label>
        <select id="f-state" name="state" defaultValue={query.state ?? ""} className={inputStyles}>
          <option value="">Any state</option>
          {SERVER_STATES.map((s) => (
            <option key={s} value={s}>{s[0].toUpperCase() + s.slice(1)}</option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="f-owner" className="mb-1.5 block text-sm font-medium text-slate-800">Owner</label>
        <input id="f-owner" name="owner" type="search" defaultValue={query.owner ?? ""} placeholder="Part of a user name" autoComplete="off" className={inputStyles} />
      </div>
      <div>
        <label htmlFor="f-profile" className="mb-1.5 block text-sm font-medium text-slate-800">Profile</label>
        <select id="f-profile" name="profile" defaultValue={query.profile ?? ""} className={inputStyles}>
          <option value="">Any profile</option>
          {profiles.map((p) => (
            <option key={p.slug} value={p.slug}>{p.displayName}</option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="f-idle" className="mb-1.5 block text-sm font-medium text-slate-800">Idle for more than</label>
        <div className="flex items-center gap-2">
          <input id="f-idle" name="idle" type="number" min={1} inputMode="numeric" defaultValue={query.idle ?? ""} aria-describedby="f-idle-hint" className={inputStyles} />
          <span className="text-sm text-slate-600">min</span>
        </div>
        <p id="f-idle-hint" className="mt-1 text-xs text-slate-500">Running servers without activity for that long.</p>
      </div>
      {query.sort !== "owner" ? <input type="hidden" name="sort" value={query.sort} /> : null}
      {query.sort !== "owner" || query.dir !== "asc" ? <input type="hidden" name="dir" value={query.dir} /> : null}
      <div className="col-span-2 flex items-start gap-2 sm:col-span-3 lg:col-span-1 lg:pt-7">
        <button type="submit" className={buttonStyles.primary}>Apply filters</button>
        {filtered ? (
          <Link href={`/admin/servers${serversQueryString({ sort: query.sort, dir: query.dir })}`} className={buttonStyles.secondary}>
            Clear
          </Link>
        ) : null}
      </div>
    </form>
  );
}
