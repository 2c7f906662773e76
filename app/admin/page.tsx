import type { Metadata } from "next";
import { UsersConsole } from "@/components/admin/users/UsersConsole";
import { adminPageActor } from "@/lib/auth/admin-page";
import { config } from "@/lib/config";
import { listUsers } from "@/lib/users/list-users";
import { parseUsersQuery } from "@/lib/users/users-query";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

// The console's Users tab: one page of users, searched, sorted and cut by the database (?q=&sort=&dir=&page=).
export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await adminPageActor("/admin");
  const query = parseUsersQuery(await searchParams);
  const page = await listUsers(actor, query, { storage: true });
  const c = config();
  return <UsersConsole page={page} me={actor.name} localAccounts={c.localAccounts} jiraAdminGroups={c.jira?.adminGroups ?? null} />;
}
