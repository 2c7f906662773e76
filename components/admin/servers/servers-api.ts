import type { BulkServersResult } from "@/lib/admin/bulk-servers";
import type { AdminServerRow } from "@/lib/admin/list-all-servers";
import { failureOf, fetchJson, problemText } from "../../ui/fetch-json";

// The browser's calls for the Servers tab. Single start/stop/delete use the same per-server API as
// the My servers page (one implementation of each operation); bulk stop/delete use the console's.

export const rowKey = (s: { owner: string; name: string }) => `${s.owner}\n${s.name}`;

function serverPath(s: Pick<AdminServerRow, "owner" | "name">): string {
  const base = `/api/users/${encodeURIComponent(s.owner)}`;
  return s.name === "" ? `${base}/server` : `${base}/servers/${encodeURIComponent(s.name)}`;
}

/** Starts, stops or deletes one server; null when it worked, else what went wrong. */
export function serverAction(s: AdminServerRow, action: "start" | "stop" | "delete"): Promise<string | null> {
  return failureOf(action === "delete" ? fetchJson(serverPath(s), { method: "DELETE" }) : fetchJson(`${serverPath(s)}/${action}`, { method: "POST" }));
}

export async function bulkAction(action: "stop" | "delete", servers: AdminServerRow[]): Promise<BulkServersResult | string> {
  try {
    return await fetchJson<BulkServersResult>("/api/admin/servers", { method: "POST", body: { action, servers: servers.map((s) => ({ user: s.owner, name: s.name })) } });
  } catch (err) {
    return problemText(err);
  }
}
