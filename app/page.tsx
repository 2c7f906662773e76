import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LaunchForm } from "@/components/launch/LaunchForm";
import { RepoRequirements } from "@/components/launch/RepoRequirements";
import { currentUser } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { namedServerLimitMessage } from "@/lib/policy/named-server-limit";
import { listServers } from "@/lib/servers/list-servers";

export const metadata: Metadata = { title: "Launch a repository" };
export const dynamic = "force-dynamic";

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function LaunchPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await currentUser();
  if (!user) redirect("/signin?callbackUrl=/");
  const sp = await searchParams;
  const c = config();
  const page = await listServers({ id: user.id, name: user.name, isAdmin: user.isAdmin }, user.name);
  const named = page.servers.filter((s) => s.name !== "");
  const max = page.policy.maxNamedServers;
  const atLimit = page.namedCount >= max;
  // A link back from a failed launch page brings what was asked for, so it can be corrected.
  const urlpath = one(sp.urlpath);
  const initial = {
    repository: one(sp.repository) || one(sp.repo),
    ref: one(sp.ref),
    provider: ["gh", "gl", "gist", "git"].includes(one(sp.provider)) ? one(sp.provider) : "",
    path: urlpath || one(sp.labpath) || one(sp.filepath),
    pathKind: urlpath ? ("urlpath" as const) : ("labpath" as const),
  };
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">Launch a repository</h1>
        <p className="mt-1.5 max-w-2xl text-sm text-slate-600">Berth builds the environment the repository asks for and opens it in Jupyter, with the repository&apos;s files in your server.</p>
      </div>
      <LaunchForm
          user={user.name}
          servers={page.servers.map((s) => ({ name: s.name, label: s.name === "" ? "My Server (default)" : s.label, state: s.state }))}
          maxLength={c.policy.serverNameMaxLength}
          atLimit={atLimit}
          limitMessage={namedServerLimitMessage(named.map((s) => s.name), max, "launch")}
          initial={initial}
          aside={
            <aside>
              <RepoRequirements runtime={c.runtime} />
            </aside>
          }
        />
    </div>
  );
}
