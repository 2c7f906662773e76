import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import os from "node:os";
import { encode } from "next-auth/jwt";
import { createDatabase, dropDatabase, query } from "../test/helpers/pg";
import { freePort } from "../test/helpers";
import { startBerth, type Running } from "../test/compat/servers";
import { chpProgram, needWrk } from "./lib/anchors";
import { ratioGoal, report, type Figure } from "./lib/report";
import { wrk, type WrkResult } from "./lib/wrk";
import { wsConnects, wsMessages } from "./lib/ws-load";

// Berth's proxy against configurable-http-proxy 5.x (what JupyterHub runs) and against the direct
// path, in one run: a small Node upstream on loopback (bench/lib/proxy-upstream.mjs: a small JSON,
// a 1 MiB body, a WebSocket echo) reached directly, through CHP (a route added through its REST API)
// and through the real Berth server process (production build, scratch database) as a signed-in
// user whose running server's upstream is that process — so each request goes through Berth's real
// session check and route lookup. HTTP with wrk (1 thread, keep-alive) at 1, 10 and 100
// connections; WebSocket echo messages/s and handshakes/s with the `ws` package.
//
// Cores: on a machine with two or more, wrk, the upstream and the WebSocket clients share CPU 1 and
// the proxy (CHP or Berth, all its threads) has CPU 0 (taskset); the direct path runs on CPU 1 only.
// BERTH_BENCH_PIN=0 leaves scheduling to the kernel. BERTH_BENCH_SECONDS sets each wrk run (default 5).
// BERTH_BENCH_CPU_PROF=<folder> runs Berth with `node --cpu-prof` writing there, under one load only
// (BERTH_BENCH_PROFILE_LOAD: small, big or ws; BERTH_BENCH_PROFILE_CONNECTIONS, default 10, or 4
// WebSocket clients, for 10 s), and reports
// nothing: read the profile's last seconds with bench/lib/profile-summary.ts.

const SECONDS = Number(process.env.BERTH_BENCH_SECONDS ?? 5);
const CONNECTIONS = [1, 10, 100];
const WS_CLIENTS = 4;
const PIN = os.cpus().length >= 2 && process.env.BERTH_BENCH_PIN !== "0";
const PROXY_CPU = 0;
const LOAD_CPU = 1;
const USER = "bench";
const CLK_TCK = 100; // Linux's USER_HZ, what /proc/<pid>/stat counts in
const CORES = PIN
  ? `wrk (1 thread), the upstream and the WebSocket clients pinned to CPU ${LOAD_CPU}, the proxy (Berth or CHP) to CPU ${PROXY_CPU}; direct = wrk and upstream on CPU ${LOAD_CPU} alone`
  : "wrk (1 thread), upstream, WebSocket clients and the proxy share the machine's cores unpinned";

function pin(pid: number, cpu: number): void {
  if (!PIN) return;
  const r = spawnSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`taskset could not pin ${pid}: ${r.stderr}`);
}

/** The process listening on a loopback port (Berth runs under npx → tsx → node). */
function listenerPid(port: number): number {
  const r = spawnSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  const m = /pid=(\d+)/.exec(r.stdout);
  if (!m) throw new Error(`No process found listening on port ${port}: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  });
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Sends SIGTERM to a process (not its group) and waits up to 60 s for it to be gone. */
async function exitOf(pid: number): Promise<void> {
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 600; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs one of bench/lib's small Node servers, which print {"port": N} once they listen. */
async function startNodeScript(script: string, args: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [new URL(`./lib/${script}`, import.meta.url).pathname, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}).`)));
  });
  return { url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, child };
}

async function startChp(upstream: string): Promise<{ url: string; child: ChildProcess }> {
  const [port, apiPort] = [await freePort(), await freePort()];
  const token = randomBytes(16).toString("hex");
  const child = spawn(chpProgram(), ["--ip", "127.0.0.1", "--port", String(port), "--api-ip", "127.0.0.1", "--api-port", String(apiPort)], {
    env: { ...process.env, CONFIGPROXY_AUTH_TOKEN: token },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const api = `http://127.0.0.1:${apiPort}/api/routes/user/${USER}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(api, { method: "POST", headers: { authorization: `token ${token}` }, body: JSON.stringify({ target: upstream }) });
      if (r.status === 201) break;
      throw new Error(`CHP answered ${r.status} adding the route`);
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Real Berth on a scratch database, with a signed-in user whose running default server is `upstream`. */
async function startBerthWithServer(upstream: string): Promise<{ berth: Running; url: string; cookie: string; dropDb: () => Promise<void> }> {
  const db = await createDatabase("berth_bench_proxy");
  const secret = randomBytes(32).toString("base64url");
  const prof = process.env.BERTH_BENCH_CPU_PROF;
  let berth: Running;
  try {
    berth = await startBerth({ databaseUrl: db.url, env: { NEXTAUTH_SECRET: secret, BERTH_LOG_LEVEL: "warn" }, nodeArgs: prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : [] });
  } catch (err) {
    await dropDatabase(db.name);
    throw err;
  }
  // The rows sign-in and a server start leave: a user, its session, its running default server.
  const userId = randomUUID();
  const sid = randomUUID();
  await query(db.url, "INSERT INTO users (id, name) VALUES ($1, $2)", [userId, USER]);
  await query(db.url, "INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')", [sid, userId]);
  await query(
    db.url,
    `INSERT INTO servers (id, owner_id, name, profile, state, token, upstream, started_at, last_activity_at)
     VALUES ($1, $2, '', 'default', 'running', $3, $4, now(), now())`,
    [randomUUID(), userId, randomBytes(24).toString("hex"), upstream],
  );
  const jwt = await encode({ token: { sub: userId, sid, uid: userId, uname: USER, name: USER, isAdmin: false }, secret });
  return { berth, url: berth.url, cookie: `next-auth.session-token=${jwt}`, dropDb: () => dropDatabase(db.name) };
}

interface Target {
  name: "direct" | "CHP" | "Node floor" | "Berth";
  url: string;
  headers: Record<string, string>;
  /** The proxy's process, for its CPU time per request. */
  pid?: number;
}

type Measured = WrkResult & { cpuMicros: number };

async function check(t: Target): Promise<void> {
  const r = await fetch(`${t.url}/user/${USER}/api/small`, { headers: t.headers });
  const body = await r.text();
  if (r.status !== 200 || !body.includes("execution_state")) throw new Error(`${t.name} did not proxy /user/${USER}/api/small: ${r.status} ${body.slice(0, 200)}`);
}

const fmt = (r: WrkResult & { cpuMicros?: number }) =>
  `${Math.round(r.requestsPerSecond).toString().padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${r.cpuMicros && Number.isFinite(r.cpuMicros) ? `  proxy CPU ${Math.round(r.cpuMicros)} µs/req` : ""}${r.errors ? `  ${r.errors} errors` : ""}`;

async function main() {
  needWrk();
  if (PIN) pin(process.pid, LOAD_CPU); // the upstream and CHP start from here and inherit it
  const cleanup: (() => Promise<void>)[] = [];
  try {
    const upstream = await startNodeScript("proxy-upstream.mjs");
    cleanup.unshift(() => stopChild(upstream.child));
    const floor = await startNodeScript("node-floor-proxy.mjs", [upstream.url]);
    cleanup.unshift(() => stopChild(floor.child));
    pin(floor.child.pid!, PROXY_CPU);
    const chp = await startChp(upstream.url);
    cleanup.unshift(() => stopChild(chp.child));
    pin(chp.child.pid!, PROXY_CPU);
    process.stdout.write("Starting Berth (production build, scratch database)…\n");
    const b = await startBerthWithServer(upstream.url);
    cleanup.unshift(b.dropDb);
    cleanup.unshift(() => b.berth.stop());
    const berthPid = listenerPid(Number(new URL(b.url).port));
    pin(berthPid, PROXY_CPU);
    // The profile is written when the server exits by itself; stopping the group would kill it first.
    if (process.env.BERTH_BENCH_CPU_PROF) cleanup.unshift(() => exitOf(berthPid));
    process.stdout.write(`${CORES}. Load: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
    await run([
      { name: "direct", url: upstream.url, headers: {} },
      { name: "CHP", url: chp.url, headers: {}, pid: chp.child.pid },
      { name: "Node floor", url: floor.url, headers: {}, pid: floor.child.pid },
      { name: "Berth", url: b.url, headers: { cookie: b.cookie }, pid: berthPid },
    ]);
    process.stdout.write(`Load after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
  } finally {
    for (const c of cleanup) await c().catch((err: unknown) => process.stderr.write(`cleanup: ${String(err)}\n`));
  }
}

async function run(targets: Target[]) {
  for (const t of targets) await check(t);
  if (process.env.BERTH_BENCH_CPU_PROF) return profileLoad(targets.find((t) => t.name === "Berth")!);
  // JIT and keep-alive pools warm before anything counts.
  for (const t of targets) await wrk(`${t.url}/user/${USER}/api/small`, { connections: 10, seconds: 2, headers: t.headers, cpu: PIN ? LOAD_CPU : undefined });

  const bodies = [
    { label: "small JSON", path: "api/small" },
    { label: "1 MiB body", path: "files/big" },
  ];
  for (const body of bodies) {
    for (const c of CONNECTIONS) {
      const r: Record<string, Measured> = {};
      // One after another for each case, so the three see the same moment of the machine's load.
      for (const t of targets) {
        const cpu0 = cpuSeconds(t.pid);
        const w = await wrk(`${t.url}/user/${USER}/${body.path}`, { connections: c, seconds: SECONDS, headers: t.headers, cpu: PIN ? LOAD_CPU : undefined });
        r[t.name] = { ...w, cpuMicros: ((cpuSeconds(t.pid) - cpu0) * 1e6) / w.requests };
        process.stdout.write(`${body.label.padEnd(10)} ${String(c).padStart(3)} conn  ${t.name.padEnd(10)} ${fmt(r[t.name])}\n`);
      }
      reportHttp(body.label, c, r);
    }
  }

  const wsUrl = (t: Target) => `${t.url.replace("http", "ws")}/user/${USER}/api/ws`;
  const msgs: Record<string, number> = {};
  const conns: Record<string, number> = {};
  for (const t of targets) {
    msgs[t.name] = (await wsMessages(wsUrl(t), { clients: WS_CLIENTS, seconds: SECONDS, headers: t.headers })).perSecond;
    process.stdout.write(`WebSocket echo, ${WS_CLIENTS} clients  ${t.name.padEnd(10)} ${Math.round(msgs[t.name])} msg/s\n`);
  }
  for (const t of targets) {
    conns[t.name] = (await wsConnects(wsUrl(t), { clients: WS_CLIENTS, seconds: Math.min(SECONDS, 4), headers: t.headers })).perSecond;
    process.stdout.write(`WebSocket connects, ${WS_CLIENTS} at a time  ${t.name.padEnd(10)} ${Math.round(conns[t.name])} /s\n`);
  }
  reportWs(msgs, conns);
}

async function profileLoad(t: Target) {
  const load = process.env.BERTH_BENCH_PROFILE_LOAD ?? "small";
  const cpu = PIN ? LOAD_CPU : undefined;
  if (load === "ws") {
    const r = await wsMessages(`${t.url.replace("http", "ws")}/user/${USER}/api/ws`, { clients: WS_CLIENTS, seconds: 10, headers: t.headers });
    process.stdout.write(`profiled: WebSocket echo ${Math.round(r.perSecond)} msg/s\n`);
  } else {
    const connections = Number(process.env.BERTH_BENCH_PROFILE_CONNECTIONS ?? 10);
    const r = await wrk(`${t.url}/user/${USER}/${load === "big" ? "files/big" : "api/small"}`, { connections, seconds: 10, headers: t.headers, cpu });
    process.stdout.write(`profiled: ${load} ${fmt(r)}\n`);
  }
}

function reportHttp(label: string, c: number, r: Record<string, Measured>) {
  const base = `HTTP ${label}, ${c} conn`;
  const goals = c === 10;
  const errors = Object.entries(r).filter(([, x]) => x.errors).map(([n, x]) => `${n}: ${x.errors} errors`);
  const note = [CORES, ...errors].join("; ");
  const rps: Figure = { bench: "proxy", figure: `${base}, req/s`, unit: "req/s", better: "higher", berth: r.Berth.requestsPerSecond, anchor: { name: "CHP 5", value: r.CHP.requestsPerSecond } };
  if (goals) rps.goal = ratioGoal(rps, ">=", 3, "≥ 3× CHP");
  report({ ...rps, note: goals ? note : undefined });
  const p99: Figure = { bench: "proxy", figure: `${base}, p99`, unit: "ms", better: "lower", berth: r.Berth.p99, anchor: { name: "CHP 5", value: r.CHP.p99 } };
  if (goals) p99.goal = ratioGoal(p99, "<=", 0.5, "≤ ½ CHP p99");
  report(p99);
  const direct: Figure = { bench: "proxy", figure: `${base}, req/s vs direct`, unit: "req/s", better: "higher", berth: r.Berth.requestsPerSecond, anchor: { name: "direct", value: r.direct.requestsPerSecond } };
  if (goals) direct.goal = ratioGoal(direct, ">=", 0.3, "≥ 0.3× direct");
  report(direct);
  // The proxy's own CPU time per request: what the throughput would be on an idle core, and far
  // less disturbed than req/s by whatever else the machine runs.
  if (c !== 10) return;
  const cpuNote = "user + system CPU time of the proxy process (all threads, /proc) over the 10-connection run ÷ requests";
  report({ bench: "proxy", figure: `HTTP ${label}, proxy CPU per request`, unit: "µs", better: "lower", berth: r.Berth.cpuMicros, anchor: { name: "CHP 5", value: r.CHP.cpuMicros }, note: cpuNote });
  // What Node's own HTTP costs a proxy that does nothing else (bench/lib/node-floor-proxy.mjs): the
  // ceiling any proxy built on Node's http module can reach on this core.
  const floorNote = "the Node floor forwards to the one upstream with no session, route or header work";
  report({ bench: "proxy", figure: `${base}, req/s vs the Node floor`, unit: "req/s", better: "higher", berth: r.Berth.requestsPerSecond, anchor: { name: "bare Node http proxy", value: r["Node floor"].requestsPerSecond }, note: floorNote });
  report({ bench: "proxy", figure: `HTTP ${label}, proxy CPU per request vs the Node floor`, unit: "µs", better: "lower", berth: r.Berth.cpuMicros, anchor: { name: "bare Node http proxy", value: r["Node floor"].cpuMicros }, note: `${cpuNote}; ${floorNote}` });
}

function reportWs(msgs: Record<string, number>, conns: Record<string, number>) {
  const note = `${WS_CLIENTS} clients ping-ponging 64-byte messages (ws package, on the load CPU); ${CORES}`;
  const m: Figure = { bench: "proxy", figure: `WebSocket echo, ${WS_CLIENTS} clients`, unit: "msg/s", better: "higher", berth: msgs.Berth, anchor: { name: "CHP 5", value: msgs.CHP } };
  report({ ...m, goal: ratioGoal(m, ">=", 1, "≥ CHP"), note });
  report({ bench: "proxy", figure: `WebSocket echo, ${WS_CLIENTS} clients, vs the Node floor`, unit: "msg/s", better: "higher", berth: msgs.Berth, anchor: { name: "bare Node proxy (sockets piped)", value: msgs["Node floor"] } });
  report({ bench: "proxy", figure: `WebSocket echo, ${WS_CLIENTS} clients, vs direct`, unit: "msg/s", better: "higher", berth: msgs.Berth, anchor: { name: "direct", value: msgs.direct } });
  report({ bench: "proxy", figure: `WebSocket connects, ${WS_CLIENTS} at a time`, unit: "/s", better: "higher", berth: conns.Berth, anchor: { name: "CHP 5", value: conns.CHP } });
  report({ bench: "proxy", figure: `WebSocket connects, ${WS_CLIENTS} at a time, vs direct`, unit: "/s", better: "higher", berth: conns.Berth, anchor: { name: "direct", value: conns.direct } });
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
