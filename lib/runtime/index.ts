import { config, type Config } from "../config";
import { shared } from "../shared";
import { KubeRuntime, type KubeRuntimeOptions } from "./kubernetes/kube-runtime";
import { parseJupyterCommand } from "./local/jupyter-command";
import { LocalRuntime, type LocalRuntimeOptions } from "./local/local-runtime";
import type { Runtime } from "./types";

export type { Runtime } from "./types";

export function kubeRuntimeOptions(c: Config = config()): KubeRuntimeOptions {
  const k = c.kubernetes;
  return {
    kubeconfig: k.kubeconfig,
    namespace: k.namespace,
    image: k.image,
    imagePullPolicy: k.imagePullPolicy,
    storageClass: k.storageClass,
    cpuRequest: k.cpuRequest,
    memoryRequest: k.memoryRequest,
    // In an image the command is known; JupyterLab is what people expect.
    jupyter: parseJupyterCommand(c.jupyterCommand ?? "jupyter lab"),
    startTimeoutMs: c.policy.startTimeoutSeconds * 1000,
    orphanClaimGraceMs: k.orphanPvcGraceSeconds * 1000,
    builds: { namespace: k.buildNamespace, builds: c.builds, registry: c.registry },
  };
}

export function runtime(): Runtime {
  return shared<Runtime>("runtime", () => {
    const c = config();
    if (c.runtime === "kubernetes") return new KubeRuntime(kubeRuntimeOptions(c));
    return new LocalRuntime(localRuntimeOptions(c));
  });
}

/** The options the local runtime gets from the configuration. */
export function localRuntimeOptions(c: Config = config()): LocalRuntimeOptions {
  return {
    dataDir: c.dataDir,
    jupyterCommand: c.jupyterCommand,
    cgroupRoot: c.cgroupRoot,
    startTimeoutMs: c.policy.startTimeoutSeconds * 1000,
    hostEnv: c.hostEnv,
    uidBase: c.localUidBase,
    uidClaimsDir: c.localUidClaimsDir,
    stopServersOnShutdown: c.stopServersOnShutdown,
  };
}

