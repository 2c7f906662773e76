import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cp } from "node:fs/promises";
import path from "node:path";
import { readBuilt } from "../../runtime/local/build/build-local";
import type { JupyterCommand } from "./jupyter-command";

// A launched repository on the local runtime: Jupyter runs on the Python environment built for
// the commit, and the workspace gets the commit's files. The first start copies everything (the
// repository plus what postBuild left in its HOME), as the Kubernetes init container copies the
// image's home into a new volume. A later start on another commit adds the new commit's files
// without overwriting any the person has (the workspace is theirs; storage is kept on restart).

export interface LaunchEnvironment {
  envDir: string;
  /** Jupyter as the environment's Python runs it, so the notebook's kernel is that Python too. */
  command: JupyterCommand;
  /** Berth copied files into the workspace on this start (as root: they are re-owned after). */
  copied: boolean;
}

/** The file beside the workspace that names the commit its files came from. */
export const sourceMarker = (workspace: string) => `${workspace}.source`;

export async function prepareLaunchEnvironment(opts: { dataDir: string; commit: string; workspace: string; hostCommand: JupyterCommand; configured: boolean; onProgress: (m: string) => void }): Promise<LaunchEnvironment> {
  const built = readBuilt(opts.dataDir, opts.commit);
  if (!built) {
    throw new Error(`The environment built for commit ${opts.commit.slice(0, 12)} is no longer on this machine. Launch the repository again to rebuild it.`);
  }
  const marker = sourceMarker(opts.workspace);
  const previous = existsSync(marker) ? readFileSync(marker, "utf8").trim() : undefined;
  const copied = previous !== opts.commit;
  if (copied) {
    opts.onProgress(previous === undefined ? "Copying the repository's files into your home folder" : `Adding the files of commit ${opts.commit.slice(0, 12)} (yours are kept)`);
    for (const from of [built.homeDir, built.repoDir]) {
      if (!existsSync(from)) continue;
      // force: false leaves every file the person already has as it is, even on a first launch
      // into a server they used before. Asynchronous: a large repository must not stall the
      // proxy, which shares this process. When Berth is root and the workspace belongs to a
      // server's uid, no process of that uid runs now (LocalRuntime.identity ends them), and cp
      // looks at existing destinations with lstat: a symbolic link the person left where the
      // repository has a folder makes the copy fail rather than write through the link.
      await cp(from, opts.workspace, { recursive: true, force: false, errorOnExist: false, preserveTimestamps: true });
    }
    writeFileSync(marker, `${opts.commit}\n`);
  }
  const python = path.join(built.envDir, "bin", "python");
  // A configured command is the operator's choice and is kept; otherwise the same application the
  // host would run, started by the environment's Python.
  const command: JupyterCommand = opts.configured
    ? opts.hostCommand
    : { argv: [python, "-m", opts.hostCommand.app === "ServerApp" ? "jupyterlab" : "notebook"], app: opts.hostCommand.app };
  return { envDir: built.envDir, command, copied };
}
