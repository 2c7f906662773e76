import http from "node:http";
import type { AddressInfo } from "node:net";

// A stand-in for Jira Server/Data Center and Jira Cloud, as far as Berth's sign-in sees them:
// GET /rest/api/2/myself (Server, username + password) and /rest/api/3/myself (Cloud, email +
// API token), both with ?expand=groups and Basic auth; Jira's X-Seraph-LoginReason and
// X-Authentication-Denied-Reason headers; a CAPTCHA armed after N failed logins (reset by a
// success, as Jira does); inactive users; and slowness, 5xx and disabled basic auth on demand.
// It records who asked and how it ended, never the password.

export interface JiraUser {
  name: string;
  key?: string;
  accountId?: string;
  password?: string;
  apiToken?: string;
  email: string;
  displayName: string;
  active?: boolean;
  groups?: string[];
}

export interface JiraDoubleMode {
  delayMs?: number;
  status5xx?: number;
  basicAuthDisabled?: boolean;
}

export interface JiraRequestRecord {
  deployment: "server" | "cloud";
  username: string;
  result: "ok" | "wrong" | "captcha" | "unavailable" | "basic_disabled" | "no_auth";
  authorization: string | undefined;
}

export interface JiraDouble {
  url: string;
  requests: JiraRequestRecord[];
  failedCount: Map<string, number>;
  setMode(m: JiraDoubleMode): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startJiraDouble(opts: { users: JiraUser[]; captchaAfter?: number }): Promise<JiraDouble> {
  const captchaAfter = opts.captchaAfter ?? 3;
  let mode: JiraDoubleMode = {};
  const requests: JiraRequestRecord[] = [];
  const failedCount = new Map<string, number>();
  let base = "";

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const deployment = url.pathname === "/rest/api/3/myself" ? "cloud" : url.pathname === "/rest/api/2/myself" ? "server" : null;
    if (!deployment) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ errorMessages: ["Not found"] }));
      return;
    }
    const auth = req.headers.authorization;
    const decoded = auth?.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString("utf8") : "";
    const sep = decoded.indexOf(":");
    const username = sep >= 0 ? decoded.slice(0, sep) : "";
    const secret = sep >= 0 ? decoded.slice(sep + 1) : "";
    const record = (result: JiraRequestRecord["result"]) => requests.push({ deployment, username, result, authorization: auth ? "Basic [redacted]" : undefined });

    if (mode.delayMs) await new Promise((r) => setTimeout(r, mode.delayMs));
    if (res.destroyed) return;
    if (mode.status5xx) {
      record("unavailable");
      res.writeHead(mode.status5xx, { "content-type": "text/html" }).end("<html><body>Service Unavailable</body></html>");
      return;
    }
    if (!auth) {
      record("no_auth");
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ errorMessages: ["You are not authenticated."] }));
      return;
    }
    if (mode.basicAuthDisabled) {
      record("basic_disabled");
      res.writeHead(401, { "content-type": "text/plain" }).end("Basic Authentication has been disabled on this instance.");
      return;
    }

    const user =
      deployment === "cloud"
        ? opts.users.find((u) => u.email.toLowerCase() === username.toLowerCase())
        : opts.users.find((u) => u.name.toLowerCase() === username.toLowerCase());
    const counterKey = (user?.name ?? username).toLowerCase();
    const failures = failedCount.get(counterKey) ?? 0;

    if (deployment === "server" && failures >= captchaAfter) {
      record("captcha");
      res.writeHead(403, {
        "content-type": "text/html",
        "X-Seraph-LoginReason": "AUTHENTICATION_DENIED",
        "X-Authentication-Denied-Reason": `CAPTCHA_CHALLENGE; login-url=${base}/login.jsp`,
      }).end("<html>CAPTCHA required</html>");
      return;
    }
    const good = user && (deployment === "cloud" ? user.apiToken === secret : user.password === secret);
    if (!user || !good) {
      failedCount.set(counterKey, failures + 1);
      record("wrong");
      if (deployment === "cloud" && user && user.password === secret) {
        res.writeHead(401, { "content-type": "text/plain" }).end("Basic authentication with passwords is deprecated. Use an API token.");
        return;
      }
      res.writeHead(401, { "content-type": "text/html", "X-Seraph-LoginReason": "AUTHENTICATED_FAILED" }).end("<html>Unauthorized</html>");
      return;
    }
    failedCount.set(counterKey, 0);
    record("ok");
    const groups = user.groups ?? ["jira-software-users"];
    const body =
      deployment === "cloud"
        ? { accountId: user.accountId ?? `acc-${user.name}`, emailAddress: user.email, displayName: user.displayName, active: user.active !== false, accountType: "atlassian", groups: { size: groups.length, items: groups.map((name) => ({ name })) } }
        : { self: `${base}/rest/api/2/user?username=${encodeURIComponent(user.name)}`, key: user.key ?? `JIRAUSER${user.name.length}${user.name.charCodeAt(0)}`, name: user.name, emailAddress: user.email, displayName: user.displayName, active: user.active !== false, timeZone: "UTC", groups: { size: groups.length, items: groups.map((name) => ({ name })) } };
    res.writeHead(200, { "content-type": "application/json", "X-Seraph-LoginReason": "OK" }).end(JSON.stringify(body));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    failedCount,
    setMode(m) {
      mode = m;
    },
    reset() {
      mode = {};
      requests.length = 0;
      failedCount.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
