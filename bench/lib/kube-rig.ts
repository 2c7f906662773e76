import { fork, type ChildProcess } from "node:child_process";
import { copyFileSync } from "node:fs";
import path from "node:path";
import type { KubeContext } from "../../test/setup/global-kube";
import type { SeenRequest } from "../../test/k8s/fault-proxy";

// The Kubernetes side of bench/kube-burst.bench.ts, in a process of its own so that the process
// being measured runs Berth alone: the control plane of the Kubernetes suites (startKubeWorld:
// etcd, kube-apiserver, kube-controller-manager, the kubelet simulator, whose spawning of
// hundreds of "containers" would otherwise stall Berth's event loop), a second kube-apiserver on
// the same etcd for Berth alone (its /metrics count only Berth's requests), and the fault proxy in
// front of that one adding latency to every call (a process of its own as well). Berth's
// kubeconfig names the proxy.
//
// Parent: `const rig = await startKubeRig({ latencyMs: 20 })`; children: this file run by fork().

export interface RigInfo {
  ctx: KubeContext;
  caFile: string;
  adminToken: string;
  /** the API server the simulator and the controllers use */
  clusterServer: string;
  /** Berth's own API server (behind the proxy) */
  berthServer: string;
  /** Berth's ServiceAccount, through the fault proxy */
  berthKubeconfig: string;
  /** a copy of test/k8s/stand-in-jupyter.py that uid 1000 can read */
  standIn: string;
}

type Request = { id: number; op: "requests" | "clear" | "stop" };
type Reply = { id: number; requests?: SeenRequest[]; peakInFlight?: number };

export interface KubeRig extends RigInfo {
  /** Berth's requests the fault proxy saw since the last clear(), and the most in flight at once */
  requests(): Promise<{ requests: SeenRequest[]; peakInFlight: number }>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

/** Forks this file in `role`; resolves with its first message. */
async function forkRole<T>(role: string, args: unknown): Promise<{ child: ChildProcess; first: T; ask: (op: Request["op"]) => Promise<Reply>; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(import.meta.filename, [role, JSON.stringify(args)], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const first = await new Promise<T>((resolve, reject) => {
    child.once("message", (m) => resolve(m as T));
    child.once("exit", (code) => reject(new Error(`the Kubernetes rig's ${role} exited (${code}) before it was ready`)));
  });
  let next = 0;
  const ask = (op: Request["op"]) =>
    new Promise<Reply>((resolve) => {
      const id = ++next;
      const on = (m: unknown) => {
        if ((m as Reply).id !== id) return;
        child.off("message", on);
        resolve(m as Reply);
      };
      child.on("message", on);
      child.send({ id, op } satisfies Request);
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    const forced = setTimeout(() => child.kill("SIGTERM"), 90_000);
    if (child.connected) await Promise.race([ask("stop"), exited]);
    await exited;
    clearTimeout(forced);
  };
  return { child, first, ask, stop };
}

type WorldInfo = Omit<RigInfo, "berthKubeconfig">;

export async function startKubeRig(opts: { latencyMs: number }): Promise<KubeRig> {
  const world = await forkRole<WorldInfo>("world", {});
  try {
    // The proxy in a process of its own too: the simulator's spawning would delay it.
    const proxy = await forkRole<{ berthKubeconfig: string }>("proxy", { server: world.first.berthServer, caFile: world.first.caFile, kubeconfig: world.first.ctx.berthKubeconfig, latencyMs: opts.latencyMs });
    return {
      ...world.first,
      berthKubeconfig: proxy.first.berthKubeconfig,
      requests: async () => {
        const r = await proxy.ask("requests");
        return { requests: r.requests ?? [], peakInFlight: r.peakInFlight ?? 0 };
      },
      clear: async () => void (await proxy.ask("clear")),
      stop: async () => {
        await proxy.stop();
        await world.stop();
      },
    };
  } catch (err) {
    await world.stop();
    throw err;
  }
}

/** Answers the parent's requests; `stop` ends the process. */
function serve(handlers: Partial<Record<Request["op"], () => Promise<Omit<Reply, "id">> | Omit<Reply, "id">>>, stop: () => Promise<void>) {
  // Exiting runs the simulator's and the control plane's exit handlers, which kill what they started.
  const forced = () => process.exit(1);
  process.on("SIGTERM", forced);
  process.on("disconnect", () => {
    setTimeout(forced, 30_000).unref();
    void stop().then(() => process.exit(0));
  });
  process.on("message", (m: Request) => {
    void (async () => {
      if (m.op === "stop") {
        await stop();
        process.send!({ id: m.id } satisfies Reply, () => process.exit(0));
        return;
      }
      process.send!({ id: m.id, ...(await handlers[m.op]?.()) } satisfies Reply);
    })();
  });
}

async function worldMain() {
  const { buildControlPlane, startKubeWorld } = await import("../../test/setup/global-kube");
  buildControlPlane();
  // The controller-manager's client is limited to 20 requests/s by default: its PV binder alone
  // would then need ~100 s to bind 500 claims. A cluster operator raises it the same way.
  const world = await startKubeWorld({ controllerManagerArgs: ["--kube-api-qps=500", "--kube-api-burst=1000"] });
  const { cp, ctx } = world;
  const berthApi = await cp.addApiserver();
  const standIn = path.join(ctx.stateDir, "stand-in-jupyter.py");
  copyFileSync(path.join(import.meta.dirname, "../../test/k8s/stand-in-jupyter.py"), standIn);
  serve({}, () => world.stop());
  process.send!({ ctx, caFile: cp.caFile, adminToken: cp.adminToken, clusterServer: cp.server, berthServer: berthApi.server, standIn } satisfies WorldInfo);
}

async function proxyMain(o: { server: string; caFile: string; kubeconfig: string; latencyMs: number }) {
  const { FaultProxy } = await import("../../test/k8s/fault-proxy");
  const proxy = await new FaultProxy({ server: o.server, caFile: o.caFile }).start();
  proxy.addLatency(o.latencyMs);
  const berthKubeconfig = proxy.writeKubeconfig(o.kubeconfig, path.join(path.dirname(o.kubeconfig), "berth-proxied.kubeconfig"));
  serve(
    {
      requests: () => ({ requests: proxy.requests, peakInFlight: proxy.peakInFlight }),
      clear: () => {
        proxy.clear();
        proxy.addLatency(o.latencyMs);
        return {};
      },
    },
    () => proxy.stop(),
  );
  process.send!({ berthKubeconfig });
}

if (process.argv[1] === import.meta.filename && process.send) {
  const [role, args] = [process.argv[2], JSON.parse(process.argv[3] ?? "{}")];
  (role === "world" ? worldMain() : proxyMain(args)).catch((err: unknown) => {
    process.stderr.write(`kube-rig (${role}): ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
