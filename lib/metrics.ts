import { PROVIDERS } from "./launch/repo-spec";
import { log } from "./log";
import { shared } from "./shared";

// Prometheus metrics in the text exposition format (version 0.0.4), written here rather than
// pulled in as a dependency: three metric kinds and one renderer are all Berth needs.
// The registry lives in shared(): Next's bundle (route handlers that launch) and server.ts's
// module graph (background jobs) are separate module graphs in one process, and a scrape must
// see what both recorded.
// Labels are a closed set on purpose: a provider id and a status, never a repository, user or
// server name — those would make a series per person (unbounded, and a privacy leak to whoever
// reads the metrics).

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Kind = "counter" | "gauge" | "histogram";

interface Series {
  labelValues: string[];
  value: number;
  /** histogram only: cumulative counts per bucket (same order as the family's buckets) */
  buckets?: number[];
  sum?: number;
  count?: number;
}

interface Family {
  name: string;
  help: string;
  kind: Kind;
  labelNames: readonly string[];
  buckets?: readonly number[];
  series: Map<string, Series>;
}

const registry = () => shared("metrics", () => new Map<string, Family>());

function family(name: string, kind: Kind, help: string, labelNames: readonly string[], buckets?: readonly number[]): Family {
  const families = registry();
  let f = families.get(name);
  if (!f) {
    f = { name, kind, help, labelNames, buckets, series: new Map() };
    families.set(name, f);
  }
  return f;
}

function series(f: Family, labels: Record<string, string>): Series {
  const values = f.labelNames.map((n) => labels[n] ?? "");
  const key = values.join("\u0000");
  let s = f.series.get(key);
  if (!s) {
    s = { labelValues: values, value: 0 };
    if (f.kind === "histogram") Object.assign(s, { buckets: f.buckets!.map(() => 0), sum: 0, count: 0 });
    f.series.set(key, s);
  }
  return s;
}

function add(f: Family, labels: Record<string, string>, by: number): void {
  series(f, labels).value += by;
}

function observe(f: Family, labels: Record<string, string>, value: number): void {
  if (!Number.isFinite(value) || value < 0) return;
  const s = series(f, labels);
  f.buckets!.forEach((le, i) => {
    if (value <= le) s.buckets![i] += 1;
  });
  s.sum! += value;
  s.count! += 1;
}

// --- Berth's metrics ----------------------------------------------------------------------------

const BUILD_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600];
const LAUNCH_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 180, 300, 600];

// Defined when first used rather than at import, so resetMetrics() can drop everything.
const buildsInProgress = () => family("berth_builds_in_progress", "gauge", "Image builds this Berth process is running or waiting for now.", []);
const buildDuration = () =>
  family("berth_build_duration_seconds", "histogram", "Time from the start of an image build to its end, by repository provider and outcome.", ["provider", "status"], BUILD_BUCKETS);
const buildsTotal = () => family("berth_builds_total", "counter", "Image builds finished, by repository provider and outcome.", ["provider", "status"]);
const launchDuration = () =>
  family("berth_launch_duration_seconds", "histogram", "Time from a launch request to its server being ready (or the launch ending), by repository provider and outcome.", ["provider", "status"], LAUNCH_BUCKETS);
const launchesTotal = () => family("berth_launches_total", "counter", "Launches of repositories, by repository provider and outcome (refused: stopped by a policy or quota).", ["provider", "status"]);
const cacheHits = () => family("berth_build_cache_hits_total", "counter", "Launches that found their image already built in the registry, by repository provider.", ["provider"]);

/** The provider as a label: one of Berth's provider ids, anything else collapses into "other". */
function providerLabel(provider: string): string {
  return (PROVIDERS as readonly string[]).includes(provider) ? provider : "other";
}

/**
 * Counts a build as in progress until the returned finisher is called with its outcome; the
 * finisher records the duration and counts the build. Calling it again does nothing.
 */
export function trackBuild(provider: string): (status: "success" | "failure") => void {
  const started = performance.now();
  const p = providerLabel(provider);
  add(buildsInProgress(), {}, 1);
  let done = false;
  return (status) => {
    if (done) return;
    done = true;
    add(buildsInProgress(), {}, -1);
    const labels = { provider: p, status: status === "success" ? "success" : "failure" };
    observe(buildDuration(), labels, (performance.now() - started) / 1000);
    add(buildsTotal(), labels, 1);
  };
}

/** Records one launch: how long it took (request to ready, or to its end) and how it ended. */
export function observeLaunch(provider: string, status: "success" | "failure" | "refused", seconds: number): void {
  const labels = { provider: providerLabel(provider), status: ["success", "failure", "refused"].includes(status) ? status : "failure" };
  observe(launchDuration(), labels, seconds);
  add(launchesTotal(), labels, 1);
}

/** Counts a launch whose image was already in the registry (no build needed). */
export function countCacheHit(provider: string): void {
  add(cacheHits(), { provider: providerLabel(provider) }, 1);
}

/** Forgets every recorded value (tests). */
export function resetMetrics(): void {
  registry().clear();
}

// --- text format --------------------------------------------------------------------------------

const escapeHelp = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeLabel = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function labelText(pairs: [string, string][]): string {
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
}

function header(name: string, kind: Kind, help: string): string[] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${kind}`];
}

function renderFamily(f: Family): string[] {
  const lines = header(f.name, f.kind, f.help);
  // A gauge without labels always has a value; labelled series appear once something happened.
  if (f.series.size === 0 && f.labelNames.length === 0 && f.kind !== "histogram") lines.push(`${f.name} 0`);
  for (const s of f.series.values()) {
    const pairs = f.labelNames.map((n, i) => [n, s.labelValues[i]] as [string, string]);
    if (f.kind !== "histogram") {
      lines.push(`${f.name}${labelText(pairs)} ${formatNumber(s.value)}`);
      continue;
    }
    f.buckets!.forEach((le, i) => lines.push(`${f.name}_bucket${labelText([...pairs, ["le", formatNumber(le)]])} ${s.buckets![i]}`));
    lines.push(`${f.name}_bucket${labelText([...pairs, ["le", "+Inf"]])} ${s.count}`);
    lines.push(`${f.name}_sum${labelText(pairs)} ${formatNumber(s.sum!)}`);
    lines.push(`${f.name}_count${labelText(pairs)} ${s.count}`);
  }
  return lines;
}

/** One gauge family with values computed by the caller (database counts, process figures). */
export function gaugeText(name: string, help: string, values: { labels?: Record<string, string>; value: number }[]): string {
  const lines = header(name, "gauge", help);
  for (const v of values) lines.push(`${name}${labelText(Object.entries(v.labels ?? {}))} ${formatNumber(v.value)}`);
  return `${lines.join("\n")}\n`;
}

function processText(): string {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const startSeconds = Math.round((Date.now() - process.uptime() * 1000) / 10) / 100;
  return [
    ...header("process_cpu_seconds_total", "counter", "User and system CPU time spent by this process, in seconds."),
    `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    ...header("process_resident_memory_bytes", "gauge", "Resident memory of this process, in bytes."),
    `process_resident_memory_bytes ${mem.rss}`,
    ...header("process_start_time_seconds", "gauge", "When this process started, in seconds since the Unix epoch."),
    `process_start_time_seconds ${startSeconds}`,
    ...header("nodejs_heap_used_bytes", "gauge", "V8 heap in use, in bytes."),
    `nodejs_heap_used_bytes ${mem.heapUsed}`,
  ].join("\n") + "\n";
}

/** What this process recorded (builds, launches, cache hits) and its own figures, in the text format. */
export function renderMetrics(): string {
  // The families a scrape should always show exist even before the first build or launch.
  buildsInProgress();
  buildDuration();
  buildsTotal();
  launchDuration();
  launchesTotal();
  cacheHits();
  const lines: string[] = [];
  for (const f of registry().values()) lines.push(...renderFamily(f));
  return `${lines.join("\n")}\n${processText()}`;
}

const SERVER_STATES = ["stopped", "starting", "running", "stopping", "deleting", "failed"] as const;
const DB_TIMEOUT_MS = 3000;

/**
 * renderMetrics() plus what only the database knows: servers by state and the number of people.
 * Those are the same on every replica (aggregate them with max, not sum). A database that does
 * not answer within 3 s leaves them out and sets berth_database_up to 0 rather than failing the scrape.
 */
export async function collectMetrics(): Promise<string> {
  let fromDb = "";
  let up = 1;
  try {
    // Loaded here so code that only counts (builds, launches) does not load the database client.
    const { db } = await import("./db/client");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), DB_TIMEOUT_MS);
    });
    const [byState, users] = await Promise.race([Promise.all([db().server.groupBy({ by: ["state"], _count: { _all: true } }), db().user.count()]), timeout]).finally(() => clearTimeout(timer));
    const counts = new Map<string, number>(byState.map((r) => [r.state, r._count._all]));
    fromDb =
      gaugeText("berth_servers", "Notebook servers by state, from the database (the same on every replica).", SERVER_STATES.map((state) => ({ labels: { state }, value: counts.get(state) ?? 0 }))) +
      gaugeText("berth_users", "People with a Berth account, from the database (the same on every replica).", [{ value: users }]);
  } catch (err) {
    up = 0;
    log.warn("metrics: the database did not answer; servers and users left out of this scrape", { error: err instanceof Error ? err.message : String(err) });
  }
  return gaugeText("berth_database_up", "Whether the database answered this scrape (1) or not (0).", [{ value: up }]) + fromDb + renderMetrics();
}
