import http from "node:http";
import type { BuildSettings, SimFault, SimPodInfo } from "./types";

// The HTTP control channel, for tests in other processes: the simulator's side (`controlServer`)
// and the test side (`KubeletSimClient`).

/** What the control channel drives: the simulator's test controls. */
export interface SimControls {
  readonly faults: Map<string, SimFault>;
  readonly podUids: Map<string, string[]>;
  readonly buildSettings: BuildSettings;
  pods(): SimPodInfo[];
  processes(): number[];
  kill(namespace: string, name: string, opts?: { signal?: NodeJS.Signals; oom?: boolean }): boolean;
  finishBuild(namespace: string, name: string, ok: boolean): boolean;
}

export function controlServer(sim: SimControls): http.Server {
  return http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(value ?? null));
      };
      try {
        const u = new URL(req.url ?? "/", "http://sim");
        const parts = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);
        const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
        if (parts[0] === "faults" && req.method === "PUT" && parts[1]) {
          sim.faults.set(parts[1], input as unknown as SimFault);
          return reply(200, { ok: true });
        }
        if (parts[0] === "faults" && req.method === "DELETE") {
          if (parts[1]) sim.faults.delete(parts[1]);
          else sim.faults.clear();
          return reply(200, { ok: true });
        }
        if (parts[0] === "pods" && req.method === "GET" && !parts[1]) return reply(200, sim.pods());
        if (parts[0] === "build-settings" && req.method === "PUT") {
          Object.assign(sim.buildSettings, input as Partial<BuildSettings>);
          return reply(200, sim.buildSettings);
        }
        if (parts[0] === "pod-uids" && req.method === "GET") return reply(200, Object.fromEntries(sim.podUids));
        if (parts[0] === "processes" && req.method === "GET") return reply(200, sim.processes());
        if (parts[0] === "pods" && parts[3] === "kill" && req.method === "POST") {
          return reply(200, { killed: sim.kill(parts[1], parts[2], input as { signal?: NodeJS.Signals; oom?: boolean }) });
        }
        if (parts[0] === "pods" && parts[3] === "finish" && req.method === "POST") {
          return reply(200, { finished: sim.finishBuild(parts[1], parts[2], Boolean(input.ok)) });
        }
        reply(404, { error: `no route ${req.method} ${u.pathname}` });
      } catch (err) {
        reply(500, { error: String(err) });
      }
    });
  });
}

/** The test side of `serveControl`. */
export class KubeletSimClient {
  constructor(private url: string) {}

  private async req<T>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${p}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`kubelet-sim ${method} ${p}: ${json?.error ?? res.status}`);
    return json;
  }

  /** key: a pod name, `image:<image>` or `job:<job name>` */
  setFault(key: string, fault: SimFault): Promise<unknown> {
    return this.req("PUT", `/faults/${encodeURIComponent(key)}`, fault);
  }
  clearFault(key?: string): Promise<unknown> {
    return this.req("DELETE", key ? `/faults/${encodeURIComponent(key)}` : "/faults");
  }
  /** How simulated builds behave from now on (e.g. a slower log, to attach mid-build). */
  setBuildSettings(settings: Partial<BuildSettings>): Promise<BuildSettings> {
    return this.req("PUT", "/build-settings", settings);
  }
  pods(): Promise<SimPodInfo[]> {
    return this.req("GET", "/pods");
  }
  /** uids of every pod seen under each name since the simulator started */
  podUids(): Promise<Record<string, string[]>> {
    return this.req("GET", "/pod-uids");
  }
  processes(): Promise<number[]> {
    return this.req("GET", "/processes");
  }
  async kill(namespace: string, name: string, opts: { signal?: NodeJS.Signals; oom?: boolean } = {}): Promise<boolean> {
    return (await this.req<{ killed: boolean }>("POST", `/pods/${namespace}/${name}/kill`, opts)).killed;
  }
  async finishBuild(namespace: string, name: string, ok: boolean): Promise<boolean> {
    return (await this.req<{ finished: boolean }>("POST", `/pods/${namespace}/${name}/finish`, { ok })).finished;
  }
}
