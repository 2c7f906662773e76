import { config } from "../../../config";
import { buildLocal, readBuilt } from "./build-local";
import { touchBuild } from "./prune-builds";
import type { Builder, BuildOptions, BuildRequest } from "../../types";

// The local runtime's builds: a checkout of the commit plus its Python environment under the data
// folder (lib/runtime/local/build). "Built" means that environment is finished on this machine.
export class LocalBuilder implements Builder {
  readonly kind = "local" as const;

  async isBuilt(req: BuildRequest): Promise<boolean> {
    const built = readBuilt(config().dataDir, req.commit) !== undefined;
    // Asked at every launch: a launched environment is kept from pruning for a while longer.
    if (built) touchBuild(config().dataDir, req.commit);
    return built;
  }

  async build(req: BuildRequest, onLog: (line: string) => void, signal: AbortSignal, opts: BuildOptions = {}): Promise<void> {
    // A local build runs in this process; leaving does not stop it (another viewer may come), so
    // the signal only stops the lines. Only an administrator's cancel stops the build.
    await buildLocal({ commit: req.commit, fetchUrl: req.fetchUrl, onLog: (l) => signal.aborted || onLog(l), signal: opts.cancel, force: opts.force });
  }
}
