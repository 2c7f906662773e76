import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jupyterArgs, onPath, resolveJupyterCommand } from "./jupyter-command";

const dirs: string[] = [];
function binDir(...names: string[]): string {
  const d = mkdtempSync(path.join(tmpdir(), "berth-bin-"));
  dirs.push(d);
  for (const n of names) {
    writeFileSync(path.join(d, n), "#!/bin/sh\n");
    chmodSync(path.join(d, n), 0o755);
  }
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("resolveJupyterCommand", () => {
  it("splits a configured command on white space and tells Notebook from Jupyter Server", () => {
    expect(resolveJupyterCommand("  /usr/bin/jupyter-notebook  --debug ", "")).toEqual({ argv: ["/usr/bin/jupyter-notebook", "--debug"], app: "NotebookApp" });
    expect(resolveJupyterCommand("/opt/venv/bin/jupyter-lab", "")).toEqual({ argv: ["/opt/venv/bin/jupyter-lab"], app: "ServerApp" });
    expect(resolveJupyterCommand("jupyter lab", "").app).toBe("ServerApp");
    expect(resolveJupyterCommand("jupyter server", "").app).toBe("ServerApp");
    expect(resolveJupyterCommand("/bin/false", "").app).toBe("NotebookApp");
  });

  it("prefers JupyterLab on PATH, then Notebook", () => {
    const nbOnly = binDir("jupyter-notebook");
    const both = binDir("jupyter-lab", "jupyter-notebook");
    expect(resolveJupyterCommand(undefined, nbOnly)).toEqual({ argv: [path.join(nbOnly, "jupyter-notebook")], app: "NotebookApp" });
    expect(resolveJupyterCommand(undefined, `${nbOnly}:${both}`)).toEqual({ argv: [path.join(both, "jupyter-lab")], app: "ServerApp" });
  });

  it("says how to install Jupyter when there is none", () => {
    expect(() => resolveJupyterCommand(undefined, binDir())).toThrow(/No Jupyter found on PATH.*BERTH_JUPYTER_COMMAND/s);
  });

  it("ignores files on PATH that are not executable", () => {
    const d = binDir();
    writeFileSync(path.join(d, "jupyter-lab"), "");
    expect(onPath("jupyter-lab", d)).toBeUndefined();
  });
});

describe("jupyterArgs", () => {
  const opts = { port: 41234, baseUrl: "/user/alice/analysis/", root: "/data/workspaces/x" };

  it("serves Notebook 6 under the base URL on loopback, from the workspace", () => {
    const a = jupyterArgs({ argv: ["/usr/bin/jupyter-notebook"], app: "NotebookApp" }, opts);
    expect(a[0]).toBe("/usr/bin/jupyter-notebook");
    expect(a).toEqual(
      expect.arrayContaining([
        "--no-browser",
        "--NotebookApp.ip=127.0.0.1",
        "--NotebookApp.port=41234",
        "--NotebookApp.port_retries=0",
        "--NotebookApp.base_url=/user/alice/analysis/",
        "--NotebookApp.notebook_dir=/data/workspaces/x",
      ]),
    );
    // Jupyter Server's names appear only as the authenticator's safety net for a Notebook 7.
    expect(a.filter((x) => x.startsWith("--ServerApp.") && !/identity_provider_class|authenticate_prometheus/.test(x))).toEqual([]);
  });

  it("uses ServerApp's names for Jupyter Server", () => {
    const a = jupyterArgs({ argv: ["jupyter", "lab"], app: "ServerApp" }, opts);
    expect(a.slice(0, 2)).toEqual(["jupyter", "lab"]);
    expect(a).toContain("--ServerApp.root_dir=/data/workspaces/x");
    expect(a).toContain("--ServerApp.base_url=/user/alice/analysis/");
  });

  it("accepts requests for Berth's public host name (the proxy keeps the browser's Host)", () => {
    expect(jupyterArgs({ argv: ["j"], app: "NotebookApp" }, opts)).toContain("--NotebookApp.allow_remote_access=True");
  });

  it("allows running as root only when asked", () => {
    expect(jupyterArgs({ argv: ["j"], app: "NotebookApp" }, opts).some((x) => x.includes("allow_root"))).toBe(false);
    expect(jupyterArgs({ argv: ["j"], app: "NotebookApp" }, { ...opts, allowRoot: true })).toContain("--NotebookApp.allow_root=True");
    expect(jupyterArgs({ argv: ["j"], app: "ServerApp" }, { ...opts, allowRoot: true })).toContain("--ServerApp.allow_root=True");
  });
});
