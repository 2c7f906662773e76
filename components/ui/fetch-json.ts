// The one way components call Berth's JSON APIs. A refusal arrives as `{error, message, …}`
// (lib/http/handler.ts; /hub/api sends `{status, message}`): the message is written for the person,
// so it is what the thrown error says. Anything else (no answer, a proxy's HTML page) gets a
// plain sentence with what to do.

export const UNREACHABLE = "Berth could not be reached. Check your connection and try again.";

/** A request Berth refused or could not answer; `message` is for the person, `status` 0 when nothing answered. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The error body's fields beyond the message: `error` (the code), `reason`, … */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "RequestError";
  }
}

export interface JsonRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Sent as JSON; a string is sent as it is (already JSON). */
  body?: unknown;
  signal?: AbortSignal;
}

/** What a refusal's body says, or a plain sentence with the status when it says nothing readable. */
export function refusalMessage(body: unknown, status: number): string {
  const m = typeof body === "object" && body !== null ? (body as { message?: unknown }).message : undefined;
  if (typeof m === "string" && m.trim()) return m;
  if (status === 401) return "Your session has ended. Sign in again, then try once more.";
  return `Berth answered ${status} without saying why. Try again; if it keeps happening, tell an administrator.`;
}

/**
 * Calls a JSON API and resolves with its answer (undefined for an empty one, such as 204); throws
 * a RequestError for a refusal or no answer. An aborted request rejects with the AbortError itself.
 */
export async function fetchJson<T = unknown>(url: string, req: JsonRequest = {}): Promise<T> {
  const hasBody = req.body !== undefined;
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method ?? "GET",
      cache: "no-store",
      signal: req.signal,
      headers: { accept: "application/json", ...(hasBody ? { "content-type": "application/json" } : {}) },
      body: hasBody ? (typeof req.body === "string" ? req.body : JSON.stringify(req.body)) : undefined,
    });
  } catch (err) {
    if (req.signal?.aborted) throw err;
    throw new RequestError(UNREACHABLE, 0);
  }
  const text = await res.text().catch(() => "");
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const { message: _message, ...details } = typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {};
    throw new RequestError(refusalMessage(data, res.status), res.status, details);
  }
  return data as T;
}

/** The person-readable message of what a call threw. */
export function problemText(err: unknown): string {
  if (err instanceof RequestError) return err.message;
  return UNREACHABLE;
}

/** Runs a call for its effect: null when it worked, else what went wrong, for the page to show. */
export async function failureOf(call: Promise<unknown>): Promise<string | null> {
  try {
    await call;
    return null;
  } catch (err) {
    return problemText(err);
  }
}

/** For `.catch` on a DELETE: a 404 means it is gone already (another tab, another person), which is what was wanted. */
export function unlessGone(err: unknown): void {
  if (!(err instanceof RequestError && err.status === 404)) throw err;
}
