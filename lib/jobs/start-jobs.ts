import { config } from "../config";
import { databaseUrl } from "../db/client";
import { log } from "../log";
import { flushActivity } from "../proxy/activity";
import { cullIdle } from "./cull-idle";
import { leaderElection } from "./leader";

export function startJobs() {
  const c = config();
  // Every replica flushes the activity it saw itself.
  const flush = setInterval(() => void flushActivity(), c.activityFlushSeconds * 1000);
  let cull: NodeJS.Timeout | undefined;
  const election = leaderElection(databaseUrl(), (leader) => {
    clearInterval(cull);
    if (leader) {
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
      await election.stop();
      await flushActivity();
    },
  };
}
