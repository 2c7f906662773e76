import { config } from "../config";
import { db } from "../db/client";
import { resolveOwner } from "../servers/resolve-owner";
import type { Actor } from "../auth/actor";
import { builder, checkBuildsConfigured } from "./builds/builder";
import { serversOfRepository } from "./choose-server";
import { prepareLaunch } from "./prepare-launch";
import { refUrl } from "./repo-spec";
import { suggestServerName } from "./suggest-name";

// What the launch page needs before it launches: the commit the ref names, whether it is built,
// and the person's servers from the same repository, so it can offer to restart one on a new
// commit instead of making another.
export async function planLaunch(actor: Actor, provider: string, spec: string) {
  checkBuildsConfigured();
  const prepared = await prepareLaunch(provider, spec);
  const { source, commit } = prepared;
  const owner = await resolveOwner(actor, actor.name);
  const b = await builder();
  const built = await b.isBuilt({ imageName: prepared.imageName, commit, fetchUrl: prepared.fetchUrl, provider: source.provider, repo: source.repo });
  const servers = (await serversOfRepository(owner.id, source, commit)).map((s) => s.view);
  const taken = (await db().server.findMany({ where: { ownerId: owner.id }, select: { name: true } })).map((s) => s.name);
  return {
    provider: source.provider,
    spec: source.spec,
    repo: source.repo,
    repoUrl: source.repoUrl,
    ref: source.ref,
    commit,
    resolvedRef: prepared.resolvedRef,
    imageName: prepared.imageName,
    built,
    refUrl: refUrl(source, commit),
    suggestedName: suggestServerName(source.repo, config().policy.serverNameMaxLength, taken),
    servers,
  };
}
