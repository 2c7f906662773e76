import { ApiException } from "@kubernetes/client-node";
import { AppError } from "../../errors";
import { log } from "../../log";
import { shared } from "../../shared";
import { Limiter } from "./limiter";

// Every call Berth makes to the Kubernetes API goes through `call`, named by verb and resource.
// That one gate retries what is worth retrying, turns refusals into errors people can act on,
// and records which (verb, resource) pairs the runtime actually uses in which namespace — the test
// suite compares that record with the Roles in k8s/ (one for the servers' namespace, one for the
// builds'), so no Role grants more, or less, than is called there.

export type Verb = "get" | "list" | "watch" | "create" | "delete" | "patch";
export type Resource = "pods" | "persistentvolumeclaims" | "events" | "jobs" | "pods/log";
/** The API group of each resource Berth calls (the Role needs it); the rest are in the core group. */
export const API_GROUPS: Partial<Record<Resource, string>> = { jobs: "batch" };

/** `<namespace> <verb> <resource>`, e.g. `berth-builds create jobs` */
export const usedCalls = new Set<string>();

/**
 * Client-side bound on API calls in flight from this process (a watch counts only while it
 * connects): a burst of starts queues here instead of storming the API server, whose priority and
 * fairness would answer the excess with 429. Generous enough that it costs nothing in a burst
 * (32 calls at 20 ms each is ~1,600 calls/s).
 */
export const MAX_IN_FLIGHT = 32;
export const inFlight = () => shared("kubeInFlight", () => new Limiter(MAX_IN_FLIGHT));

const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "UND_ERR_SOCKET"]);

export function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const e = err as { statusCode?: number; code?: number | string; response?: { statusCode?: number } };
  if (typeof e?.statusCode === "number") return e.statusCode;
  if (typeof e?.code === "number") return e.code;
  return e?.response?.statusCode;
}

function bodyMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === "object" && "message" in body) return String((body as { message: unknown }).message);
  return (err as Error)?.message ?? String(err);
}

export function isRetryable(err: unknown): boolean {
  const status = statusOf(err);
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  // A ResourceQuota the quota controller has not counted yet refuses everything for a moment.
  if (status === 403 && /status unknown for quota/i.test(bodyMessage(err))) return true;
  if (status !== undefined) return false;
  const code = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  const name = (err as Error)?.name;
  return (code !== undefined && RETRYABLE_CODES.has(code)) || name === "AbortError" || name === "TimeoutError" || name === "FetchError";
}

/** Maps a refusal to an AppError; returns undefined for errors the caller handles (404, 409). */
export function classify(err: unknown, verb: Verb, resource: Resource, namespace: string): AppError | undefined {
  const status = statusOf(err);
  const message = bodyMessage(err);
  if (status === 403 && /exceeded quota|forbidden: exceeded/i.test(message)) {
    return new AppError("cluster_full", "The cluster is full right now: there is no room for another server within its quota. Stop a server you are not using, or try again later.");
  }
  if (status === 403) {
    log.error("Kubernetes refused a call Berth needs (RBAC)", { verb, resource, namespace, message });
    return new AppError(
      "cluster_forbidden",
      `Berth is not allowed to ${verb} ${resource} in namespace "${namespace}". An operator must grant it (apply the Role in k8s/). Nothing was changed.`,
    );
  }
  if (status === 422 || status === 400) {
    return new AppError("cluster_rejected", `Kubernetes rejected the ${resource} Berth sent: ${message}. Tell an operator.`);
  }
  return undefined;
}

/** The seconds a 429 or 503 asks the client to wait (Retry-After), if it says. */
export function retryAfterSeconds(err: unknown): number | undefined {
  const headers = (err as { headers?: Record<string, string | string[] | undefined> })?.headers;
  const raw = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const v = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** The wait before attempt `i + 1`: exponential with jitter, at least what the API server asked for. */
export function retryDelayMs(err: unknown, attempt: number, baseMs: number): number {
  const backoff = Math.min(10_000, baseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  const asked = retryAfterSeconds(err);
  return asked === undefined ? backoff : Math.max(backoff, Math.min(10_000, asked * 1000 * (1 + Math.random() / 4)));
}

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
}

export async function call<T>(verb: Verb, resource: Resource, namespace: string, fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  usedCalls.add(`${namespace} ${verb} ${resource}`);
  const attempts = opts.attempts ?? 8;
  const base = opts.baseDelayMs ?? 200;
  for (let i = 1; ; i++) {
    try {
      return await inFlight().run(fn);
    } catch (err) {
      if (i < attempts && isRetryable(err)) {
        const delay = retryDelayMs(err, i, base);
        log.debug("Kubernetes call failed; retrying", { verb, resource, attempt: i, status: statusOf(err), delayMs: Math.round(delay) });
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      throw classify(err, verb, resource, namespace) ?? err;
    }
  }
}
