import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../helpers";

// The two servers the compatibility tests talk to over HTTP: a real JupyterHub (Debian's 3.0, with
// configurable-http-proxy) and a real Berth (server.ts on the production build, local runtime).
// Each runs in its own process group, so stopping it stops what it started.

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface Running {
  url: string;
  dir: string;
  log: string;
  stop(): Promise<void>;
}

async function waitFor(url: string, exited: () => string | null, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = exited();
    if (why) throw new Error(why);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s.`);
}

function startGroup(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string | undefined>; log: string }) {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const out = createWriteStream(opts.log);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  let exit: string | null = null;
  child.on("exit", (code, signal) => {
    exit = `${cmd} exited during start-up (code ${code}, signal ${signal}); its log is ${opts.log}:\n${tail(opts.log)}`;
  });
  return { child, exited: () => exit };
}

/** Starts a service in its own process group and waits for `health` to answer; stopping it removes `dir`. */
async function startService(
  cmd: string,
  args: string[],
  o: { cwd: string; env: Record<string, string | undefined>; dir: string; log: string; url: string; health: string; what: string; timeoutMs: number; graceMs: number },
): Promise<Running> {
  const { child, exited } = startGroup(cmd, args, o);
  try {
    await waitFor(`${o.url}${o.health}`, exited, o.what, o.timeoutMs);
  } catch (err) {
    await stopGroup(child, 5_000);
    throw err;
  }
  return {
    url: o.url,
    dir: o.dir,
    log: o.log,
    async stop() {
      await stopGroup(child, o.graceMs);
      rmSync(o.dir, { recursive: true, force: true });
    },
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-3000);
  } catch {
    return "";
  }
}

async function stopGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, graceMs);
  await gone;
  clearTimeout(timer);
  // Whatever the group leader left behind (a proxy, a notebook server).
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // none
  }
}

export const HUB_ADMIN_TOKEN = "compat-admin-0123456789abcdef0123456789abcdef";
export const HUB_READER_TOKEN = "compat-reader-0123456789abcdef0123456789abcdef";

/**
 * JupyterHub on loopback: DummyAuthenticator with users alice and bob (or `users`; "any" lets anyone in), SimpleLocalProcessSpawner
 * running jupyterhub-singleuser (Debian's jupyter-notebook underneath), named servers on with a
 * limit, sqlite in a temporary folder, and two services with tokens from the config: "compat"
 * (list and read users, start and stop servers, manage tokens) and "reader" (read only).
 * `extraConfig` is appended to the generated jupyterhub_config.py (the benchmarks' own settings).
 */
export async function startJupyterHub(opts: { namedServerLimit: number; users?: string[] | "any"; extraConfig?: string }): Promise<Running> {
  const users = opts.users ?? ["alice", "bob"];
  const dir = mkdtempSync(path.join(tmpdir(), "berth-jupyterhub-"));
  const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const config = `
c = get_config()
c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = ${port}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = ${hubPort}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${apiPort}'
c.ConfigurableHTTPProxy.pid_file = ${JSON.stringify(path.join(dir, "proxy.pid"))}
c.JupyterHub.db_url = ${JSON.stringify(`sqlite:///${path.join(dir, "jupyterhub.sqlite")}`)}
c.JupyterHub.cookie_secret_file = ${JSON.stringify(path.join(dir, "cookie_secret"))}
c.JupyterHub.pid_file = ${JSON.stringify(path.join(dir, "jupyterhub.pid"))}
c.JupyterHub.authenticator_class = 'dummy'
${users === "any" ? "" : `c.Authenticator.allowed_users = {${users.map((u) => `'${u}'`).join(", ")}}`}
c.JupyterHub.spawner_class = 'simple'
c.SimpleLocalProcessSpawner.home_dir_template = ${JSON.stringify(path.join(dir, "home", "{username}"))}
c.Spawner.cmd = ['jupyterhub-singleuser']
# The suite may run as root; jupyter-notebook refuses that unless told.
c.Spawner.args = ['--allow-root']
c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = ${opts.namedServerLimit}
c.JupyterHub.services = [
    {'name': 'compat', 'api_token': '${HUB_ADMIN_TOKEN}'},
    {'name': 'reader', 'api_token': '${HUB_READER_TOKEN}'},
]
c.JupyterHub.load_roles = [
    {'name': 'compat', 'services': ['compat'], 'scopes': ['list:users', 'read:users', 'servers', 'tokens']},
    {'name': 'reader', 'services': ['reader'], 'scopes': ['list:users', 'read:users', 'read:servers']},
]
${opts.extraConfig ?? ""}
`;
  writeFileSync(path.join(dir, "jupyterhub_config.py"), config);
  const log = path.join(dir, "jupyterhub.log");
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: dir,
    LANG: "C.UTF-8",
    // Debian's configurable-http-proxy finds its modules there; a Node.js not from Debian does
    // not look there by itself.
    NODE_PATH: ["/usr/share/nodejs", "/usr/lib/nodejs", process.env.NODE_PATH].filter(Boolean).join(":"),
  };
  return startService("jupyterhub", ["-f", path.join(dir, "jupyterhub_config.py")], { cwd: dir, env, dir, log, url: `http://127.0.0.1:${port}`, health: "/hub/api/", what: "JupyterHub", timeoutMs: 90_000, graceMs: 20_000 });
}

/**
 * Berth as it runs in production (`npm start`: scripts/start.mjs on the `next build` output, local runtime),
 * against the test database the calling file set up.
 */
export async function startBerth(opts: { databaseUrl: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), "berth-compat-"));
  // Run as root, Berth starts servers under uids of their own, which must pass through every
  // folder above the data folder to reach their workspace; mkdtemp makes this one 0700.
  chmodSync(dir, 0o711);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = path.join(dir, "berth.log");
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: opts.databaseUrl,
    PORT: String(port),
    BERTH_HOST: "127.0.0.1",
    BERTH_PUBLIC_URL: url,
    BERTH_DATA_DIR: path.join(dir, "data"),
    BERTH_CGROUP_ROOT: path.join(dir, "no-cgroups"),
    BERTH_LOG_LEVEL: "warn",
    // Stopping this Berth ends the servers it started (they would outlive it otherwise).
    BERTH_STOP_SERVERS_ON_SHUTDOWN: "true",
    ...(opts.env ?? {}),
  };
  // What `npm start` runs: the compiled server (built here when missing or stale). nodeArgs: options
  // for the server's Node, e.g. --cpu-prof, which NODE_OPTIONS refuses.
  return startService(process.execPath, [...(opts.nodeArgs ?? []), "scripts/start.mjs"], { cwd: ROOT, env, dir, log, url, health: "/health", what: "Berth", timeoutMs: 120_000, graceMs: 30_000 });
}
