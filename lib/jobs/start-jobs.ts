import { config } from "../config";
import { databaseUrl } from "../db/client";
import { log } from "../log";
import { pruneAttempts } from "../auth/signin-attempts";
import { pruneSessions } from "../auth/user-sessions";
import { flushActivity } from "../proxy/activity";
import { cullIdle } from "./cull-idle";
import { settleAbandonedBuilds } from "../launch/builds/build-queue";
import { runtime } from "../runtime";
import { reconcileServers } from "./reconcile-servers";
import { leaderElection } from "./leader";

export function startJobs() {
  const c = config();
  // Every replica flushes the activity it saw itself.
  const flush = setInterval(() => void flushActivity(), c.activityFlushSeconds * 1000);
  let cull: NodeJS.Timeout | undefined;
  let prune: NodeJS.Timeout | undefined;
  let reconcile: NodeJS.Timeout | undefined;
  const runReconcile = (first: boolean) => {
    void reconcileServers({ resumeAfterMs: first ? 0 : undefined }).catch((err) => log.warn("reconciler failed", { error: String(err) }));
    // Builds whose follower went away (a replica stopped) no longer count against the limit.
    void settleAbandonedBuilds(runtime().kind, 300).catch((err) => log.warn("could not settle abandoned builds", { error: String(err) }));
    void runtime()
      .housekeeping()
      .catch((err) => log.warn("runtime housekeeping failed", { error: String(err) }));
  };
  const election = leaderElection(databaseUrl(), (leader) => {
    clearInterval(cull);
    clearInterval(prune);
    clearInterval(reconcile);
    if (leader) {
      runReconcile(true);
      reconcile = setInterval(() => runReconcile(false), c.kubernetes.reconcileIntervalSeconds * 1000);
      prune = setInterval(() => {
        void pruneAttempts().catch((err) => log.warn("could not prune sign-in attempts", { error: String(err) }));
        void pruneSessions().catch((err) => log.warn("could not prune ended sessions", { error: String(err) }));
      }, 3600_000);
      cull = setInterval(() => {
        void flushActivity()
          .then(() => cullIdle())
          .catch((err) => log.warn("idle culler failed", { error: String(err) }));
      }, c.cullIntervalSeconds * 1000);
    }
  });
  return {
    async stop() {
      clearInterval(flush);
      clearInterval(cull);
      clearInterval(prune);
      clearInterval(reconcile);
      await election.stop();
      await flushActivity();
    },
  };
}
