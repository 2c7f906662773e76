import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LaunchProgress } from "@/components/launch/LaunchProgress";
import { currentUser } from "@/lib/auth/session";
import { safeRedirectPath } from "@/lib/http/safe-redirect";
import { namedServerLimitMessage } from "@/lib/policy/named-server-limit";
import { listServers } from "@/lib/servers/list-servers";

export const metadata: Metadata = { title: "Launching" };
export const dynamic = "force-dynamic";

type Params = { provider: string; spec: string[] };
type Search = Record<string, string | string[] | undefined>;

function query(sp: Search): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) q.append(k, one);
  const s = q.toString();
  return s ? `?${s}` : "";
}

// Next (16) hands these route parameters over as they are in the path, still escaped. Should a
// version decode them, a "/" inside one segment can only have been %2F: escape what a path
// segment cannot hold and leave existing escapes alone, so both read back the same.
const segment = (s: string) => s.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@%]/g, (c) => encodeURIComponent(c));

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// What to show before the launch plan names the repository properly: gl and git specs are one
// escaped segment (the project path or the clone URL), then the ref.
function display(provider: string, spec: string[]): { repo: string; ref: string } {
  const parts = spec.map(decode);
  const two = provider === "gh" || provider === "gist";
  const repo = two ? parts.slice(0, 2).join("/") : (parts[0] ?? "");
  const ref = parts.slice(two ? 2 : 1).join("/");
  return { repo: repo.replace(/\.git$/i, "") || provider, ref: ref || "HEAD" };
}

export default async function LaunchSpecPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<Search> }) {
  const { provider, spec } = await params;
  const sp = await searchParams;
  const user = await currentUser();
  if (!user) {
    const self = `/v2/${segment(provider)}/${spec.map(segment).join("/")}${query(sp)}`;
    redirect(`/signin?callbackUrl=${encodeURIComponent(safeRedirectPath(self, "/"))}`);
  }
  const page = await listServers({ id: user.id, name: user.name, isAdmin: user.isAdmin }, user.name);
  const max = page.policy.maxNamedServers;
  const shown = display(provider, spec);
  // "Back to the launch form" brings what was asked for, to correct it there.
  const back = new URLSearchParams({ repository: shown.repo, provider, ...(shown.ref === "HEAD" ? {} : { ref: shown.ref }) });
  for (const k of ["labpath", "urlpath", "filepath"]) if (typeof sp[k] === "string") back.set(k, sp[k]);
  return (
    <LaunchProgress
      display={shown}
      formHref={`/?${back}`}
      existing={page.servers.map((s) => s.name)}
      maxLength={page.policy.serverNameMaxLength}
      atLimit={page.namedCount >= max}
      limitMessage={namedServerLimitMessage(page.servers.filter((s) => s.name !== "").map((s) => s.name), max, "relaunch")}
    />
  );
}
