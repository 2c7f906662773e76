import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { config } from "../config";
import { AppError } from "../errors";
import { checkUrlHost, hostUnreachable, RefusedAddressError, safeLookup, urlHost, type HostPolicy } from "../http/url-safety";

// GET from an address a user chose: http(s) only, every hop's addresses checked when the
// connection is made, redirects followed by hand (each one checked), a deadline for the whole
// exchange and a cap on the body, so a hostile server can neither redirect Berth inward nor keep
// it busy.

export interface PublicResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The address that answered, after redirects. */
  url: URL;
}

export interface FetchPublicOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  policy?: HostPolicy;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function fetchPublic(target: URL, opts: FetchPublicOptions = {}): Promise<PublicResponse> {
  const policy = opts.policy ?? config().launch;
  const timeoutMs = opts.timeoutMs ?? config().launch.gitTimeoutMs;
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  const maxRedirects = opts.maxRedirects ?? 5;
  const deadline = AbortSignal.timeout(timeoutMs);
  let url = new URL(target);
  for (let hop = 0; ; hop++) {
    checkShape(url, target);
    // Address literals never reach the lookup hook, so they are judged here.
    if (isIP(urlHost(url))) await checkUrlHost(url, policy);
    const res = await getOnce(url, opts.headers ?? {}, policy, deadline, maxBytes, target, timeoutMs);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || !location) return res;
    if (hop >= maxRedirects) {
      throw new AppError("invalid_input", `${target.host} redirected more than ${maxRedirects} times; Berth gave up. Check the repository's address.`, { reason: "too_many_redirects" });
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new AppError("invalid_input", `${url.host} redirected to an address that is not valid.`, { reason: "bad_redirect" });
    }
    if (url.protocol === "https:" && next.protocol === "http:") {
      throw new AppError("forbidden", `${url.host} redirected from https to plain http (${next.host}); Berth does not follow that.`, { reason: "unsafe_redirect" });
    }
    url = next;
  }
}

function checkShape(url: URL, original: URL) {
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AppError("forbidden", `${original.host} sent Berth to a ${url.protocol} address; Berth fetches over http(s) only.`, { reason: "unsafe_redirect" });
  }
  if (url.username || url.password) {
    throw new AppError("forbidden", `Berth does not send user names or passwords to Git servers; ${url.host} asked for an address with credentials.`, { reason: "credentials_in_url" });
  }
}

function getOnce(url: URL, headers: Record<string, string>, policy: HostPolicy, signal: AbortSignal, maxBytes: number, original: URL, timeoutMs: number): Promise<PublicResponse> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method: "GET", headers, agent: false, lookup: safeLookup(policy), signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      // A redirect's body is never read; the next hop is what matters.
      if (REDIRECTS.has(res.statusCode ?? 0)) {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.alloc(0), url });
        return;
      }
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy();
          reject(new AppError("invalid_input", `${original.host} sent more than ${Math.round(maxBytes / 1024 / 1024)} MiB where Berth expected a short answer; Berth stopped reading.`, { reason: "answer_too_large" }));
          return;
        }
        chunks.push(c);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url }));
      res.on("error", (err) => reject(networkError(err, url, timeoutMs, signal)));
    });
    req.on("error", (err) => reject(networkError(err, url, timeoutMs, signal)));
    req.end();
  });
}

function networkError(err: Error & { code?: string }, url: URL, timeoutMs: number, signal: AbortSignal): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof RefusedAddressError) return new AppError("forbidden", err.message, { reason: "private_host" });
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") {
    return hostUnreachable(url.hostname, err);
  }
  if (signal.aborted || err.name === "AbortError") {
    return new AppError("timeout", `${url.host} did not answer within ${Math.round(timeoutMs / 1000)} seconds. Try again later.`, { reason: "git_unreachable" });
  }
  return new AppError("upstream_failed", `Berth could not reach ${url.host} (${err.code ?? err.message}). Check the address, or try again later.`, { reason: "git_unreachable" });
}
