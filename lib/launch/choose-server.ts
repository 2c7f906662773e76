import { config } from "../config";
import { db } from "../db/client";
import { AppError } from "../errors";
import { checkServerName } from "../policy/server-name";
import { checkNamedServerQuota } from "../servers/create-server";
import type { Actor } from "../auth/actor";
import { parseSpec, type RepoSource } from "./repo-spec";
import { suggestServerName } from "./suggest-name";

// Which server a launch goes into. Asked for by name: that server (created if new). Not asked:
// the person's server of the same repository at the same commit if there is one (launching again
// opens it, whichever ref or spelling of the repository the launch came through), else a new
// named server named after the repository. Decided before the build, so a launch that cannot get
// a server is refused before anything is built.

export type Target = { kind: "existing"; id: string; name: string } | { kind: "new"; name: string };

export interface LaunchedServer {
  name: string;
  state: string;
  commit: string | null;
  sameCommit: boolean;
}

/**
 * The repository a source names, without its ref: gh/owner/repo and git/https://github.com/owner/repo.git
 * are one repository, and so are two spellings of a GitHub, GitLab or gist name that differ only
 * in case (those hosts ignore it). A plain Git host's path is kept as written.
 */
export function repositoryKey(source: Pick<RepoSource, "provider" | "repoUrl">): string {
  const url = source.repoUrl.replace(/\/+$/, "").replace(/\.git$/i, "");
  return source.provider === "git" ? url : url.toLowerCase();
}

/** The person's servers launched from the same repository as `source`, through any provider or ref. */
export async function serversOfRepository(ownerId: string, source: RepoSource, commit: string | null) {
  const rows = await db().server.findMany({
    where: { ownerId, launchProvider: { not: null }, launchSpec: { not: null } },
    orderBy: [{ lastActivityAt: { sort: "desc", nulls: "last" } }, { name: "asc" }],
  });
  const key = repositoryKey(source);
  return rows
    .filter((r) => {
      try {
        return repositoryKey(parseSpec(r.launchProvider!, r.launchSpec!)) === key;
      } catch {
        return false;
      }
    })
    .map((r) => ({ row: r, view: { name: r.name, state: r.state, commit: r.launchCommit, sameCommit: commit !== null && r.launchCommit === commit } satisfies LaunchedServer }));
}

export async function chooseServer(actor: Actor, owner: { id: string; name: string }, source: RepoSource, commit: string, wanted: string | undefined): Promise<Target> {
  const { policy } = config();
  if (wanted !== undefined) {
    if (wanted !== "") {
      const check = checkServerName(wanted, policy.serverNameMaxLength);
      if (!check.ok) throw new AppError("invalid_name", `"${wanted}" cannot be a server name. ${check.reason}`);
    }
    const existing = await db().server.findUnique({ where: { ownerId_name: { ownerId: owner.id, name: wanted } }, select: { id: true } });
    if (existing) return { kind: "existing", id: existing.id, name: wanted };
    if (wanted !== "") await checkNamedServerQuota(actor, owner, wanted);
    return { kind: "new", name: wanted };
  }
  const same = (await serversOfRepository(owner.id, source, commit)).filter((s) => s.view.sameCommit);
  const pick = same.find((s) => s.row.state === "running") ?? same.find((s) => s.row.state === "starting") ?? same[0];
  if (pick) return { kind: "existing", id: pick.row.id, name: pick.row.name };
  const taken = (await db().server.findMany({ where: { ownerId: owner.id }, select: { name: true } })).map((s) => s.name);
  const name = suggestServerName(source.repo, policy.serverNameMaxLength, taken);
  await checkNamedServerQuota(actor, owner, name);
  return { kind: "new", name };
}
