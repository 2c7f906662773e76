import http from "node:http";
import { startJiraDouble } from "../test/doubles/jira";
import { createDatabase, dropDatabase } from "../test/helpers/pg";
import { startBerth, startJupyterHub, type Running } from "../test/compat/servers";
import { needJupyterHub } from "./lib/anchors";
import { Browser } from "./lib/http-client";
import { closedLoop, type LoadResult } from "./lib/load";
import { ratioGoal, report, valueGoal } from "./lib/report";

// Sign-ins per second, the way a browser signs in, from CLIENTS concurrent loops over PEOPLE
// distinct people: first every person's first sign-in (which creates the user), then returning
// sign-ins for a few seconds.
// - Berth (production build, Jira sign-in against a zero-latency Jira double, scratch database):
//   GET /api/auth/csrf, then POST /api/auth/callback/jira with the CSRF token and cookie, ending
//   with next-auth's session cookie set.
// - Anchor, same run: Debian's JupyterHub 3.0 with DummyAuthenticator: GET /hub/login (the _xsrf
//   cookie and form field), then POST /hub/login, ending with jupyterhub-hub-login set.
// Every sign-in must end with its session cookie; a sample of the cookies is then used to prove a
// real session exists (Berth's /api/auth/session names the person; JupyterHub's /hub/home answers
// 200 instead of sending to the login page).
// Berth's sign-in limits count failed attempts only (per address and per username), so these
// successful sign-ins from one loopback address are not limited and no setting is raised.

const CLIENTS = 10;
const PEOPLE = Number(process.env.PEOPLE ?? 200);
const RETURNING_MS = Number(process.env.RET_MS ?? 6_000);
const SAMPLE_EVERY = 20;

const people = Array.from({ length: PEOPLE }, (_, i) => ({ name: `person${String(i + 1).padStart(3, "0")}`, key: `JIRAUSER${20000 + i}`, password: `pw-${i + 1}-Jira` }));
const warmups = Array.from({ length: 5 }, (_, k) => ({ name: `warmup${k}`, key: `JIRAUSER${10000 + k}`, password: `pw-warm-${k}` }));

type SignIn = (browser: Browser, person: { name: string; password: string }) => Promise<void>;
type Verify = (browser: Browser, person: { name: string }) => Promise<boolean>;

async function measure(base: string, signIn: SignIn, verify: Verify, what: string): Promise<{ first: LoadResult; returning: LoadResult; verified: string }> {
  const agents = Array.from({ length: CLIENTS }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const samples: { browser: Browser; person: { name: string } }[] = [];
  const op = async (client: number, i: number) => {
    const person = people[i % PEOPLE];
    const browser = new Browser(base, agents[client]);
    await signIn(browser, person);
    if (i % SAMPLE_EVERY === 0) samples.push({ browser, person });
  };
  // Warm-up: a few sign-ins of people outside the measured set (first compile of routes, JIT).
  const warm = new Browser(base, agents[0]);
  for (const w of warmups) await signIn(warm, w).catch(() => undefined);
  const first = await closedLoop({ clients: CLIENTS, durationMs: 120_000, maxOps: PEOPLE, op });
  const returning = await closedLoop({ clients: CLIENTS, durationMs: RETURNING_MS, op });
  let ok = 0;
  for (const s of samples) if (await verify(s.browser, s.person)) ok++;
  for (const a of agents) a.destroy();
  const verified = `${ok}/${samples.length}`;
  process.stdout.write(`${what}: first sign-ins ${first.perSecond.toFixed(1)}/s (p50 ${first.p50.toFixed(0)} ms, p95 ${first.p95.toFixed(0)} ms, ${first.errors} errors${first.firstError ? `: ${first.firstError}` : ""}); returning ${returning.perSecond.toFixed(1)}/s (p50 ${returning.p50.toFixed(0)} ms, p95 ${returning.p95.toFixed(0)} ms, ${returning.errors} errors${returning.firstError ? `: ${returning.firstError}` : ""}); sessions verified ${verified}\n`);
  if (ok !== samples.length) throw new Error(`${what}: only ${verified} sampled sign-ins had a working session.`);
  return { first, returning, verified };
}

const berthSignIn: SignIn = async (b, person) => {
  const csrf = await b.request("GET", "/api/auth/csrf");
  if (csrf.status !== 200) throw new Error(`GET /api/auth/csrf: HTTP ${csrf.status}`);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  // What next-auth's signIn("jira", …) in the page posts.
  const r = await b.request("POST", "/api/auth/callback/jira", { username: person.name, password: person.password, csrfToken, callbackUrl: "/servers", json: "true" }, { origin: b.origin, referer: `${b.origin}/signin` });
  if (!b.cookies.has("next-auth.session-token")) throw new Error(`POST /api/auth/callback/jira: HTTP ${r.status} without a session cookie: ${r.body.slice(0, 200)}`);
};

const berthVerify: Verify = async (b, person) => {
  const r = await b.request("GET", "/api/auth/session");
  const ok = r.status === 200 && (JSON.parse(r.body) as { user?: { name?: string } }).user?.name === person.name;
  if (!ok && process.env.DEBUG_BENCH) process.stdout.write(`${r.status} ${r.body} ${b.cookieHeader()}\n`);
  return ok;
};

const hubSignIn: SignIn = async (b, person) => {
  const page = await b.request("GET", "/hub/login");
  if (page.status !== 200) throw new Error(`GET /hub/login: HTTP ${page.status}`);
  const xsrf = /name="_xsrf"\s+value="([^"]+)"/.exec(page.body)?.[1] ?? b.cookies.get("_xsrf");
  const form: Record<string, string> = { username: person.name, password: person.password };
  if (xsrf) form._xsrf = xsrf;
  const r = await b.request("POST", "/hub/login?next=", form, { origin: b.origin, referer: `${b.origin}/hub/login` });
  if (r.status !== 302 || !b.cookies.has("jupyterhub-hub-login")) throw new Error(`POST /hub/login: HTTP ${r.status} without jupyterhub-hub-login: ${r.body.slice(0, 200)}`);
};

const hubVerify: Verify = async (b) => {
  const r = await b.request("GET", "/hub/home");
  return r.status === 200 && r.body.includes("Logout");
};

async function main() {
  needJupyterHub();
  const jira = await startJiraDouble({ users: [...people, ...warmups].map((p) => ({ ...p, email: `${p.name}@example.org`, displayName: p.name })) });
  const scratch = await createDatabase("berth_bench_signin");
  let berth: Running | undefined;
  let hub: Running | undefined;
  try {
    const env: Record<string, string> = { JIRA_URL: jira.url };
    // For profiling the server under this load, e.g. "--require /path/to/a/profiler-preload.cjs".
    if (process.env.BERTH_BENCH_NODE_OPTIONS) env.NODE_OPTIONS = process.env.BERTH_BENCH_NODE_OPTIONS;
    berth = await startBerth({ databaseUrl: scratch.url, env });
    const b = await measure(berth.url, berthSignIn, berthVerify, "Berth");
    await berth.stop();
    berth = undefined;
    hub = await startJupyterHub({ namedServerLimit: 0, users: "any" });
    const h = await measure(hub.url, hubSignIn, hubVerify, "JupyterHub");

    const note = (r: LoadResult) => `${CLIENTS} clients, ${PEOPLE} people; p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms`;
    for (const [figure, br, hr] of [
      ["first sign-in (creates the user)", b.first, h.first],
      ["returning sign-in", b.returning, h.returning],
    ] as const) {
      const f = { berth: br.perSecond, anchor: { name: "JupyterHub 3.0", value: hr.perSecond } };
      const ten = ratioGoal(f, ">=", 10, "≥ 50/s and ≥ 10× JupyterHub")!;
      const fifty = valueGoal(br.perSecond, ">=", 50, "")!;
      report({
        bench: "sign-in",
        figure: `${figure}, ${CLIENTS} clients`,
        unit: "sign-ins/s",
        better: "higher",
        ...f,
        goal: { text: ten.text, met: ten.met && fifty.met },
        note: `Berth: ${note(br)}; JupyterHub: ${note(hr)}. Jira double answers at once; sessions checked on a sample (Berth ${b.verified}, JupyterHub ${h.verified}).`,
      });
    }
  } finally {
    await berth?.stop().catch(() => undefined);
    await hub?.stop().catch(() => undefined);
    await jira.close();
    await dropDatabase(scratch.name).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
