import { config } from "../config";
import { shared } from "../shared";
import { LocalRuntime } from "./local/local-runtime";
import type { Runtime } from "./types";

export type { Runtime } from "./types";

export function runtime(): Runtime {
  return shared<Runtime>("runtime", () => {
    const c = config();
    return new LocalRuntime({
      dataDir: c.dataDir,
      jupyterCommand: c.jupyterCommand,
      cgroupRoot: c.cgroupRoot,
      startTimeoutMs: c.policy.startTimeoutSeconds * 1000,
      hostEnv: c.hostEnv,
    });
  });
}

