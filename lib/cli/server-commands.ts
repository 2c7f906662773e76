import { listAllServers, type AdminServersPage } from "../admin/list-all-servers";
import { parseServersQuery } from "../admin/servers-query";
import { AppError } from "../errors";
import { formatBytes } from "../policy/quantity";
import { runtime } from "../runtime";
import { deleteServer } from "../servers/delete-server";
import { findServer } from "../servers/find-server";
import { resolveOwner } from "../servers/resolve-owner";
import { stopServer } from "../servers/stop-server";
import { SYSTEM } from "../auth/actor";
import { serverLabel } from "../servers/types";
import { withDatabase } from "./database";
import type { CommandGroup } from "./main";

export const serverUsage = `  server list [--user <name>] [--state <state>] [--page <n>] [--json]
      Lists everyone's servers, 50 a page, by owner (state: stopped, starting, running,
      stopping, deleting or failed).
  server stop <user> [<server>]
      Stops a server and keeps its storage; without <server> (or with "") the default
      server. Works while Berth runs: the server's processes are ended from here (local
      runtime) or its pod deleted (Kubernetes); the running Berth sees it stopped.
  server delete <user> <server> [--yes]
      Deletes a named server and its storage. Without --yes it only says what would be
      deleted. (The default server cannot be deleted; stop it instead.)
`;

// The CLI acts as the system, like the culler: administrator rights, audited as "berth".

/** `<user> [<server>]` → the owner and server name; "" (or nothing) is the default server. */
function target(positional: string[]): { user: string; name: string } | null {
  if (positional.length < 1 || positional.length > 2 || !positional[0]) return null;
  return { user: positional[0], name: positional[1] ?? "" };
}

function table(page: AdminServersPage): string {
  const head = ["OWNER", "SERVER", "STATE", "PROFILE", "LAST ACTIVITY", "FROM"];
  const rows = page.servers.map((s) => [
    s.owner,
    s.name === "" ? '"" (My Server)' : s.name,
    s.state,
    s.profile.slug,
    s.lastActivityAt ?? "never",
    s.launchedFrom ? `${s.launchedFrom.repo}@${s.launchedFrom.commit.slice(0, 7)}` : (s.image ?? "-"),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}

/**
 * A stop from another process than the Berth that started the server may need the same rights
 * as Berth (the local runtime ends its processes by their runtime folder and uid): refuse before
 * changing anything when this process could not.
 */
async function refuseIfCannotStop(user: string, name: string): Promise<void> {
  const owner = await resolveOwner(SYSTEM, user);
  const s = await findServer(owner.id, owner.name, name);
  if (!runtime().canStop(s.runtimeRef)) {
    throw new AppError(
      "forbidden",
      `${user}'s ${serverLabel(name)} runs under another user than this command (Berth runs as root). Run the command as the user Berth runs as (for example with sudo), or stop it from the console.`,
    );
  }
}

export const serverCommands: CommandGroup = {
  usage: serverUsage,
  async run(command, rest, usage) {
    const positional = rest.filter((a) => !a.startsWith("--"));
    const flags = rest.filter((a) => a.startsWith("--"));
    if (command === "list") {
      // Options with a value: --user alice, --state running, --page 2.
      const opts: Record<string, string> = {};
      let json = false;
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        if (a === "--json") json = true;
        else if ((a === "--user" || a === "--state" || a === "--page") && rest[i + 1] !== undefined) opts[a.slice(2)] = rest[++i];
        else {
          process.stderr.write(`Unknown option or missing value: ${a}.\n${usage}`);
          return 2;
        }
      }
      const parsed = (() => {
        try {
          return parseServersQuery(opts);
        } catch {
          return null;
        }
      })();
      if (!parsed) {
        process.stderr.write(`--state must be one of stopped, starting, running, stopping, deleting, failed; --page a number from 1.\n${usage}`);
        return 2;
      }
      const page = await withDatabase(() => listAllServers(SYSTEM, parsed, { storage: false }));
      if (json) {
        process.stdout.write(`${JSON.stringify({ total: page.total, page: page.page, pages: page.pages, servers: page.servers }, null, 2)}\n`);
        return 0;
      }
      if (!page.servers.length) {
        process.stdout.write(page.total ? `Page ${page.page} is past the last page (${page.pages}).\n` : "No servers match.\n");
        return 0;
      }
      process.stdout.write(table(page));
      process.stdout.write(`${page.total} server${page.total === 1 ? "" : "s"}; page ${page.page} of ${page.pages}${page.page < page.pages ? ` (--page ${page.page + 1} for more)` : ""}.\n`);
      return 0;
    }
    if (command === "stop") {
      const t = target(positional);
      if (!t || flags.length) {
        process.stderr.write(`${flags.length ? `Unknown option ${flags.join(", ")}.` : "Give the owner's name, and the server's name unless it is the default server."}\n${usage}`);
        return 2;
      }
      const s = await withDatabase(async () => {
        await refuseIfCannotStop(t.user, t.name);
        return stopServer(SYSTEM, t.user, t.name);
      });
      const who = `${t.user}'s ${serverLabel(t.name)}`;
      process.stdout.write(
        s.state === "stopped" ? `Stopped ${who}; its files are kept.\n`
        : s.state === "failed" ? `${who} is not running (it failed: ${s.stateReason ?? "no reason recorded"}).\n`
        : `${who} is ${s.state}${s.stateReason ? `: ${s.stateReason}` : ""}. Check again in a moment.\n`,
      );
      return s.state === "stopped" || s.state === "failed" ? 0 : 1;
    }
    if (command === "delete") {
      const t = target(positional);
      const unknown = flags.filter((f) => f !== "--yes");
      if (!t || positional.length !== 2 || unknown.length) {
        process.stderr.write(`${unknown.length ? `Unknown option ${unknown.join(", ")}.` : "Give the owner's name and the server's name."}\n${usage}`);
        return 2;
      }
      if (t.name === "") {
        process.stderr.write(`${t.user}'s default server cannot be deleted; stop it instead (its files are kept).\n`);
        return 1;
      }
      if (!flags.includes("--yes")) {
        const s = await withDatabase(async () => {
          const owner = await resolveOwner(SYSTEM, t.user);
          const found = await findServer(owner.id, owner.name, t.name);
          return { state: found.state, usage: await runtime().storageUsed(found.id).catch(() => undefined) };
        });
        process.stdout.write(
          `This would delete ${t.user}'s server "${t.name}" (${s.state}) and its storage` +
            `${s.usage !== undefined ? ` (${formatBytes(s.usage)} used)` : ""}: every file in it is lost.\n` +
            `Nothing was changed. To delete it, run the command again with --yes.\n`,
        );
        return 1;
      }
      await withDatabase(async () => {
        await refuseIfCannotStop(t.user, t.name);
        await deleteServer(SYSTEM, t.user, t.name);
      });
      process.stdout.write(`Deleted ${t.user}'s server "${t.name}" and its storage.\n`);
      return 0;
    }
    return undefined;
  },
};
