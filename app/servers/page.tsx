import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ServerDashboard } from "@/components/servers/ServerDashboard";
import { currentUser } from "@/lib/auth/session";
import { listServers } from "@/lib/servers/list-servers";

export const metadata: Metadata = { title: "My servers" };
export const dynamic = "force-dynamic";

export default async function ServersPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?callbackUrl=/servers");
  const page = await listServers({ id: user.id, name: user.name, isAdmin: user.isAdmin }, user.name);
  return <ServerDashboard initial={page} />;
}
