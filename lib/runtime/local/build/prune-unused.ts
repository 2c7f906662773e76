import { config } from "../../../config";
import { db } from "../../../db/client";
import { pruneLocalBuilds } from "./prune-builds";

/** The leader's periodic clean-up: environments of commits no server was launched on. */
export async function pruneUnusedBuilds(keepMs = config().localBuild.keepMs): Promise<string[]> {
  const c = config();
  const rows = await db().server.findMany({ where: { launchCommit: { not: null } }, select: { launchCommit: true } });
  return pruneLocalBuilds(c.dataDir, keepMs, new Set(rows.map((r) => r.launchCommit!)));
}
