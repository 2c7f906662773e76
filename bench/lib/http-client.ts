import http from "node:http";

// A small HTTP client for the benchmarks that play a browser's protocol (sign-in forms): node:http
// with a keep-alive agent per client, cookies kept by hand, redirects never followed. Cheaper on the
// CPU than fetch, which matters when the load generator shares two cores with what it measures.

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class Browser {
  readonly cookies = new Map<string, string>();

  readonly origin: string;

  constructor(private readonly base: string, private readonly agent: http.Agent) {
    this.origin = new URL(base).origin;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  request(method: "GET" | "POST", path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const u = new URL(path, this.base);
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: u.hostname,
          port: u.port,
          path: u.pathname + u.search,
          method,
          headers: {
            ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}),
            ...(body !== undefined ? { "content-type": "application/x-www-form-urlencoded", "content-length": String(Buffer.byteLength(body)) } : {}),
            "user-agent": "berth-bench",
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            for (const line of res.headers["set-cookie"] ?? []) {
              const [pair] = line.split(";");
              const eq = pair.indexOf("=");
              if (eq <= 0) continue;
              const name = pair.slice(0, eq).trim();
              const value = pair.slice(eq + 1).trim();
              // An expired cookie (sign-out, a cleared cookie) is removed, as a browser does.
              if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
              else this.cookies.set(name, value);
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      req.end(body);
    });
  }
}
