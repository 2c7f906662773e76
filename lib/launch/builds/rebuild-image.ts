import { db } from "../../db/client";
import { AppError } from "../../errors";
import { log } from "../../log";
import { recordEvent } from "../../audit/record-event";
import type { Actor } from "../../auth/actor";
import { prepareLaunch } from "../prepare-launch";
import { buildSpec, type Provider } from "../repo-spec";
import { buildsFollowed, followBuild } from "./build-hub";
import { checkBuildsConfigured } from "./builder";
import { runBuild } from "./ensure-built";
import { findBuild } from "./list-builds";

// An administrator's rebuild (BinderHub users ask for it: a base image or a dependency changed
// under an unchanged commit). The commit of an earlier build is built again although its image
// exists, as a new build row that waits its turn in the queue like any other. It runs in this
// process without a viewer; the console follows it like any other build. The repository is
// checked against today's allow/deny lists, as a launch would be.

export async function rebuildImage(actor: Actor, fromId: string): Promise<{ id: string; imageName: string }> {
  checkBuildsConfigured();
  const from = await findBuild(fromId);
  const provider = from.provider as Provider;
  const prepared = await prepareLaunch(provider, buildSpec(provider, from.repo, from.commit));
  const imageName = prepared.imageName;
  const active = await db().build.findFirst({ where: { imageName, state: { in: ["queued", "building"] } }, select: { id: true } });
  if (active || buildsFollowed().includes(imageName)) {
    throw new AppError("conflict", "This commit is being built already (queued or running). Wait for that build to end, or cancel it, then rebuild.");
  }
  const req = { imageName, commit: prepared.commit, fetchUrl: prepared.fetchUrl, provider: prepared.source.provider, repo: prepared.source.repo };
  const id = await new Promise<string>((resolve, reject) => {
    let claimed = false;
    const done = followBuild(
      imageName,
      (push, viewers) => runBuild(req, actor.name, push, viewers, { force: true, detached: true, onClaimed: (rowId) => ((claimed = true), resolve(rowId)) }),
      () => undefined,
      new AbortController().signal,
    );
    done.catch((err: unknown) => {
      if (!claimed) reject(err);
      else log.info("rebuild ended without an image", { image: imageName, error: err instanceof Error ? err.message : String(err) });
    });
  });
  await recordEvent(actor, { action: "rebuild", details: { build: id, from: fromId, provider: req.provider, repo: req.repo, commit: req.commit, image: imageName } });
  return { id, imageName };
}
