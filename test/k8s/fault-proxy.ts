import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import path from "node:path";

// A TLS proxy in front of the kube-apiserver that injects faults on demand. Berth is given a
// kubeconfig whose server is the proxy (same CA, same token), so every API call and watch it makes
// passes here, over TLS as in production (the client refuses plain HTTP anyway). The proxy serves
// the API server's own certificate (issued for 127.0.0.1 by the cluster CA), found next to the CA
// file. Pass-through unless told otherwise:
//   failNext(n, status)   the next n matching requests get `status` (500, 429, …) with a Status body
//   failAfterForwarding   the request reaches the API server, but the client sees the failure (did it happen?)
//   delayNext(n, ms)      the next n matching requests wait first
//   addLatency(ms)        every request from now on waits first
//   holdNext()            the next matching request waits until released (and says when it arrived)
//   dropWatches()         cuts every open watch connection
//   expireNextWatch()     the next watch answers "410 Gone: too old resource version" (forces a relist)

export interface RequestMatch {
  method?: string;
  /** tested against the path without the query string */
  path?: RegExp;
  /** watches only, or no watches */
  watch?: boolean;
}

interface Rule {
  remaining: number;
  match: RequestMatch;
  action:
    | { kind: "fail"; status: number; afterForwarding: boolean; message?: string }
    | { kind: "delay"; ms: number }
    | { kind: "hold"; arrived: () => void; released: Promise<void> }
    | { kind: "expire" };
}

export interface SeenRequest {
  method: string;
  path: string;
  watch: boolean;
  /** when it arrived (Date.now()) and how long until its answer ended, in ms */
  at: number;
  ms?: number;
  /** status the client got */
  status?: number;
  injected?: string;
}

const REASONS: Record<number, string> = { 403: "Forbidden", 429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout" };

export class FaultProxy {
  readonly requests: SeenRequest[] = [];
  private rules: Rule[] = [];
  private server: https.Server;
  private openWatches = new Set<{ req: http.IncomingMessage; res: http.ServerResponse; upstream?: http.ClientRequest }>();
  private sockets = new Set<Socket>();
  private ca: Buffer;
  private target: URL;
  port = 0;
  /** TLS connections clients opened since clear() (a client that keeps connections alive opens few) */
  connections = 0;
  /** requests other than watches being served now, and the most at once since clear() */
  inFlight = 0;
  peakInFlight = 0;

  constructor(opts: { server: string; caFile: string; certFile?: string; keyFile?: string }) {
    this.target = new URL(opts.server);
    this.ca = readFileSync(opts.caFile);
    const dir = path.dirname(opts.caFile);
    const cert = readFileSync(opts.certFile ?? path.join(dir, "apiserver.crt"));
    const key = readFileSync(opts.keyFile ?? path.join(dir, "apiserver.key"));
    this.server = https.createServer({ cert, key }, (req, res) => this.handle(req, res));
    this.server.on("secureConnection", () => this.connections++);
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    this.dropWatches();
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** A copy of `kubeconfigPath` whose cluster server is this proxy. */
  writeKubeconfig(kubeconfigPath: string, outPath: string): string {
    const text = readFileSync(kubeconfigPath, "utf8").replace(/^(\s*server:\s*).*$/m, `$1${this.url}`);
    writeFileSync(outPath, text, { mode: 0o600 });
    return outPath;
  }

  failNext(n: number, status: number, match: RequestMatch = {}, opts: { afterForwarding?: boolean; message?: string } = {}): void {
    this.rules.push({ remaining: n, match, action: { kind: "fail", status, afterForwarding: opts.afterForwarding ?? false, message: opts.message } });
  }

  delayNext(n: number, ms: number, match: RequestMatch = {}): void {
    this.rules.push({ remaining: n, match, action: { kind: "delay", ms } });
  }

  /** Every matching request from now on waits `ms` first (an API server across a network); clear() ends it. */
  addLatency(ms: number, match: RequestMatch = {}): void {
    this.rules.push({ remaining: Infinity, match, action: { kind: "delay", ms } });
  }

  /** The next matching request waits for `release()`; `arrived` resolves when it is here. */
  holdNext(match: RequestMatch = {}): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    const released = new Promise<void>((r) => (release = r));
    this.rules.push({ remaining: 1, match, action: { kind: "hold", arrived, released } });
    return { arrived: arrival, release };
  }

  expireNextWatch(match: RequestMatch = {}): void {
    this.rules.push({ remaining: 1, match: { ...match, watch: true }, action: { kind: "expire" } });
  }

  /** Cuts open watches (all, or those matching); returns how many. */
  dropWatches(match: RequestMatch = {}): number {
    let n = 0;
    for (const w of [...this.openWatches]) {
      if (!this.matches(match, w.req.method ?? "GET", new URL(w.req.url ?? "/", "http://x"))) continue;
      this.openWatches.delete(w);
      w.upstream?.destroy();
      w.res.socket?.destroy();
      n++;
    }
    return n;
  }

  openWatchCount(match: RequestMatch = {}): number {
    return [...this.openWatches].filter((w) => this.matches(match, w.req.method ?? "GET", new URL(w.req.url ?? "/", "http://x"))).length;
  }

  /** Forgets the rules and the requests seen. */
  clear(): void {
    this.rules = [];
    this.requests.length = 0;
    this.peakInFlight = this.inFlight;
    this.connections = 0;
  }

  private matches(m: RequestMatch, method: string, u: URL): boolean {
    const isWatch = u.searchParams.get("watch") === "true" || u.searchParams.get("watch") === "1";
    return (!m.method || m.method === method) && (!m.path || m.path.test(u.pathname)) && (m.watch === undefined || m.watch === isWatch);
  }

  private take(method: string, u: URL): Rule["action"][] {
    const out: Rule["action"][] = [];
    for (const r of this.rules) {
      if (r.remaining > 0 && this.matches(r.match, method, u)) {
        r.remaining--;
        out.push(r.action);
      }
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return out;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const method = req.method ?? "GET";
    const u = new URL(req.url ?? "/", "http://x");
    const watch = u.searchParams.get("watch") === "true" || u.searchParams.get("watch") === "1";
    const seen: SeenRequest = { method, path: u.pathname, watch, at: Date.now() };
    this.requests.push(seen);
    res.on("close", () => (seen.ms = Date.now() - seen.at));
    if (!watch) {
      this.inFlight++;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      res.on("close", () => this.inFlight--);
    }
    const actions = this.take(method, u);
    for (const a of actions) {
      if (a.kind === "delay") await new Promise((r) => setTimeout(r, a.ms));
      if (a.kind === "hold") {
        a.arrived();
        await a.released;
      }
    }
    const fail = actions.find((a) => a.kind === "fail");
    const expire = actions.find((a) => a.kind === "expire");

    if (expire) {
      seen.status = 200;
      seen.injected = "expired watch";
      req.resume();
      res.writeHead(200, { "Content-Type": "application/json" });
      const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "too old resource version: 1 (2)", reason: "Expired", code: 410 };
      res.end(JSON.stringify({ type: "ERROR", object: status }) + "\n");
      return;
    }
    const sendFailure = (status: number, message?: string) => {
      seen.status = status;
      seen.injected = `${status}`;
      const body = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: message ?? `injected by the fault proxy (${status})`, reason: REASONS[status] ?? "InternalError", code: status };
      res.writeHead(status, { "Content-Type": "application/json", ...(status === 429 ? { "Retry-After": "1" } : {}) });
      res.end(JSON.stringify(body));
    };
    if (fail && fail.kind === "fail" && !fail.afterForwarding) {
      req.resume();
      sendFailure(fail.status, fail.message);
      return;
    }

    const headers = { ...req.headers, host: this.target.host };
    const upstream = https.request(
      { host: this.target.hostname, port: this.target.port, method, path: req.url, headers, ca: this.ca },
      (up) => {
        if (fail && fail.kind === "fail") {
          up.resume();
          up.on("end", () => sendFailure(fail.status, fail.message));
          return;
        }
        seen.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    const entry = { req, res, upstream };
    if (watch) {
      this.openWatches.add(entry);
      res.on("close", () => this.openWatches.delete(entry));
    }
    upstream.on("error", () => {
      if (!res.headersSent) {
        seen.status = 502;
        res.writeHead(502);
        res.end();
      } else res.socket?.destroy();
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  }
}
