import { beforeEach, describe, expect, it, vi } from "vitest";
import { countCacheHit, gaugeText, observeLaunch, renderMetrics, resetMetrics, trackBuild } from "./metrics";

// The exposition format read back the way Prometheus reads it: # HELP / # TYPE per family, then
// `name{label="value",…} number` lines with \\, \" and \n escaped in label values.

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string) {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.split("\n").filter(Boolean)) {
    const meta = line.match(/^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/);
    if (meta) {
      const map = meta[1] === "HELP" ? help : type;
      expect(map.has(meta[2]), `${meta[1]} of ${meta[2]} given twice`).toBe(false);
      map.set(meta[2], meta[3].replace(/\\(n|\\)/g, (_, c: string) => (c === "n" ? "\n" : "\\")));
      continue;
    }
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    const body = m![2] ?? "";
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let consumed = 0;
    let p: RegExpExecArray | null;
    while (consumed < body.length && (p = re.exec(body)) !== null) {
      labels[p[1]] = p[2].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
      consumed = re.lastIndex;
    }
    expect(consumed, `labels not fully read in ${line}`).toBe(body.length);
    const v = m![3];
    samples.push({ name: m![1], labels, value: v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : Number(v) });
  }
  return { help, type, samples };
}

const pick = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const one = (samples: Sample[], name: string, labels: Record<string, string> = {}) => {
  const found = pick(samples, name, labels);
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0].value;
};

/** The buckets of one histogram series, in order, checked to be cumulative and to end in +Inf = count. */
function buckets(samples: Sample[], name: string, labels: Record<string, string>) {
  const rows = pick(samples, `${name}_bucket`, labels).map((s) => ({ le: s.labels.le === "+Inf" ? Infinity : Number(s.labels.le), count: s.value }));
  expect(rows.length).toBeGreaterThan(2);
  for (let i = 1; i < rows.length; i++) {
    expect(rows[i].le).toBeGreaterThan(rows[i - 1].le);
    expect(rows[i].count).toBeGreaterThanOrEqual(rows[i - 1].count);
  }
  expect(rows.at(-1)!.le).toBe(Infinity);
  expect(rows.at(-1)!.count).toBe(one(samples, `${name}_count`, labels));
  return rows;
}

beforeEach(() => resetMetrics());

describe("the metrics registry", () => {
  it("describes every family before anything happened, with the in-progress gauge at 0", () => {
    const { help, type, samples } = parse(renderMetrics());
    expect(type.get("berth_builds_in_progress")).toBe("gauge");
    expect(type.get("berth_build_duration_seconds")).toBe("histogram");
    expect(type.get("berth_builds_total")).toBe("counter");
    expect(type.get("berth_launch_duration_seconds")).toBe("histogram");
    expect(type.get("berth_launches_total")).toBe("counter");
    expect(type.get("berth_build_cache_hits_total")).toBe("counter");
    expect(type.get("process_resident_memory_bytes")).toBe("gauge");
    for (const name of type.keys()) expect(help.get(name), `help of ${name}`).toBeTruthy();
    expect(one(samples, "berth_builds_in_progress")).toBe(0);
    expect(pick(samples, "berth_builds_total")).toHaveLength(0);
    expect(one(samples, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("counts a build in progress until it finishes, then records its duration and outcome once", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      const finishA = trackBuild("gh");
      const finishB = trackBuild("gl");
      expect(one(parse(renderMetrics()).samples, "berth_builds_in_progress")).toBe(2);
      vi.advanceTimersByTime(42_000);
      finishA("success");
      finishA("failure"); // a second call is ignored
      finishB("failure");
      const { samples } = parse(renderMetrics());
      expect(one(samples, "berth_builds_in_progress")).toBe(0);
      expect(one(samples, "berth_builds_total", { provider: "gh", status: "success" })).toBe(1);
      expect(one(samples, "berth_builds_total", { provider: "gl", status: "failure" })).toBe(1);
      expect(pick(samples, "berth_builds_total", { provider: "gh", status: "failure" })).toHaveLength(0);
      const rows = buckets(samples, "berth_build_duration_seconds", { provider: "gh", status: "success" });
      expect(rows[0].le).toBe(1);
      expect(rows.at(-2)!.le).toBe(3600);
      expect(rows.find((r) => r.le === 30)!.count).toBe(0);
      expect(rows.find((r) => r.le === 60)!.count).toBe(1);
      expect(one(samples, "berth_build_duration_seconds_sum", { provider: "gh", status: "success" })).toBeCloseTo(42, 3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps launch histogram buckets cumulative, with +Inf equal to the count", () => {
    for (const s of [0.2, 0.7, 3, 3, 45, 700]) observeLaunch("gh", "success", s);
    observeLaunch("gist", "refused", 0.01);
    observeLaunch("gh", "success", Number.NaN); // counted, but not a duration: kept out of the histogram, never a NaN sum
    const { samples } = parse(renderMetrics());
    const rows = buckets(samples, "berth_launch_duration_seconds", { provider: "gh", status: "success" });
    const at = (le: number) => rows.find((r) => r.le === le)!.count;
    expect(rows[0].le).toBe(0.5);
    expect(rows.at(-2)!.le).toBe(600);
    expect([at(0.5), at(1), at(5), at(60), at(600), at(Infinity)]).toEqual([1, 2, 4, 5, 5, 6]);
    expect(one(samples, "berth_launch_duration_seconds_sum", { provider: "gh", status: "success" })).toBeCloseTo(751.9, 6);
    expect(one(samples, "berth_launches_total", { provider: "gh", status: "success" })).toBe(7);
    expect(one(samples, "berth_launches_total", { provider: "gist", status: "refused" })).toBe(1);
  });

  it("never labels with anything but a provider id, so repository and user names cannot leak", () => {
    observeLaunch("jupyterhub/binder-examples", "failure", 1);
    countCacheHit("alice's-repo");
    countCacheHit("git");
    countCacheHit("git");
    const text = renderMetrics();
    expect(text).not.toContain("binder-examples");
    expect(text).not.toContain("alice");
    const { samples } = parse(text);
    expect(one(samples, "berth_launches_total", { provider: "other", status: "failure" })).toBe(1);
    expect(one(samples, "berth_build_cache_hits_total", { provider: "other" })).toBe(1);
    expect(one(samples, "berth_build_cache_hits_total", { provider: "git" })).toBe(2);
  });

  it("escapes label values and help text so they read back unchanged", () => {
    const tricky = 'a "quoted" \\ back\nslash';
    const text = gaugeText("berth_test_gauge", "Help with a \\ and a\nnewline.", [{ labels: { state: tricky, other: "plain" }, value: 2.5 }, { value: Infinity }]);
    expect(text).toContain('state="a \\"quoted\\" \\\\ back\\nslash"');
    expect(text.split("\n").filter(Boolean)).toHaveLength(4);
    const { help, samples } = parse(text);
    expect(help.get("berth_test_gauge")).toBe("Help with a \\ and a\nnewline.");
    expect(samples[0]).toEqual({ name: "berth_test_gauge", labels: { state: tricky, other: "plain" }, value: 2.5 });
    expect(samples[1]).toEqual({ name: "berth_test_gauge", labels: {}, value: Infinity });
  });

  it("forgets everything on reset", () => {
    trackBuild("gh")("success");
    resetMetrics();
    expect(pick(parse(renderMetrics()).samples, "berth_builds_total")).toHaveLength(0);
  });
});
