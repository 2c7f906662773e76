import { hardenDataDir, unreachableBecause } from "./isolation";
import { killAllShared, serverProcessesShared } from "./server-processes";
import type { ServerUids } from "./server-uids";

/**
 * The uid and group a server runs as when Berth is root, after closing the data folder and ending
 * any process still running as that uid (Berth is about to write into its workspace as root;
 * nothing of the server's may change it meanwhile).
 */
export async function serverIdentity(uids: ServerUids, dataDir: string, runtimeDir: string, serverId: string): Promise<{ uid: number; gid: number }> {
  const closed = unreachableBecause(dataDir);
  if (closed) {
    throw new Error(
      `Servers run under users of their own, which cannot enter ${closed} to reach the data folder ${dataDir}. ` +
        `An administrator moves BERTH_DATA_DIR to a folder every user can pass through (such as /var/lib/berth), or lets others pass with chmod o+x ${closed}.`,
    );
  }
  hardenDataDir(dataDir);
  const uid = uids.uidFor(serverId);
  // The same search as the runtime's clean-up of leftovers, through a pass over /proc that starts arriving together share.
  await killAllShared(() => serverProcessesShared(runtimeDir, uid));
  return { uid, gid: uid };
}
