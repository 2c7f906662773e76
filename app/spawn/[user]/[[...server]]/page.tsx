import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { SpawnPending } from "@/components/servers/SpawnPending";
import { lockIcon, MessageCard } from "@/components/ui/MessageCard";
import { currentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { listServers } from "@/lib/servers/list-servers";

export const metadata: Metadata = { title: "Start server" };
export const dynamic = "force-dynamic";

export default async function SpawnPage({ params, searchParams }: { params: Promise<{ user: string; server?: string[] }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, server } = await params;
  const sp = await searchParams;
  const owner = decodeURIComponent(user);
  const name = server?.[0] ? decodeURIComponent(server[0]) : "";
  const me = await currentUser();
  const self = `/spawn/${encodeURIComponent(owner)}${name ? `/${encodeURIComponent(name)}` : ""}`;
  if (!me) redirect(`/signin?callbackUrl=${encodeURIComponent(self)}`);
  let page;
  try {
    page = await listServers({ id: me.id, name: me.name, isAdmin: me.isAdmin }, owner);
  } catch (err) {
    if (err instanceof AppError && err.status === 403) {
      return (
        <MessageCard code="403" title="Not your server" tone="danger" icon={lockIcon} action={{ href: "/servers", label: "Go to my servers" }}>
          {err.message}
        </MessageCard>
      );
    }
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  }
  const s = page.servers.find((x) => x.name === name);
  if (!s) notFound();
  const rawNext = typeof sp.next === "string" ? sp.next : s.url;
  // Only a path inside this server's own prefix may follow: no open redirect.
  const next = rawNext.startsWith(s.url) ? rawNext : s.url;
  if (s.state === "running") redirect(next);
  return <SpawnPending user={owner} name={name} label={owner === me.name ? s.label : `${owner} / ${s.label}`} initialState={s.state} next={next} />;
}
