import type { Metadata } from "next";
import { forbidden, notFound, redirect } from "next/navigation";
import { SpawnPending } from "@/components/servers/SpawnPending";
import { currentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { serverFromPath, userFromPath } from "@/lib/http/path-segments";
import { safeRedirectPath } from "@/lib/http/safe-redirect";
import { listServers } from "@/lib/servers/list-servers";

export const metadata: Metadata = { title: "Start server" };
export const dynamic = "force-dynamic";

export default async function SpawnPage({ params, searchParams }: { params: Promise<{ user: string; server?: string[] }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, server } = await params;
  const sp = await searchParams;
  let owner: string, name: string;
  try {
    owner = userFromPath(user);
    name = serverFromPath(server?.[0], owner);
  } catch {
    // No account or server can have this name (the custom server already answered bad bytes).
    notFound();
  }
  const me = await currentUser();
  const self = `/spawn/${encodeURIComponent(owner)}${name ? `/${encodeURIComponent(name)}` : ""}`;
  if (!me) redirect(`/signin?callbackUrl=${encodeURIComponent(self)}`);
  let page;
  try {
    page = await listServers({ id: me.id, name: me.name, isAdmin: me.isAdmin }, owner);
  } catch (err) {
    // A real 403 (app/forbidden.tsx), with a way back and a way to sign in as someone else.
    if (err instanceof AppError && err.status === 403) forbidden();
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  }
  const s = page.servers.find((x) => x.name === name);
  if (!s) notFound();
  // Only a path inside this server's own prefix may follow: no open redirect.
  const next = safeRedirectPath(sp.next, s.url, { within: s.url });
  if (s.state === "running") redirect(next);
  return <SpawnPending user={owner} name={name} label={owner === me.name ? s.label : `${owner} / ${s.label}`} initialState={s.state} next={next} />;
}
