import { readFileSync } from "node:fs";
import https from "node:https";

// The API server's own count of the requests it served: `apiserver_request_total` from its
// /metrics, by verb and resource (+ subresource). Non-resource requests (/metrics itself, /readyz)
// are counted apart, so reading the metrics does not count as a client's request. A request is
// counted when it ends: a watch still open is not in the count yet.

export type RequestCounts = Map<string, number>;

/** `apiserver_request_total` of the API server at `server`, summed by "VERB resource[/subresource]". */
export async function requestCounts(server: string, caFile: string, token: string): Promise<RequestCounts> {
  const text = await new Promise<string>((resolve, reject) => {
    const req = https.get(`${server}/metrics`, { ca: readFileSync(caFile), headers: { Authorization: `Bearer ${token}` }, timeout: 30_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics: ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error("GET /metrics timed out")));
    req.on("error", reject);
  });
  return parseRequestTotals(text);
}

/** Sums `apiserver_request_total` samples of a Prometheus text exposition by verb + resource. */
export function parseRequestTotals(text: string): RequestCounts {
  const out: RequestCounts = new Map();
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const close = line.lastIndexOf("}");
    const labels = new Map<string, string>();
    for (const m of line.slice("apiserver_request_total{".length, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels.set(m[1], m[2]);
    const value = Number(line.slice(close + 1).trim());
    const resource = labels.get("resource") ?? "";
    const sub = labels.get("subresource") ?? "";
    const key = resource ? `${labels.get("verb")} ${resource}${sub ? `/${sub}` : ""}` : NON_RESOURCE;
    out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

/** The key non-resource requests (/metrics, /readyz, …) are summed under. */
export const NON_RESOURCE = "(non-resource URLs)";

/** after − before, without zero entries, largest first. */
export function countsDelta(before: RequestCounts, after: RequestCounts): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d !== 0) out.push([k, d]);
  }
  return out.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The total of a delta, resource requests only. */
export function resourceTotal(delta: [string, number][]): number {
  return delta.filter(([k]) => k !== NON_RESOURCE).reduce((s, [, v]) => s + v, 0);
}
