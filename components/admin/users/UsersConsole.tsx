"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { UserRow, UsersPage } from "@/lib/users/list-users";
import { defaultDir, type UserSort, type UsersQuery } from "@/lib/users/users-query";
import { formatBytes, relativeTime } from "../../servers/format";
import { Alert } from "../../ui/Alert";
import { buttonStyles } from "../../ui/button-styles";
import { inputStyles } from "../../ui/Field";
import { AddUserDialog } from "./AddUserDialog";
import { ManageUserDialog } from "./ManageUserDialog";
import { PageNav } from "@/components/ui/PageNav";
import { ConsoleHeader } from "../ConsoleHeader";
import { ActionsHeader, ColumnHeader } from "../ColumnHeader";

const SORT_LABELS: Record<UserSort, string> = { name: "name", lastLogin: "last sign-in", running: "servers running", created: "created" };

/** /admin with the query's non-default parts: shareable, and what the server renders. */
export function usersHref(q: UsersQuery, change: Partial<UsersQuery> = {}): string {
  const v = { ...q, ...change };
  const p = new URLSearchParams();
  if (v.q) p.set("q", v.q);
  if (v.sort !== "name") p.set("sort", v.sort);
  if (v.dir !== defaultDir(v.sort)) p.set("dir", v.dir);
  if (v.page > 1) p.set("page", String(v.page));
  const s = p.toString();
  return s ? `/admin?${s}` : "/admin";
}

function SortHeader({ query, sort, children, className = "" }: { query: UsersQuery; sort: UserSort; children: string; className?: string }) {
  const active = query.sort === sort;
  const nextDir = active ? (query.dir === "asc" ? "desc" : "asc") : defaultDir(sort);
  return (
    <th scope="col" aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : "none"} className={`px-3 py-2.5 font-medium ${className}`}>
      <Link
        href={usersHref(query, { sort, dir: nextDir, page: 1 })}
        className={`inline-flex items-center gap-1 rounded hover:text-slate-900 ${active ? "text-slate-900" : ""}`}
        aria-label={`${children}: sort ${nextDir === "asc" ? "ascending" : "descending"}`}
      >
        {children}
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={`h-3.5 w-3.5 ${active ? "text-brand-700" : "text-slate-300"} ${active && query.dir === "desc" ? "rotate-180" : ""}`}>
          <path fillRule="evenodd" clipRule="evenodd" d="M10 5a.75.75 0 0 1 .53.22l4 4a.75.75 0 1 1-1.06 1.06L10 6.81l-3.47 3.47a.75.75 0 0 1-1.06-1.06l4-4A.75.75 0 0 1 10 5Z" />
        </svg>
      </Link>
    </th>
  );
}

function Badge({ tone, children }: { tone: "brand" | "slate" | "red" | "sky"; children: string }) {
  const tones = { brand: "bg-brand-50 text-brand-800 ring-brand-200", slate: "bg-slate-50 text-slate-700 ring-slate-200", red: "bg-red-50 text-red-700 ring-red-200", sky: "bg-sky-50 text-sky-800 ring-sky-200" };
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[tone]}`}>{children}</span>;
}

export function UsersConsole({ page, me, localAccounts, jiraAdminGroups }: { page: UsersPage; me: string; localAccounts: boolean; jiraAdminGroups: string[] | null }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [managing, setManaging] = useState<string | null>(null);
  const q = page.query;
  const now = Date.parse(page.at);
  const managed: UserRow | null = page.users.find((u) => u.name === managing) ?? null;
  const first = (q.page - 1) * page.pageSize + 1;
  const last = first + page.users.length - 1;

  const refresh = () => startTransition(() => router.refresh());

  return (
    <div className="space-y-5">
      <ConsoleHeader
        title="Users"
        summary={
          <>
            {page.total === 0 ? "No users" : `${page.total.toLocaleString("en")} user${page.total === 1 ? "" : "s"}`}
            {q.q ? ` matching “${q.q}”` : ""}, sorted by {SORT_LABELS[q.sort]}
          </>
        }
        working={pending ? "Updating…" : null}
        actions={
          localAccounts ? (
            <button type="button" className={buttonStyles.primary} onClick={() => setAdding(true)}>
              <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="-ml-0.5 h-4 w-4">
                <path d="M10.75 4.75a.75.75 0 0 0-1.5 0v4.5h-4.5a.75.75 0 0 0 0 1.5h4.5v4.5a.75.75 0 0 0 1.5 0v-4.5h4.5a.75.75 0 0 0 0-1.5h-4.5v-4.5Z" />
              </svg>
              Add user
            </button>
          ) : null
        }
      />

      {notice ? (
        <Alert tone="success">
          <span className="flex items-start justify-between gap-3">
            <span>{notice}</span>
            <button type="button" className="shrink-0 text-xs font-medium underline" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </span>
        </Alert>
      ) : null}

      <form role="search" action="/admin" method="get" className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="flex-1 sm:max-w-md">
          <label htmlFor="user-search" className="mb-1.5 block text-sm font-medium text-slate-800">
            Search users
          </label>
          <input id="user-search" name="q" type="search" defaultValue={q.q} placeholder="Name, display name or email" className={inputStyles} maxLength={200} />
        </div>
        {q.sort !== "name" ? <input type="hidden" name="sort" value={q.sort} /> : null}
        {q.dir !== defaultDir(q.sort) ? <input type="hidden" name="dir" value={q.dir} /> : null}
        <div className="flex gap-2">
          <button type="submit" className={buttonStyles.secondary}>
            Search
          </button>
          {q.q ? (
            <Link href={usersHref(q, { q: "", page: 1 })} className={buttonStyles.secondary}>
              Clear
            </Link>
          ) : null}
        </div>
      </form>

      {page.users.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
          <p className="font-medium text-slate-900">{q.q ? `No user matches “${q.q}”.` : q.page > 1 ? "This page is past the last user." : "No users yet."}</p>
          <p className="mt-1 text-sm text-slate-600">
            {q.q ? "Search matches part of a name, display name or email. " : ""}
            {q.q || q.page > 1 ? (
              <Link href="/admin" className="font-medium text-brand-700 underline">
                Show all users
              </Link>
            ) : localAccounts ? (
              "Add one with “Add user”."
            ) : (
              "People appear here after they first sign in with Jira."
            )}
          </p>
        </div>
      ) : (
        <div>
          <p aria-hidden="true" className="mb-1.5 text-xs text-slate-500 lg:hidden">
            Scroll the table sideways for more columns →
          </p>
          {/* relative: the table's screen-reader-only labels are absolutely placed and must scroll with it, not widen the page. */}
          <div role="region" aria-labelledby="users-caption" tabIndex={0} className="relative overflow-x-auto rounded-xl border border-slate-200/80 bg-white shadow-card focus-visible:outline-2 focus-visible:outline-brand-600">
            <table className="w-full min-w-[64rem] border-collapse text-left text-sm">
              <caption id="users-caption" className="sr-only">
                Users {first}–{last} of {page.total}, sorted by {SORT_LABELS[q.sort]} ({q.dir === "asc" ? "ascending" : "descending"}). Scroll sideways for more columns.
              </caption>
              <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <SortHeader query={q} sort="name">Name</SortHeader>
                  <ColumnHeader>Display name</ColumnHeader>
                  <ColumnHeader>Admin</ColumnHeader>
                  <ColumnHeader>Source</ColumnHeader>
                  <SortHeader query={q} sort="lastLogin">Last sign-in</SortHeader>
                  <ColumnHeader>Status</ColumnHeader>
                  <SortHeader query={q} sort="running" className="whitespace-nowrap">Running / total</SortHeader>
                  <ColumnHeader>Storage</ColumnHeader>
                  <SortHeader query={q} sort="created">Created</SortHeader>
                  <ActionsHeader />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {page.users.map((u) => (
                  <tr key={u.name} className={u.disabledAt ? "bg-slate-50/70 text-slate-500" : undefined}>
                    <th scope="row" className="px-3 py-2.5 font-medium text-slate-900">
                      {u.name}
                      {u.name === me ? <span className="ml-1.5 text-xs font-normal text-slate-500">(you)</span> : null}
                    </th>
                    <td className="max-w-48 truncate px-3 py-2.5" title={u.email ?? undefined}>{u.displayName ?? "—"}</td>
                    <td className="px-3 py-2.5">{u.isAdmin ? <Badge tone="brand">Admin</Badge> : <span className="sr-only">No</span>}</td>
                    <td className="px-3 py-2.5">{u.source === "jira" ? <Badge tone="sky">Jira</Badge> : <Badge tone="slate">Local</Badge>}</td>
                    <td className="whitespace-nowrap px-3 py-2.5" title={u.lastLoginAt ?? undefined}>{relativeTime(u.lastLoginAt, now)}</td>
                    <td className="px-3 py-2.5">{u.disabledAt ? <Badge tone="red">Disabled</Badge> : <span className="text-slate-500">Active</span>}</td>
                    <td className="px-3 py-2.5 tabular-nums">
                      {u.running} / {u.servers}
                    </td>
                    <td className="whitespace-nowrap px-3 py-2.5 tabular-nums">{u.storageUsed === null ? <span title="Unknown">—</span> : formatBytes(u.storageUsed)}</td>
                    <td className="whitespace-nowrap px-3 py-2.5" title={u.createdAt}>{relativeTime(u.createdAt, now)}</td>
                    <td className="px-3 py-2 text-right">
                      <button type="button" className={`${buttonStyles.secondary} px-2.5 py-1`} aria-label={`Manage ${u.name}`} onClick={() => setManaging(u.name)}>
                        Manage
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}

      <PageNav label="Pages of users" page={q.page} pages={page.pages} total={page.total} shown={page.users.length} pageSize={page.pageSize} href={(n) => usersHref(q, { page: n })} />

      <AddUserDialog
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={(name) => {
          setNotice(`Added “${name}”.`);
          refresh();
        }}
      />
      <ManageUserDialog
        key={managing ?? ""}
        user={managed}
        me={me}
        jiraAdminGroups={jiraAdminGroups}
        onClose={() => setManaging(null)}
        onChanged={(message, closed) => {
          if (message) setNotice(message);
          if (closed) setManaging(null);
          refresh();
        }}
      />
    </div>
  );
}
