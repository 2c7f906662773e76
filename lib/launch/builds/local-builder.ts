import { config } from "../../config";
import { buildLocal, readBuilt } from "../local-build/build-local";
import type { Builder, BuildRequest } from "./types";

// The local runtime's builds: a checkout of the commit plus its Python environment under the data
// folder (lib/launch/local-build). "Built" means that environment is finished on this machine.
export class LocalBuilder implements Builder {
  readonly kind = "local" as const;

  async isBuilt(req: BuildRequest): Promise<boolean> {
    return readBuilt(config().dataDir, req.commit) !== undefined;
  }

  async build(req: BuildRequest, onLog: (line: string) => void, signal: AbortSignal): Promise<void> {
    // A local build runs in this process; leaving does not stop it (another viewer may come), so
    // the signal only stops the lines.
    await buildLocal({ commit: req.commit, fetchUrl: req.fetchUrl, onLog: (l) => signal.aborted || onLog(l) });
  }
}
