import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

// How a server's Jupyter knows a request came through Berth's proxy, without a token any page
// could show: berth_jupyter_auth.py (beside this file) accepts only requests carrying the
// server's secret in PROXY_AUTH_HEADER, Jupyter's own token is empty and its login page gone.

export const PROXY_AUTH_HEADER = "x-berth-proxy-auth";
/** The variable Jupyter reads the secret from (the module removes it before any kernel starts). */
export const SECRET_ENV = "BERTH_PROXY_SECRET";
/** Kubernetes: the module's source, written to a file by the container's command. */
export const MODULE_ENV = "BERTH_JUPYTER_AUTH";
export const MODULE_NAME = "berth_jupyter_auth";
const FILE = `${MODULE_NAME}.py`;

/**
 * Headers that authenticate Berth (the proxy, readiness and activity checks) to a server's
 * Jupyter. `Authorization` carries the same secret for servers started before the header
 * existed (their Jupyter still knows it as its token); it also replaces any the browser sent,
 * which the server's code must never see.
 */
export function upstreamAuthHeaders(secret: string): Record<string, string> {
  return { [PROXY_AUTH_HEADER]: secret, authorization: `token ${secret}` };
}

/** Jupyter's options that hand authentication to the module and turn Jupyter's own token off. */
export function jupyterAuthArgs(app: "ServerApp" | "NotebookApp"): string[] {
  // /metrics would go unauthenticated with the token off: Jupyter's default follows the token.
  const server = [`--ServerApp.identity_provider_class=${MODULE_NAME}.ProxyIdentityProvider`, "--IdentityProvider.token=", "--ServerApp.authenticate_prometheus=True"];
  if (app === "ServerApp") return server;
  return [
    `--NotebookApp.login_handler_class=${MODULE_NAME}.NotebookLoginHandler`,
    "--NotebookApp.token=",
    "--NotebookApp.password=",
    "--NotebookApp.authenticate_prometheus=True",
    // A `jupyter-notebook` that is Notebook 7 runs on Jupyter Server and reads these instead.
    ...server,
  ];
}

/**
 * The module's source, read by path: a bundler would not carry a .py file along, so this looks
 * where the repository (tsx) or the image (/app, the working directory) keeps it.
 */
let source: string | undefined;
export function jupyterAuthSource(): string {
  if (source !== undefined) return source;
  const candidates = [path.resolve(process.cwd(), "lib/runtime/jupyter-auth", FILE), path.resolve(import.meta.dirname ?? ".", FILE)];
  for (const file of candidates) {
    try {
      source = readFileSync(file, "utf8");
      return source;
    } catch {
      // next candidate
    }
  }
  throw new Error(`Berth's Jupyter authenticator (${FILE}) was not found in ${candidates.join(" or ")}: run Berth from its project folder.`);
}

/**
 * Writes the module into `<dataDir>/jupyter-auth/` (Berth's, readable by a server's uid, writable
 * by none) and returns that folder, for PYTHONPATH. Replaced atomically, so a Jupyter starting
 * meanwhile never reads half a file.
 */
export function installJupyterAuth(dataDir: string): string {
  const dir = path.join(dataDir, "jupyter-auth");
  const file = path.join(dir, FILE);
  const text = jupyterAuthSource();
  let current: string | undefined;
  try {
    current = readFileSync(file, "utf8");
  } catch {
    // not written yet
  }
  if (current !== text) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, file);
  }
  return dir;
}

/**
 * A pod's command, run by `sh -c` with the Jupyter command as its arguments: writes the module
 * from MODULE_ENV into a fresh temporary folder (no custom image needed), puts that on
 * PYTHONPATH and execs Jupyter. A constant: nothing of the image or the user reaches the script.
 */
export const POD_BOOTSTRAP = [
  `d=$(mktemp -d) &&`,
  `printf '%s' "$${MODULE_ENV}" > "$d/${FILE}" &&`,
  `unset ${MODULE_ENV} &&`,
  `PYTHONPATH="$d\${PYTHONPATH:+:$PYTHONPATH}" &&`,
  `export PYTHONPATH &&`,
  `exec "$@"`,
].join(" ");
