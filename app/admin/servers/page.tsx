import type { Metadata } from "next";
import { ZodError } from "zod";
import { ServersConsole } from "@/components/admin/servers/ServersConsole";
import { Alert } from "@/components/ui/Alert";
import { listAllServers } from "@/lib/admin/list-all-servers";
import { parseServersQuery, type ServersQuery } from "@/lib/admin/servers-query";
import { adminPageActor } from "@/lib/auth/admin-page";

export const metadata: Metadata = { title: "Servers" };
export const dynamic = "force-dynamic";

// The console's Servers tab: one page of everyone's servers, filtered, sorted and cut by the
// database (?state=&owner=&profile=&idle=&sort=&dir=&page=).
export default async function AdminServersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await adminPageActor("/admin/servers");
  const sp = await searchParams;
  let query: ServersQuery;
  let problem: string | null = null;
  try {
    query = parseServersQuery(sp);
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    problem = `Some filters were not understood (${err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}), so every server is shown.`;
    query = parseServersQuery({});
  }
  const page = await listAllServers(actor, query);
  const key = JSON.stringify(query);
  return (
    <div className="space-y-4">
      {problem ? <Alert tone="warn">{problem}</Alert> : null}
      {/* A new query is a new page: selection and notices start afresh. */}
      <ServersConsole key={key} initial={page} />
    </div>
  );
}
