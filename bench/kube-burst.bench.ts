import { performance } from "node:perf_hooks";
import { db } from "../lib/db/client";
import { defaultProfile } from "../lib/policy/profiles";
import { runtime } from "../lib/runtime";
import type { KubeRuntime } from "../lib/runtime/kubernetes/kube-runtime";
import { watchRuntimeExits } from "../lib/servers/lifecycle";
import { pendingStarts } from "../lib/servers/pending-starts";
import { startServer } from "../lib/servers/start-server";
import type { Actor } from "../lib/auth/actor";
import { countsDelta, NON_RESOURCE, requestCounts, resourceTotal } from "../test/k8s/apiserver-metrics";
import type { SeenRequest } from "../test/k8s/fault-proxy";
import { startKubeRig } from "./lib/kube-rig";
import { percentile } from "./lib/load";
import { withScratchBerth } from "./lib/harness";
import { report, valueGoal } from "./lib/report";

// Issue 11, point 7: a burst of 500 concurrent server starts (100 people × 5 servers) against the
// real control plane the Kubernetes suites use (etcd + kube-apiserver + kube-controller-manager
// v1.20.2 built from Debian's source, test/setup/global-kube.ts) with the kubelet simulator making
// the pods ready, through the fault proxy adding 20 ms to every API call Berth makes. All of that
// runs in a process of its own (bench/lib/kube-rig.ts): this process runs Berth alone.
//
// Counting Berth's requests with the API server's own figures: Berth gets an API server of its own
// (a second kube-apiserver on the same etcd, as in a highly available control plane) behind the
// fault proxy, while the simulator and the controllers use the first one. The delta of the second
// one's `apiserver_request_total` over the burst is exactly what Berth asked; the first one's is
// printed too (what the simulated kubelets and the controllers did for the same pods).
//
// The pods' "containers" are real processes (the simulator runs a pod's command), but a
// stand-in for Jupyter (test/k8s/stand-in-jupyter.py) that answers the readiness probe:
// 500 real Jupyter servers cannot start on two cores within a bounded run.
//
// Anchor: one start alone on the same rig (same latency, same simulator), measured just before
// the burst. The controller-manager runs with a higher client rate limit (--kube-api-qps) than its
// default of 20/s: the PV binder otherwise needs ~100 s just to bind 500 claims, a limit of the
// test rig rather than of Berth (a real cluster's operator tunes it the same way).

const PEOPLE = Number(process.env.BERTH_BENCH_KUBE_PEOPLE ?? 100);
const EACH = 5;
const LATENCY_MS = 20;
const TIMEOUT_S = 240;

/** What Berth's Role lets it touch (lib/runtime/kubernetes/kube-api.ts `Resource`). */
const BERTH_RESOURCES = new Set(["pods", "persistentvolumeclaims", "events", "jobs", "pods/log"]);

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function breakdown(title: string, delta: [string, number][], per: number): string {
  const lines = delta.map(([k, v]) => `    ${k.padEnd(40)} ${String(v).padStart(6)}   ${(v / per).toFixed(2)} per start`);
  return [`  ${title}:`, ...lines].join("\n");
}

async function main() {
  const rig = await startKubeRig({ latencyMs: LATENCY_MS });
  const { ctx } = rig;
  Object.assign(process.env, {
    BERTH_RUNTIME: "kubernetes",
    BERTH_KUBECONFIG: rig.berthKubeconfig,
    BERTH_KUBE_NAMESPACE: ctx.namespace,
    BERTH_KUBE_BUILD_NAMESPACE: ctx.buildNamespace,
    BERTH_JUPYTER_COMMAND: `/usr/bin/python3 -S -I ${rig.standIn}`,
    BERTH_START_TIMEOUT_SECONDS: String(TIMEOUT_S),
  });
  const counts = (server: string) => requestCounts(server, rig.caFile, rig.adminToken);

  try {
    await withScratchBerth(`berth_bench_kube_${process.pid}`, async () => {
      const profile = defaultProfile().slug;
      await db().$executeRawUnsafe(`
        INSERT INTO users (id, name, created_at, updated_at)
        SELECT gen_random_uuid(), 'p' || lpad(i::text, 3, '0'), now(), now() FROM generate_series(0, ${PEOPLE}) AS i`);
      await db().$executeRawUnsafe(
        `INSERT INTO servers (id, owner_id, name, profile, token, created_at, updated_at)
         SELECT gen_random_uuid(), u.id, CASE WHEN s = 0 THEN '' ELSE 's' || s END, $1, md5(random()::text), now(), now()
         FROM users u CROSS JOIN generate_series(0, ${EACH - 1}) AS s`,
        profile,
      );
      const users = await db().user.findMany({ orderBy: { name: "asc" } });
      const actors = new Map<string, Actor>(users.map((u) => [u.name, { id: u.id, name: u.name, isAdmin: false }]));
      const rows = await db().server.findMany({ include: { owner: true } });

      const rt = runtime() as KubeRuntime;
      watchRuntimeExits();
      await Promise.all([rt.pods.ready(), rt.claims.ready()]);

      // When each startServer() returned (its database part done, the runtime's start launched).
      const accepted: number[] = [];
      const startOne = async (owner: string, name: string): Promise<number> => {
        const t = performance.now();
        const s = await startServer(actors.get(owner)!, owner, name);
        accepted.push(performance.now());
        await pendingStarts().get(s.id)?.done;
        return performance.now() - t;
      };

      // Anchor: one start alone (person p000's default server), same latency and simulator.
      const single = await startOne("p000", "");
      process.stdout.write(`One start alone: ready in ${fmt(single)}.\n`);

      const burst = rows.filter((r) => r.owner.name !== "p000");
      const n = burst.length;
      const berthBefore = await counts(rig.berthServer);
      const clusterBefore = await counts(rig.clusterServer);
      await rig.clear();
      process.stdout.write(`Burst: ${n} starts (${PEOPLE} people × ${EACH}), ${LATENCY_MS} ms added to every API call…\n`);
      const t0 = performance.now();
      const t0Epoch = Date.now();
      let lastCreate = 0;
      const off = rt.pods.on((_name, _pod, type) => {
        if (type === "ADDED") lastCreate = performance.now() - t0;
      });
      const progress = setInterval(() => {
        void db()
          .server.groupBy({ by: ["state"], _count: true })
          .then((g) => process.stdout.write(`  ${fmt(performance.now() - t0)}: ${g.map((x) => `${x.state} ${x._count}`).join(", ")}\n`));
      }, 10_000);
      const times = await Promise.all(burst.map((r) => startOne(r.owner.name, r.name).catch(() => NaN)));
      const allDone = performance.now() - t0;
      clearInterval(progress);
      off();
      const berthAfter = await counts(rig.berthServer);
      const clusterAfter = await counts(rig.clusterServer);
      const { requests: berthProxied, peakInFlight } = await rig.requests();

      const final = await db().server.findMany({ where: { id: { in: burst.map((r) => r.id) } } });
      const failed = final.filter((r) => r.state !== "running");
      const ok = times.filter((t) => Number.isFinite(t)).sort((a, b) => a - b);
      const berthDelta = countsDelta(berthBefore, berthAfter);
      const clusterDelta = countsDelta(clusterBefore, clusterAfter);
      // The second API server's own loopback housekeeping (its bootstrap controllers read the
      // `kubernetes` Service and the system namespaces every few seconds) is on its /metrics too:
      // Berth's Role allows none of those resources, so they are told apart by resource.
      const housekeeping = berthDelta.filter(([k]) => k !== NON_RESOURCE && !BERTH_RESOURCES.has(k.split(" ")[1]));
      const berthOwn = berthDelta.filter(([k]) => BERTH_RESOURCES.has(k.split(" ")[1]));
      const berthTotal = resourceTotal(berthOwn);
      const perStart = berthTotal / n;

      process.stdout.write(`\nAll ${n} settled in ${fmt(allDone)}: ${n - failed.length} running, ${failed.length} not.\n`);
      for (const f of failed.slice(0, 5)) process.stdout.write(`  not running: ${f.name || "(default)"} ${f.state}: ${f.stateReason ?? ""}\n`);
      const acc = accepted.slice(1).map((t) => t - t0).sort((a, b) => a - b);
      process.stdout.write(`  startServer() returned (database part) p50 ${fmt(percentile(acc, 0.5))}, last ${fmt(acc.at(-1) ?? NaN)}\n`);
      process.stdout.write(`  last pod created at ${fmt(lastCreate)}; per start p50 ${fmt(percentile(ok, 0.5))}, p95 ${fmt(percentile(ok, 0.95))}, max ${fmt(ok.at(-1) ?? NaN)}\n`);
      process.stdout.write(`${podTimeline(rt, burst.map((r) => r.id), t0Epoch)}\n`);
      process.stdout.write(`\nBerth's API server (apiserver_request_total delta): ${berthTotal} requests, ${perStart.toFixed(2)} per start\n`);
      process.stdout.write(`${breakdown("by verb and resource", berthOwn, n)}\n`);
      if (housekeeping.length) process.stdout.write(`  not Berth's (the API server's own housekeeping): ${housekeeping.map(([k, v]) => `${k} ${v}`).join(", ")}\n`);
      process.stdout.write(`  (the fault proxy saw ${berthProxied.length} requests from Berth; statuses: ${statusSummary(berthProxied.map((r) => r.status))}; at most ${peakInFlight} at once)\n`);
      process.stdout.write(`${timeline(berthProxied, t0Epoch)}\n`);
      const clusterTotal = resourceTotal(clusterDelta);
      process.stdout.write(`\nThe other API server (kubelet simulator + controllers) for the same burst: ${clusterTotal} requests, ${(clusterTotal / n).toFixed(1)} per start\n`);
      process.stdout.write(`${breakdown("largest", clusterDelta.filter(([k]) => k !== NON_RESOURCE).slice(0, 12), n)}\n`);

      const bench = "kube-burst";
      report({
        bench,
        figure: `failed starts of ${n} concurrent (${PEOPLE} people, +${LATENCY_MS} ms per API call)`,
        unit: "starts",
        better: "lower",
        berth: failed.length,
        goal: valueGoal(failed.length, "<=", 0, "0 failures"),
        note: failed.length ? `first reason: ${failed[0].stateReason ?? failed[0].state}` : undefined,
      });
      report({
        bench,
        figure: "API requests per start (Berth's API server, apiserver_request_total)",
        unit: "req",
        better: "lower",
        berth: perStart,
        goal: valueGoal(perStart, "<=", 3, "≤ 3 per start"),
        note: `${berthOwn.map(([k, v]) => `${k} ${(v / n).toFixed(2)}`).join(", ")}; the simulated kubelets and controllers made ${(clusterTotal / n).toFixed(1)} more per start on their own API server`,
      });
      report({
        bench,
        figure: `time to all ${n} ready`,
        unit: "s",
        better: "lower",
        berth: allDone / 1000,
        anchor: { name: "one start alone, same rig", value: single / 1000 },
        note: `all pods created after ${fmt(lastCreate)}; per start p50 ${fmt(percentile(ok, 0.5))}, p95 ${fmt(percentile(ok, 0.95))}; pods run a stand-in for Jupyter (two cores cannot start 500 Jupyters)`,
      });
      await rt.shutdown();
    });
  } finally {
    await rig.stop();
  }
}

/** When Berth's calls reached the API server during the burst (t0: its start, epoch ms), per method and path shape. */
function timeline(requests: SeenRequest[], t0: number): string {
  const groups = new Map<string, SeenRequest[]>();
  for (const r of requests) {
    const key = `${r.method} ${r.path.replace(/\/namespaces\/[^/]+\//, "/ns/").replace(/^\/apis?\/(?:[^/]+\/)?v1\//, "")}${r.watch ? " (watch)" : ""}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const lines = [...groups].map(([k, rs]) => {
    const at = rs.map((r) => r.at - t0).sort((a, b) => a - b);
    const ms = rs.map((r) => r.ms ?? NaN).filter(Number.isFinite).sort((a, b) => a - b);
    return `    ${k.padEnd(40)} ${String(rs.length).padStart(5)}  arrived ${fmt(at[0])} … ${fmt(at.at(-1)!)}, answered in p50 ${Math.round(percentile(ms, 0.5))} ms, max ${Math.round(ms.at(-1) ?? NaN)} ms`;
  });
  return ["  at the fault proxy:", ...lines].join("\n");
}

/** When the burst's pods were created, bound and made ready, from their own metadata and status (1 s resolution). */
function podTimeline(rt: KubeRuntime, serverIds: string[], t0: number): string {
  const stamps = { created: [] as number[], scheduled: [] as number[], started: [] as number[], ready: [] as number[] };
  for (const id of serverIds) {
    const pod = rt.podFor(id);
    if (!pod) continue;
    const cond = (t: string) => pod.status?.conditions?.find((c) => c.type === t && c.status === "True")?.lastTransitionTime;
    const push = (list: number[], d: Date | string | undefined) => d && list.push(new Date(d).getTime() - t0);
    push(stamps.created, pod.metadata?.creationTimestamp);
    push(stamps.scheduled, cond("PodScheduled"));
    push(stamps.started, pod.status?.containerStatuses?.[0]?.state?.running?.startedAt);
    push(stamps.ready, cond("Ready"));
  }
  const line = (what: string, l: number[]) => {
    l.sort((a, b) => a - b);
    return `${what} p50 ${fmt(percentile(l, 0.5))}, last ${fmt(l.at(-1) ?? NaN)}`;
  };
  return `  pods (their own timestamps): ${line("created", stamps.created)}; ${line("bound", stamps.scheduled)}; ${line("container started", stamps.started)}; ${line("Ready", stamps.ready)}`;
}

function statusSummary(statuses: (number | undefined)[]): string {
  const m = new Map<string, number>();
  for (const s of statuses) m.set(String(s ?? "open"), (m.get(String(s ?? "open")) ?? 0) + 1);
  return [...m].map(([k, v]) => `${k}×${v}`).join(", ");
}


main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`kube-burst: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
