import http from "node:http";
import https from "node:https";
import { upstreamAuthHeaders } from "../runtime/jupyter-auth/jupyter-auth";

// One JSON GET to a server's Jupyter, authenticated as Berth (the culler's activity questions, the
// proxy's "is this a folder?"). Plain node:http: the culler asks thousands of servers per pass,
// and fetch costs several times the CPU per request. No keep-alive: each server is asked rarely,
// so an idle socket would only hold a file descriptor.

export type JsonAnswer = { ok: true; body: unknown } | { ok: false; status?: number; error: string };

const agents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };
const MAX_BODY = 256 * 1024;

export function getUpstreamJson(target: string, token: string, timeoutMs: number): Promise<JsonAnswer> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      resolve({ ok: false, error: "not a URL" });
      return;
    }
    const secure = url.protocol === "https:";
    const req = (secure ? https : http).get(url, { agent: secure ? agents.https : agents.http, headers: { accept: "application/json", ...upstreamAuthHeaders(token) }, timeout: timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        resolve({ ok: false, status, error: `HTTP ${status}` });
        return;
      }
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
        if (body.length > MAX_BODY) req.destroy(new Error("answer too large"));
      });
      res.on("end", () => {
        try {
          resolve({ ok: true, body: JSON.parse(body) as unknown });
        } catch {
          resolve({ ok: false, error: "answer is not JSON" });
        }
      });
      res.on("error", (err) => resolve({ ok: false, error: err.message }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) => resolve({ ok: false, error: err.message }));
  });
}
