import http from "node:http";
import { mkdirSync } from "node:fs";
import { parse } from "node:url";
import next from "next";
import { config } from "../config";
import { closeDb, connectDatabase } from "../db/client";
import { findRunningEmbeddedDb, startEmbeddedDb, type EmbeddedDb } from "../db/embedded";
import { applyMigrations } from "../db/migrate";
import { announceInstance, describeDatabase, ensureInstallationId } from "../db/installation";
import { authSecret } from "../auth/secret";
import { clientAddress, clientAddressHeader } from "../auth/client-address";
import { issueSetupTokenIfNoUsers } from "../auth/setup-admin";
import { refuseBadPath, requestPathProblem } from "../http/request-target";
import { startJobs } from "../jobs/start-jobs";
import { log } from "../log";
import { createProxy } from "../proxy/proxy";
import { createUserHostHandler } from "../proxy/user-host-proxy";
import { BAR_PATH_PREFIX, serveBarAsset } from "../proxy/berth-bar";
import { matchUserHost } from "../user-hosts/host";
import { settleAbandonedBuilds } from "../launch/builds/build-queue";
import { shutdownBuilder } from "../launch/builds/builder";
import { hubApiRootUrl } from "../hub-api/root-path";
import { detachOnShutdown, recoverAfterRestart, watchRuntimeExits } from "../servers/lifecycle";
import { runtime } from "../runtime";

// One process: Next.js for pages and API, the proxy for /user/* (HTTP and WebSocket upgrades,
// which Next's route handlers cannot do), and the background jobs.

export async function main(opts: { dev: boolean; dir: string }) {
  // How long each start-up step took (logged with "Berth is listening"; bench/startup.bench.ts).
  const steps: Record<string, number> = { load: Math.round(performance.now()) };
  let last = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    steps[name] = Math.round(now - last);
    last = now;
  };
  const c = config();
  mkdirSync(c.dataDir, { recursive: true });

  // Next.js prepares its build output while the database starts, migrates and recovers: the two
  // do not depend on each other, and neither serves a request before both are done.
  const nextReady = (async () => {
    const t = performance.now();
    const app = next({ dev: opts.dev, dir: opts.dir, hostname: c.host, port: c.port });
    await app.prepare();
    steps.nextPrepare = Math.round(performance.now() - t);
    return app;
  })();
  // Awaited below; until then a failure must not count as unhandled (the database's error wins).
  nextReady.catch(() => undefined);

  let embedded: EmbeddedDb | undefined;
  let url = c.databaseUrl;
  if (!url) {
    if (await findRunningEmbeddedDb(c.dataDir)) {
      throw new Error(`Another Berth is already running with the data folder ${c.dataDir}. Stop it first, or set BERTH_DATA_DIR to another folder.`);
    }
    embedded = await startEmbeddedDb(c.dataDir);
    url = embedded.url;
    log.info("embedded database ready", { folder: c.dataDir });
    step("embeddedDb");
  }
  connectDatabase(url, { embedded: Boolean(embedded) });
  const applied = await applyMigrations(url);
  step("migrations");
  if (applied.length) log.info("database migrations applied", { migrations: applied });
  // Where this Berth runs, for the CLI to compare with (lib/db/installation.ts).
  const withdrawInstance = announceInstance({ installationId: await ensureInstallationId(url), dataDir: c.dataDir, database: describeDatabase(c.databaseUrl, c.dataDir), external: Boolean(c.databaseUrl) });
  authSecret();
  step("installation");

  const recovered = await recoverAfterRestart();
  // Builds that ran inside the last process (local) ended with it.
  if (runtime().buildsInProcess) await settleAbandonedBuilds(runtime().kind, 0);
  if (recovered.kept || recovered.ended) log.info("servers left running by an earlier Berth process", { keptRunning: recovered.kept, ended: recovered.ended });
  watchRuntimeExits();
  step("recovery");

  const app = await nextReady;
  step("nextWait");
  const handle = app.getRequestHandler();
  const upgradeNext = app.getUpgradeHandler();
  const proxy = createProxy();
  const userHosts = createUserHostHandler(proxy);

  const server = http.createServer((req, res) => {
    const reqUrl = req.url ?? "/";
    // The Berth bar's script and style, on Berth's host and every user host (lib/proxy/berth-bar.ts).
    if (reqUrl.startsWith(BAR_PATH_PREFIX) && serveBarAsset(req, res)) return;
    // With BERTH_USER_SERVERS_HOST a person's host serves their servers and nothing of Berth's.
    const label = matchUserHost(req.headers.host);
    if (label !== null) {
      userHosts.web(req, res, label).catch((err) => {
        log.error("proxy failed", { error: String(err) });
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    if (reqUrl.startsWith("/user/") && c.userServersHost) {
      userHosts.onBerthHost(req, res);
      return;
    }
    if (reqUrl.startsWith("/user/")) {
      proxy.web(req, res).catch((err) => {
        log.error("proxy failed", { error: String(err) });
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    // Next.js answers a malformed escape with a plain-text 500: say what is wrong first.
    const problem = requestPathProblem(reqUrl);
    if (problem) return refuseBadPath(req, res, problem);
    req.headers[clientAddressHeader] = clientAddress(req, c.trustProxy);
    req.url = hubApiRootUrl(reqUrl);
    void handle(req, res, parse(req.url, true));
  });
  server.on("upgrade", (req, socket, head) => {
    const label = matchUserHost(req.headers.host);
    if (label !== null) {
      userHosts.ws(req, socket, head, label).catch(() => socket.destroy());
    } else if ((req.url ?? "").startsWith("/user/") && c.userServersHost) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    } else if ((req.url ?? "").startsWith("/user/")) {
      proxy.ws(req, socket, head).catch(() => socket.destroy());
    } else {
      void upgradeNext(req, socket, head);
    }
  });
  // Jupyter's websockets and long polls are long-lived; Node's defaults would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(c.port, c.host, () => resolve());
  });
  step("listen");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : c.port;
  const jobs = startJobs();
  log.info("Berth is listening", { startupMs: { ...steps, total: Math.round(performance.now()) }, url: `http://${c.host.includes(":") ? `[${c.host}]` : c.host}:${port}`, publicUrl: c.publicUrl, runtime: c.runtime, database: embedded ? "embedded" : "external" });

  // With Jira only, administrators come from JIRA_ADMIN_GROUPS; a local setup link would be a back door.
  const setupToken = c.localAccounts ? await issueSetupTokenIfNoUsers() : undefined;
  if (setupToken) {
    // The one place a secret is printed on purpose: the operator needs it to create the first
    // administrator, and it stops working the moment that account exists.
    process.stdout.write(`\nNo users yet. Create the first administrator here (this link works once):\n  ${c.publicUrl}/setup?token=${setupToken}\n\n`);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info("shutting down", { signal });
    server.close();
    server.closeAllConnections();
    await jobs.stop().catch(() => undefined);
    shutdownBuilder();
    // Servers keep running; the next Berth process takes them over (lib/servers/lifecycle.ts).
    await detachOnShutdown().catch((err) => log.error("could not stop watching servers", { error: String(err) }));
    proxy.close();
    await app.close().catch(() => undefined);
    await closeDb();
    await embedded?.stop();
    withdrawInstance();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  return { port };
}
