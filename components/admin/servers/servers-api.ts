import type { BulkServersResult } from "@/lib/admin/bulk-servers";
import type { AdminServerRow } from "@/lib/admin/list-all-servers";

// The browser's calls for the Servers tab. Single start/stop/delete use the same per-server API as
// the My servers page (one implementation of each operation); bulk stop/delete use the console's.

export const rowKey = (s: { owner: string; name: string }) => `${s.owner}\n${s.name}`;

async function message(res: Response): Promise<string> {
  const data = (await res.json().catch(() => ({}))) as { message?: string };
  return data.message ?? `The request failed (${res.status}). Try again.`;
}

function serverPath(s: Pick<AdminServerRow, "owner" | "name">): string {
  const base = `/api/users/${encodeURIComponent(s.owner)}`;
  return s.name === "" ? `${base}/server` : `${base}/servers/${encodeURIComponent(s.name)}`;
}

/** Starts, stops or deletes one server; null when it worked, else what went wrong. */
export async function serverAction(s: AdminServerRow, action: "start" | "stop" | "delete"): Promise<string | null> {
  const res = action === "delete" ? await fetch(serverPath(s), { method: "DELETE" }) : await fetch(`${serverPath(s)}/${action}`, { method: "POST" });
  return res.ok ? null : message(res);
}

export async function bulkAction(action: "stop" | "delete", servers: AdminServerRow[]): Promise<BulkServersResult | string> {
  const res = await fetch("/api/admin/servers", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action, servers: servers.map((s) => ({ user: s.owner, name: s.name })) }),
  });
  return res.ok ? ((await res.json()) as BulkServersResult) : message(res);
}
