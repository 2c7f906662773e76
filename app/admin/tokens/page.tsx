import type { Metadata } from "next";
import Link from "next/link";
import { RevokeTokenButton } from "@/components/tokens/RevokeTokenButton";
import { ScopeList } from "@/components/tokens/ScopeList";
import { buttonStyles } from "@/components/ui/button-styles";
import { inputStyles } from "@/components/ui/Field";
import { adminPageActor } from "@/lib/auth/admin-page";
import { formatDate } from "@/lib/tokens/format";
import { listAllTokens } from "@/lib/tokens/tokens";
import { PageNav } from "@/components/ui/PageNav";
import { TokenDates } from "@/components/tokens/TokenDates";

export const metadata: Metadata = { title: "Tokens" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;

type Search = Promise<{ user?: string | string[]; page?: string | string[] }>;

function one(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? "";
}

function pageHref(user: string, page: number): string {
  const q = new URLSearchParams();
  if (user) q.set("user", user);
  if (page > 1) q.set("page", String(page));
  const s = q.toString();
  return s ? `/admin/tokens?${s}` : "/admin/tokens";
}

// Every person's API tokens, a page at a time (the database filters, sorts and pages).
export default async function AdminTokensPage({ searchParams }: { searchParams: Search }) {
  const actor = await adminPageActor("/admin/tokens");
  const sp = await searchParams;
  const user = one(sp.user).trim().slice(0, 64);
  const page = Math.max(1, Math.min(Number.parseInt(one(sp.page), 10) || 1, 100_000));
  const { items, total } = await listAllTokens(actor, { user: user || undefined, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = (page - 1) * PAGE_SIZE + items.length;

  return (
    <div className="space-y-5">
      <div className="flex flex-col gap-4 lg:flex-row lg:items-end lg:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Tokens</h1>
          <p className="mt-1 text-sm text-slate-600">Everyone&rsquo;s API tokens. Revoking one stops it at once; its owner can create another on their Tokens page.</p>
        </div>
        <form method="get" action="/admin/tokens" role="search" aria-label="Filter tokens" className="flex items-end gap-2">
          <div className="space-y-1">
            <label htmlFor="token-owner" className="block text-sm font-medium text-slate-800">
              Owner
            </label>
            <input id="token-owner" name="user" defaultValue={user} placeholder="Name contains…" className={`${inputStyles} w-48 sm:w-56`} />
          </div>
          <button type="submit" className={buttonStyles.secondary}>
            Filter
          </button>
          {user ? (
            <Link href="/admin/tokens" className={`${buttonStyles.secondary} border-transparent shadow-none`}>
              Clear
            </Link>
          ) : null}
        </form>
      </div>

      {items.length === 0 ? (
        <div className="flex flex-col items-center rounded-2xl border border-dashed border-slate-300 bg-white/60 px-6 py-10 text-center">
          <p className="font-medium text-slate-900">{user ? `No tokens belong to anyone whose name contains "${user}"` : "No one has an API token"}</p>
          <p className="mt-1 max-w-sm text-sm text-slate-600">
            {user ? "Check the name, or clear the filter." : "People create tokens on their own Tokens page (account menu → API tokens); the CLI can too: berth token create <user>."}
          </p>
        </div>
      ) : (
        <>
          {/* On a phone, one card per token; from the sm breakpoint, the table. */}
          <ul aria-label={`API tokens, ${first} to ${last} of ${total}`} className="space-y-3 sm:hidden">
            {items.map((t) => (
              <li key={t.id} data-token={t.prefix} className="rounded-2xl border border-slate-200/80 bg-white p-4 shadow-card">
                <div className="flex items-start justify-between gap-3">
                  <div className="min-w-0">
                    <p className="font-semibold text-slate-900">{t.user}</p>
                    <p className="break-words text-sm text-slate-700">{t.note || <span className="text-slate-400">No note</span>}</p>
                    <code className="font-mono text-xs text-slate-500">{t.prefix}…</code>
                  </div>
                  <RevokeTokenButton owner={t.user} id={t.id} prefix={t.prefix} note={t.note} />
                </div>
                <ScopeList scopes={t.scopes} className="mt-2" />
                <dl className="mt-3 space-y-0.5 border-t border-slate-100 pt-2 text-sm">
                  <TokenDates token={t} itemClassName="flex gap-2" />
                  {t.createdBy ? (
                    <div className="flex gap-2">
                      <dt className="text-slate-500">Made by</dt>
                      <dd className="text-slate-800">{t.createdBy}</dd>
                    </div>
                  ) : null}
                </dl>
              </li>
            ))}
          </ul>
          <div role="region" aria-labelledby="tokens-caption" tabIndex={0} className="relative hidden overflow-x-auto sm:block rounded-2xl border border-slate-200/80 bg-white shadow-card focus-visible:outline-2 focus-visible:outline-brand-600">
            <table className="w-full min-w-[56rem] text-left text-sm">
              <caption id="tokens-caption" className="sr-only">
                API tokens{user ? ` of owners whose name contains "${user}"` : ""}, newest first; {first} to {last} of {total}
              </caption>
              <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wider text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-3">Owner</th>
                  <th scope="col" className="px-4 py-3">Note</th>
                  <th scope="col" className="px-4 py-3">Scopes</th>
                  <th scope="col" className="px-4 py-3" aria-sort="descending">Created</th>
                  <th scope="col" className="px-4 py-3">Expires</th>
                  <th scope="col" className="px-4 py-3">Last used</th>
                  <th scope="col" className="px-4 py-3"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {items.map((t) => (
                  <tr key={t.id} data-token={t.prefix} className="align-top">
                    <th scope="row" className="px-4 py-3 font-medium text-slate-900">
                      {t.user}
                      {t.createdBy ? <span className="block text-xs font-normal text-slate-500">made by {t.createdBy}</span> : null}
                    </th>
                    <td className="max-w-56 px-4 py-3">
                      <span className="block break-words text-slate-800">{t.note || <span className="text-slate-400">No note</span>}</span>
                      <code className="font-mono text-xs text-slate-500">{t.prefix}…</code>
                    </td>
                    <td className="px-4 py-3">
                      <ScopeList scopes={t.scopes} />
                    </td>
                    <td className="whitespace-nowrap px-4 py-3 text-slate-700">{formatDate(t.createdAt)}</td>
                    <td className="whitespace-nowrap px-4 py-3 text-slate-700">
                      {formatDate(t.expiresAt)}
                      {t.expired ? <span className="ml-1.5 rounded-full bg-red-50 px-1.5 py-px text-xs font-medium text-red-700 ring-1 ring-inset ring-red-200">expired</span> : null}
                    </td>
                    <td className="whitespace-nowrap px-4 py-3 text-slate-700">{formatDate(t.lastUsedAt)}</td>
                    <td className="px-4 py-2 text-right">
                      <RevokeTokenButton owner={t.user} id={t.id} prefix={t.prefix} note={t.note} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <PageNav label="Pages of tokens" page={page} pages={pages} total={total} shown={items.length} pageSize={PAGE_SIZE} href={(n) => pageHref(user, n)} />
        </>
      )}
    </div>
  );
}
