import type { CoreV1Api } from "@kubernetes/client-node";
import { config } from "../config";
import { db } from "../db/client";
import { AppError } from "../errors";
import { pingRegistry, type RegistrySettings } from "../registry/registry";
import { log } from "../log";
import { shared } from "../shared";

// What /health reports: each dependency Berth needs to serve, checked with a deadline so the
// endpoint always answers within a few seconds. Messages are short reasons an operator can act
// on; error text from libraries (addresses, stack traces) stays in the log.

export type CheckName = "database" | "registry" | "cluster";

export interface CheckResult {
  ok: boolean;
  /** how long the check took */
  durationMs: number;
  /** why it failed; absent when ok */
  message?: string;
}

export interface HealthReport {
  ok: boolean;
  checks: Partial<Record<CheckName, CheckResult>>;
}

export const CHECK_TIMEOUT_MS = 3000;

class Timeout extends Error {}

const SUBJECT: Record<CheckName, string> = { database: "The database", registry: "The container registry", cluster: "The Kubernetes API" };

/** Runs one check: undefined from `fn` means healthy, a string is the reason it is not. */
async function timed(name: CheckName, fn: () => Promise<string | undefined>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), timeoutMs);
  });
  let message: string | undefined;
  try {
    message = await Promise.race([fn(), deadline]);
  } catch (err) {
    if (err instanceof Timeout) message = `${SUBJECT[name]} did not answer within ${timeoutMs / 1000} s.`;
    else {
      log.warn("health check failed unexpectedly", { check: name, error: err instanceof Error ? err.message : String(err) });
      message = `Checking ${SUBJECT[name].replace(/^The/, "the")} failed unexpectedly; see Berth's log.`;
    }
  } finally {
    clearTimeout(timer);
  }
  const durationMs = Math.round(performance.now() - started);
  return message === undefined ? { ok: true, durationMs } : { ok: false, durationMs, message };
}

async function checkDatabase(): Promise<string | undefined> {
  try {
    await db().$queryRaw`SELECT 1`;
    return undefined;
  } catch (err) {
    log.warn("health: the database did not answer", { error: err instanceof Error ? err.message : String(err) });
    return "The database is not answering.";
  }
}

async function checkRegistry(settings: RegistrySettings, timeoutMs: number): Promise<string | undefined> {
  const ping = await pingRegistry({ ...settings, timeoutMs: Math.min(settings.timeoutMs, timeoutMs) });
  return ping.ok ? undefined : `The container registry is not usable: ${ping.reason}.`;
}

export interface ClusterSettings {
  kubeconfig?: string;
  namespace: string;
}

// One client per kubeconfig, loaded the way the Kubernetes runtime loads its own (a file, or the
// pod's service account), kept across checks. The client library takes seconds to load, so it is
// loaded here, on the first cluster check, not with /health itself: a Berth on the local runtime
// answers its first /health without it.
async function coreApi(kubeconfig: string | undefined): Promise<CoreV1Api> {
  const { CoreV1Api, KubeConfig } = await import("@kubernetes/client-node");
  const clients = shared("ops.kube-clients", () => new Map<string, CoreV1Api>());
  const key = kubeconfig ?? "";
  let api = clients.get(key);
  if (!api) {
    const kc = new KubeConfig();
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault();
    api = kc.makeApiClient(CoreV1Api);
    clients.set(key, api);
  }
  return api;
}

/** Undefined when Berth may list pods in its namespace (a verb its Role grants already); else why not. */
export async function checkCluster(settings: ClusterSettings = config().kubernetes): Promise<string | undefined> {
  const ns = settings.namespace;
  const { call, statusOf } = await import("../runtime/kubernetes/kube-api");
  try {
    const api = await coreApi(settings.kubeconfig);
    // One attempt: the deadline around the check is shorter than the gate's retries.
    await call("list", "pods", ns, () => api.listNamespacedPod({ namespace: ns, limit: 1 }), { attempts: 1 });
    return undefined;
  } catch (err) {
    if (err instanceof AppError && err.code === "cluster_forbidden") {
      return `Berth may not list pods in namespace "${ns}"; apply the Role in k8s/ (RBAC).`;
    }
    const status = statusOf(err);
    if (status === 401) return "The Kubernetes API refused Berth's credentials (401).";
    if (status !== undefined) return `The Kubernetes API answered ${status}.`;
    const e = err as { code?: unknown; cause?: { code?: unknown } };
    const code = [e?.cause?.code, e?.code].find((c): c is string => typeof c === "string" && /^[A-Z][A-Z_]+$/.test(c));
    log.warn("health: the Kubernetes API did not answer", { error: err instanceof Error ? err.message : String(err) });
    return `The Kubernetes API is not answering${code ? ` (${code})` : ""}.`;
  }
}

export interface HealthOptions {
  /** which checks to run; default: the database, plus the registry and cluster where configured */
  only?: CheckName[];
  timeoutMs?: number;
  registry?: RegistrySettings;
  cluster?: ClusterSettings;
  runtime?: "local" | "kubernetes";
}

/** Checks the database, the registry (when BERTH_REGISTRY_URL is set) and the cluster (on the Kubernetes runtime). */
export async function checkHealth(opts: HealthOptions = {}): Promise<HealthReport> {
  const c = config();
  const registry = opts.registry ?? c.registry;
  const cluster = opts.cluster ?? c.kubernetes;
  const timeoutMs = opts.timeoutMs ?? CHECK_TIMEOUT_MS;
  const applicable: Record<CheckName, boolean> = {
    database: true,
    registry: Boolean(registry.url),
    cluster: (opts.runtime ?? c.runtime) === "kubernetes",
  };
  const wanted = (Object.keys(applicable) as CheckName[]).filter((n) => applicable[n] && (!opts.only || opts.only.includes(n)));
  const run: Record<CheckName, () => Promise<string | undefined>> = {
    database: checkDatabase,
    registry: () => checkRegistry(registry, timeoutMs),
    cluster: () => checkCluster(cluster),
  };
  const results = await Promise.all(wanted.map(async (n) => [n, await timed(n, run[n], timeoutMs)] as const));
  const checks = Object.fromEntries(results) as HealthReport["checks"];
  return { ok: results.every(([, r]) => r.ok), checks };
}
