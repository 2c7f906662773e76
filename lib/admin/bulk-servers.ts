import { z } from "zod";
import { AppError } from "../errors";
import { deleteServer } from "../servers/delete-server";
import { stopServer } from "../servers/stop-server";
import type { Actor } from "../auth/actor";
import { serverLabel } from "../servers/types";

export const bulkServersInput = z.object({
  action: z.enum(["stop", "delete"]),
  servers: z
    .array(z.object({ user: z.string().min(1).max(64), name: z.string().max(64) }))
    .min(1, "select at least one server")
    .max(200, "at most 200 servers at once"),
});

export type BulkServersInput = z.infer<typeof bulkServersInput>;

export type BulkItemResult =
  | { user: string; name: string; label: string; ok: true; state: string }
  | { user: string; name: string; label: string; ok: false; error: string; message: string };

export interface BulkServersResult {
  action: BulkServersInput["action"];
  results: BulkItemResult[];
  succeeded: number;
  failed: number;
}

// A few at a time: a delete walks and removes a folder or waits for a pod to go, and fifty of them
// at once would starve the requests of everyone else on a small host.
const CONCURRENCY = 4;

/**
 * Stops or deletes each selected server through the same services as the per-server buttons
 * (lib/servers), independently: one that fails is reported with its reason and the others go on.
 * Stops return once the server is stopping (the page follows it); deletes finish before returning.
 */
export async function bulkServers(actor: Actor, input: BulkServersInput): Promise<BulkServersResult> {
  if (!actor.isAdmin) throw new AppError("forbidden", "Only administrators can stop or delete other people's servers.");
  const seen = new Set<string>();
  const items = input.servers.filter((s) => {
    const key = `${s.user}\n${s.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const results: BulkItemResult[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const { user, name } = items[i];
      const label = serverLabel(name);
      try {
        if (input.action === "stop") {
          const s = await stopServer(actor, user, name, undefined, { wait: false });
          results[i] = { user, name, label, ok: true, state: s.state };
        } else {
          await deleteServer(actor, user, name);
          results[i] = { user, name, label, ok: true, state: "deleted" };
        }
      } catch (err) {
        const e = err instanceof AppError ? err : undefined;
        results[i] = { user, name, label, ok: false, error: e?.code ?? "internal", message: e?.message ?? `It failed unexpectedly: ${(err as Error).message}` };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  const succeeded = results.filter((r) => r.ok).length;
  return { action: input.action, results, succeeded, failed: results.length - succeeded };
}
