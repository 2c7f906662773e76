import http from "node:http";
import https from "node:https";
import { upstreamAuthHeaders } from "../runtime/jupyter-auth/jupyter-auth";

// Asks a server's Jupyter when it was last active (GET <base>api/status: `last_activity` counts
// kernels and terminals busy without any browser traffic). Plain node:http: the culler asks
// thousands of servers per pass, and fetch costs several times the CPU per request. No keep-alive:
// each server has an address of its own and is asked once a pass, so an idle socket would only
// hold a file descriptor until the next pass.

export type Probe = { ok: true; lastActivity: Date | undefined } | { ok: false; error: string };

const agents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };
const MAX_BODY = 64 * 1024;

export function probeActivity(statusUrl: string, token: string, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(statusUrl);
    } catch {
      resolve({ ok: false, error: "not a URL" });
      return;
    }
    const secure = url.protocol === "https:";
    const req = (secure ? https : http).get(url, { agent: secure ? agents.https : agents.http, headers: { accept: "application/json", ...upstreamAuthHeaders(token) }, timeout: timeoutMs }, (res) => {
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
        res.resume();
        resolve({ ok: false, error: `HTTP ${res.statusCode}` });
        return;
      }
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
        if (body.length > MAX_BODY) req.destroy(new Error("status answer too large"));
      });
      res.on("end", () => {
        try {
          const at = (JSON.parse(body) as { last_activity?: unknown }).last_activity;
          const date = typeof at === "string" ? new Date(at) : undefined;
          resolve({ ok: true, lastActivity: date && !Number.isNaN(date.getTime()) ? date : undefined });
        } catch {
          resolve({ ok: false, error: "status answer is not JSON" });
        }
      });
      res.on("error", (err) => resolve({ ok: false, error: err.message }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) => resolve({ ok: false, error: err.message }));
  });
}
