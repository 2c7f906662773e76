// Starts a throwaway Kubernetes v1.20.2 control plane (etcd + kube-apiserver +
// kube-controller-manager, no kubelet/scheduler) on loopback, for tests.
// Build the binaries first with scripts/k8s/build-control-plane.sh.
//
//   import { startControlPlane } from "./scripts/k8s/start-control-plane.mjs";
//   const cp = await startControlPlane({ dir: "/tmp/k8s-test" });
//   // cp.server, cp.caFile, cp.adminToken, cp.kubeconfigPath
//   await waitForServiceAccount(cp, "my-namespace"); // before creating pods in a new namespace
//   await cp.stop();
//
//   node scripts/k8s/start-control-plane.mjs <dir>      # CLI: runs until SIGINT/SIGTERM
//
// Only Node built-ins and the openssl CLI are used.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ensurePki, kubeconfig } from "./control-plane-pki.mjs";
import { freePort, get, resolveBinary, sleep, tail } from "./process-helpers.mjs";

export { kubeconfig };

export const K8S_VERSION = "v1.20.2";
export const defaultCacheDir = () =>
  process.env.BERTH_K8S_CACHE || path.join(os.homedir(), ".cache", "berth", "k8s-v1.20.2");

const SERVICE_CIDR = "10.96.0.0/16"; // its first IP is the `kubernetes` service's (SERVICE_IP in control-plane-pki.mjs)
const ISSUER = "https://kubernetes.default.svc.cluster.local";
const FEATURE_GATES = "TTLAfterFinished=true"; // alpha in 1.20

class ProcessDied extends Error {}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager with state in `dir`.
 * @param {object} opts
 * @param {string} opts.dir            state dir (certs, tokens, etcd data, logs, admin.kubeconfig)
 * @param {string} [opts.binDir]       dir with kube-apiserver and kube-controller-manager
 * @param {string} [opts.etcd]         etcd binary (default: /usr/bin/etcd or etcd on PATH)
 * @param {number} [opts.timeoutMs]    startup timeout (default 180 s)
 * @param {string[]} [opts.apiserverArgs]          extra kube-apiserver flags
 * @param {string[]} [opts.controllerManagerArgs]  extra kube-controller-manager flags
 * @returns {Promise<{server: string, caFile: string, adminToken: string, kubeconfigPath: string,
 *   dir: string, ports: object, logs: object, stop: () => Promise<void>}>}
 */
export async function startControlPlane({
  dir,
  binDir = path.join(defaultCacheDir(), "bin"),
  etcd,
  timeoutMs = 180_000,
  apiserverArgs = [],
  controllerManagerArgs = [],
} = {}) {
  if (!dir) throw new Error("startControlPlane: `dir` is required");
  dir = path.resolve(dir);
  const apiserverBin = resolveBinary("kube-apiserver", [binDir]);
  const kcmBin = resolveBinary("kube-controller-manager", [binDir]);
  if (!apiserverBin || !kcmBin) {
    throw new Error(
      `kube-apiserver/kube-controller-manager not found in ${binDir}; run scripts/k8s/build-control-plane.sh first`,
    );
  }
  const etcdBin =
    etcd || resolveBinary("etcd", ["/usr/bin", ...(process.env.PATH || "").split(path.delimiter).filter(Boolean)]);
  if (!etcdBin) throw new Error("etcd not found; apt-get install etcd-server (or run build-control-plane.sh)");

  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  ensurePki(dir);
  const caFile = path.join(dir, "ca.crt");
  const ca = fs.readFileSync(caFile);

  // Static token for setup: user "admin" in group system:masters. Kept across restarts of a dir.
  const tokenFile = path.join(dir, "tokens.csv");
  let adminToken;
  if (fs.existsSync(tokenFile)) adminToken = fs.readFileSync(tokenFile, "utf8").split(",")[0].trim();
  if (!adminToken) {
    adminToken = randomBytes(24).toString("hex");
    fs.writeFileSync(tokenFile, `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });
  }

  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce({
        dir, apiserverBin, kcmBin, etcdBin, ca, caFile, tokenFile, adminToken, timeoutMs,
        apiserverArgs, controllerManagerArgs,
      });
    } catch (err) {
      lastError = err;
      // A free port picked above may have been taken by someone else meanwhile: retry then.
      if (!(err instanceof ProcessDied) || !/address already in use/i.test(err.message)) throw err;
    }
  }
  throw lastError;
}

async function startOnce(o) {
  const { dir, ca, caFile, adminToken } = o;
  const [etcdClient, etcdPeer, apiPort, kcmPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const server = `https://127.0.0.1:${apiPort}`;
  const f = (n) => path.join(dir, n);
  const logs = {
    etcd: f("etcd.log"),
    apiserver: f("kube-apiserver.log"),
    controllerManager: f("kube-controller-manager.log"),
  };

  const kubeconfigPath = f("admin.kubeconfig");
  fs.writeFileSync(kubeconfigPath, kubeconfig({ server, caFile, token: adminToken }), { mode: 0o600 });
  // kube-controller-manager talks to the apiserver with the admin token; with
  // --use-service-account-credentials each controller then uses its own service account.
  const kcmKubeconfig = f("controller-manager.kubeconfig");
  fs.writeFileSync(kcmKubeconfig, kubeconfig({ server, caFile, token: adminToken }), { mode: 0o600 });

  const procs = [];
  const exitHandler = () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  };
  process.on("exit", exitHandler);

  const launch = (name, bin, args, logFile) => {
    const fd = fs.openSync(logFile, "a");
    fs.writeSync(fd, `\n=== ${new Date().toISOString()} ${bin} ${args.join(" ")}\n`);
    const child = spawn(bin, args, { cwd: dir, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    const p = { name, child, logFile };
    p.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    child.on("error", (err) => fs.appendFileSync(logFile, `spawn error: ${err.message}\n`));
    procs.push(p);
    return p;
  };

  /** kube-apiserver's flags; every instance shares etcd, the PKI, the tokens and the service-account keys. */
  const apiserverFlags = (port, certDir, extra = []) => [
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    "--insecure-port=0", // 1.20 still serves plain HTTP on 127.0.0.1:8080 by default
    `--cert-dir=${certDir}`,
    `--tls-cert-file=${f("apiserver.crt")}`,
    `--tls-private-key-file=${f("apiserver.key")}`,
    `--client-ca-file=${caFile}`,
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    `--token-auth-file=${o.tokenFile}`,
    "--authorization-mode=Node,RBAC",
    `--service-account-issuer=${ISSUER}`,
    `--service-account-key-file=${f("sa.pub")}`,
    `--service-account-signing-key-file=${f("sa.key")}`,
    `--api-audiences=${ISSUER}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    `--feature-gates=${FEATURE_GATES}`,
    "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota",
    "--allow-privileged=true",
    // The apiserver cannot publish 127.0.0.1 as the `kubernetes` service endpoint (loopback
    // is rejected); without a kubelet nothing needs it, so don't reconcile it.
    "--endpoint-reconciler-type=none",
    "--profiling=false",
    "--v=1",
    ...o.apiserverArgs,
    ...extra,
  ];

  const stop = async () => {
    process.removeListener("exit", exitHandler);
    // Controller manager first, etcd last.
    for (const p of [...procs].reverse()) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      p.child.kill("SIGTERM");
      const done = await Promise.race([p.exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        p.child.kill("SIGKILL");
        await p.exited;
      }
    }
  };

  const deadline = Date.now() + o.timeoutMs;
  const checkAlive = () => {
    for (const p of procs) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new ProcessDied(
          `${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) during startup; log ${p.logFile}:\n${tail(p.logFile)}`,
        );
      }
    }
  };
  const waitFor = async (what, fn) => {
    for (;;) {
      checkAlive();
      try {
        if (await fn()) return;
      } catch {}
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (logs in ${dir})`);
      await sleep(250);
    }
  };

  try {
    launch("etcd", o.etcdBin, [
      "--name=berth",
      `--data-dir=${f("etcd-data")}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=berth=http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster-state=new",
      "--logger=zap",
      "--log-level=warn",
    ], logs.etcd);
    await waitFor("etcd", async () => {
      const r = await get(`http://127.0.0.1:${etcdClient}/health`);
      return r.status === 200 && /"health":\s*"true"/.test(r.body);
    });

    launch("kube-apiserver", o.apiserverBin, apiserverFlags(apiPort, f("apiserver-certs")), logs.apiserver);
    await waitFor("kube-apiserver /readyz", async () => (await get(`${server}/readyz`, { ca, token: adminToken })).status === 200);

    launch("kube-controller-manager", o.kcmBin, [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      "--authentication-skip-lookup=true", // no front-proxy (requestheader) CA to look up
      "--bind-address=127.0.0.1",
      `--secure-port=${kcmPort}`,
      "--port=0", // no insecure HTTP port (1.20 default 10252)
      `--cert-dir=${f("controller-manager-certs")}`,
      "--controllers=*",
      `--service-account-private-key-file=${f("sa.key")}`,
      `--root-ca-file=${caFile}`,
      "--use-service-account-credentials=true",
      `--cluster-signing-cert-file=${caFile}`,
      `--cluster-signing-key-file=${f("ca.key")}`,
      "--leader-elect=false",
      // default /usr/libexec/kubernetes/kubelet-plugins/volume/exec/ is created if missing
      `--flex-volume-plugin-dir=${f("flexvolume")}`,
      `--feature-gates=${FEATURE_GATES}`,
      "--profiling=false",
      "--v=1",
      ...o.controllerManagerArgs,
    ], logs.controllerManager);

    // Ready for tests once the controllers have populated the default namespace: its
    // `default` service account with its token secret (needed to admit pods in 1.20).
    await waitFor("service account default/default with a token", async () => {
      const r = await get(`${server}/api/v1/namespaces/default/serviceaccounts/default`, { ca, token: adminToken });
      return r.status === 200 && (JSON.parse(r.body).secrets || []).length > 0;
    });
  } catch (err) {
    await stop();
    throw err;
  }

  let extra = 0;
  /**
   * Another kube-apiserver on the same etcd (as in a highly available control plane): a client
   * given its own API server has that server's /metrics (apiserver_request_total) to itself.
   * Stopped by stop(), before the first one.
   */
  const addApiserver = async ({ apiserverArgs = [], timeoutMs = o.timeoutMs } = {}) => {
    const n = ++extra;
    const logFile = f(`kube-apiserver-${n + 1}.log`);
    let lastError;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const p = launch(`kube-apiserver-${n + 1}`, o.apiserverBin, apiserverFlags(port, f(`apiserver-${n + 1}-certs`), apiserverArgs), logFile);
      const url = `https://127.0.0.1:${port}`;
      const until = Date.now() + timeoutMs;
      try {
        for (;;) {
          if (p.child.exitCode !== null || p.child.signalCode !== null) throw new ProcessDied(`${p.name} exited during startup; log ${logFile}:\n${tail(logFile)}`);
          const ok = await get(`${url}/readyz`, { ca, token: adminToken }).then((r) => r.status === 200, () => false);
          if (ok) return { server: url, log: logFile };
          if (Date.now() > until) throw new Error(`timed out waiting for ${p.name} /readyz (log ${logFile})`);
          await sleep(250);
        }
      } catch (err) {
        lastError = err;
        if (!(err instanceof ProcessDied) || !/address already in use/i.test(err.message)) throw err;
      }
    }
    throw lastError;
  };

  return {
    server,
    caFile,
    adminToken,
    kubeconfigPath,
    dir,
    version: K8S_VERSION,
    ports: { apiserver: apiPort, etcdClient, etcdPeer, controllerManager: kcmPort },
    logs,
    stop,
    addApiserver,
  };
}

/**
 * Waits until a namespace's service account has its token secret. In 1.20 the ServiceAccount
 * admission plugin rejects pods until then ("No API token found for service account
 * \"default\", retry after the token is automatically created…"), which is typically the
 * case for about a second after the namespace is created.
 */
export async function waitForServiceAccount(cp, namespace, name = "default", timeoutMs = 30_000) {
  const ca = fs.readFileSync(cp.caFile);
  const url = `${cp.server}/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await get(url, { ca, token: cp.adminToken });
      if (r.status === 200 && (JSON.parse(r.body).secrets || []).length > 0) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for service account ${namespace}/${name}`);
    await sleep(100);
  }
}

// CLI
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const dir = process.argv[2] || fs.mkdtempSync(path.join(os.tmpdir(), "berth-k8s-"));
  const t0 = Date.now();
  try {
    const cp = await startControlPlane({ dir });
    console.log(`Kubernetes ${K8S_VERSION} control plane ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    console.log(`  server:     ${cp.server}`);
    console.log(`  kubeconfig: ${cp.kubeconfigPath}`);
    console.log(`  logs:       ${cp.dir}/*.log`);
    console.log(`  export KUBECONFIG=${cp.kubeconfigPath}`);
    console.log("Ctrl-C (SIGINT) or SIGTERM stops it.");
    let stopping = false;
    const shutdown = async (sig) => {
      if (stopping) return;
      stopping = true;
      console.log(`${sig}: stopping…`);
      await cp.stop();
      console.log("stopped");
      process.exit(0);
    };
    process.on("SIGINT", () => shutdown("SIGINT"));
    process.on("SIGTERM", () => shutdown("SIGTERM"));
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
