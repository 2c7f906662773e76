import { accessSync, constants } from "node:fs";
import path from "node:path";
import { jupyterAuthArgs } from "../jupyter-auth/jupyter-auth";

export interface JupyterCommand {
  argv: string[];
  /** "ServerApp" for Jupyter Server (lab), "NotebookApp" for classic Notebook 6 */
  app: "ServerApp" | "NotebookApp";
}

export function onPath(bin: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, bin);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

// A configured command is split on white space and run without a shell.
export function parseJupyterCommand(configured: string): JupyterCommand {
  const argv = configured.trim().split(/\s+/);
  const isLab = argv.some((a) => /(^|\/)jupyter-lab$|^lab$|jupyter-server|^server$/.test(a));
  return { argv, app: isLab ? "ServerApp" : "NotebookApp" };
}

export function resolveJupyterCommand(configured: string | undefined, pathVar: string): JupyterCommand {
  if (configured) return parseJupyterCommand(configured);
  const lab = onPath("jupyter-lab", pathVar);
  if (lab) return { argv: [lab], app: "ServerApp" };
  const nb = onPath("jupyter-notebook", pathVar);
  if (nb) return { argv: [nb], app: "NotebookApp" };
  throw new Error(
    "No Jupyter found on PATH: install JupyterLab (`pip install jupyterlab`) or Notebook (`apt-get install jupyter-notebook python3-ipykernel`), or set BERTH_JUPYTER_COMMAND.",
  );
}

export function jupyterArgs(cmd: JupyterCommand, opts: { port: number; baseUrl: string; root: string; allowRoot?: boolean; ip?: string }): string[] {
  const a = cmd.app;
  return [
    ...cmd.argv,
    "--no-browser",
    `--${a}.ip=${opts.ip ?? "127.0.0.1"}`,
    `--${a}.port=${opts.port}`,
    `--${a}.port_retries=0`,
    `--${a}.base_url=${opts.baseUrl}`,
    `--${a}.${a === "ServerApp" ? "root_dir" : "notebook_dir"}=${opts.root}`,
    // Only Berth's proxy reaches this server (it listens on loopback and wants the proxy's header). Requests
    // keep the browser's Host header (Berth's public name, which Jupyter also checks a WebSocket's
    // Origin against), and Jupyter's local-access check would refuse every such request with 403.
    `--${a}.allow_remote_access=True`,
    // Jupyter refuses to start as root unless told; when Berth itself runs as root (a container),
    // its servers necessarily do too.
    ...(opts.allowRoot ? [`--${a}.allow_root=True`] : []),
    // Berth's proxy authenticates with a header; Jupyter's own token (which its pages would
    // show) is off.
    ...jupyterAuthArgs(a),
  ];
}
