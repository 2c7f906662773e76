import { appendFileSync } from "node:fs";

// One figure of `npm run bench`'s table: Berth's value, the anchor measured in the same run, the
// ratio, and the goal the issue set with whether it was met. Each benchmark runs in its own process
// and appends its figures as JSON lines to BERTH_BENCH_OUT (bench/index.ts prints the one table and
// writes bench/results/); run alone (`npx tsx bench/x.bench.ts`) it prints its own figures at exit.

export interface Figure {
  /** The benchmark's short name, e.g. "proxy", "sign-in". */
  bench: string;
  /** What was measured, e.g. "HTTP small JSON, 10 connections". */
  figure: string;
  /** "req/s", "ms", "msg/s", "s"… */
  unit: string;
  /** Whether a larger value is better (throughput) or a smaller one (latency, time). */
  better: "higher" | "lower";
  berth: number;
  /** The anchor measured in the same run (configurable-http-proxy, JupyterHub, the direct path…). */
  anchor?: { name: string; value: number };
  /** The issue's goal for this figure, in words, and whether this run met it. */
  goal?: { text: string; met: boolean };
  /** What limits the figure when the goal is not met, or how it was measured. */
  note?: string;
}

const pending: Figure[] = [];
let printAtExit = false;

/** Records one figure (see Figure). */
export function report(f: Figure): void {
  const out = process.env.BERTH_BENCH_OUT;
  if (out) {
    appendFileSync(out, `${JSON.stringify(f)}\n`);
    return;
  }
  pending.push(f);
  if (!printAtExit) {
    printAtExit = true;
    process.on("exit", () => process.stdout.write(`\n${formatTable(pending)}\n`));
  }
}

/** Berth ÷ anchor, so that "3×" reads as "three times the anchor's value" for any unit. */
export function ratio(f: Pick<Figure, "berth" | "anchor">): number | null {
  return f.anchor && f.anchor.value !== 0 ? f.berth / f.anchor.value : null;
}

/** A goal on the ratio to the anchor: Berth's value at least (or at most) `k` times the anchor's. */
export function ratioGoal(f: Pick<Figure, "berth" | "anchor">, op: ">=" | "<=", k: number, text: string): Figure["goal"] {
  const r = ratio(f);
  return { text, met: r !== null && (op === ">=" ? r >= k : r <= k) };
}

/** A goal on Berth's own value: at least (or at most) `limit`. */
export function valueGoal(value: number, op: ">=" | "<=", limit: number, text: string): Figure["goal"] {
  return { text, met: op === ">=" ? value >= limit : value <= limit };
}

function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return n.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** The figures as one plain-text table (also what the README's "Performance" section shows). */
export function formatTable(figures: Figure[]): string {
  const head = ["benchmark", "figure", "Berth", "anchor", "ratio", "goal", "met"];
  const rows = figures.map((f) => {
    const r = ratio(f);
    return [
      f.bench,
      f.figure,
      `${num(f.berth)} ${f.unit}`,
      f.anchor ? `${num(f.anchor.value)} ${f.unit} (${f.anchor.name})` : "—",
      r === null ? "—" : `${num(r)}×`,
      f.goal?.text ?? "—",
      f.goal ? (f.goal.met ? "yes" : "NO") : "",
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const notes = figures.filter((f) => f.note).map((f) => `  · ${f.bench} / ${f.figure}: ${f.note}`);
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), ...(notes.length ? ["", "Notes:", ...notes] : [])].join("\n");
}

/** The same figures as a Markdown table (for the README). */
export function formatMarkdown(figures: Figure[]): string {
  const out = ["| benchmark | figure | Berth | anchor | ratio | goal | met |", "|---|---|---:|---:|---:|---|---|"];
  for (const f of figures) {
    const r = ratio(f);
    out.push(`| ${f.bench} | ${f.figure} | ${num(f.berth)} ${f.unit} | ${f.anchor ? `${num(f.anchor.value)} ${f.unit} (${f.anchor.name})` : "—"} | ${r === null ? "—" : `${num(r)}×`} | ${f.goal?.text ?? "—"} | ${f.goal ? (f.goal.met ? "yes" : "**no**") : ""} |`);
  }
  return out.join("\n");
}
