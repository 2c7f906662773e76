import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatMarkdown, formatTable, type Figure } from "./lib/report";

// `npm run bench`: runs every bench/*.bench.ts, one after another, each in its own process (so one
// benchmark's caches and connections do not colour the next), then prints one table of every figure
// with its anchor and writes it as JSON (bench/results/<time>.json and bench/results/latest.json) so
// runs can be compared. Benchmarks print figures; none of them passes or fails on a time.
// `npm run bench -- proxy sign-in` runs only files whose name contains one of the words.
const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts") && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
if (!files.length) {
  process.stdout.write("No benchmarks matched.\n");
  process.exit(1);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), "berth-bench-"));
const out = path.join(scratch, "figures.jsonl");
const started = new Date();
const failed: string[] = [];
for (const f of files) {
  process.stdout.write(`\n▸ ${f}\n`);
  const t = Date.now();
  const r = spawnSync("npx", ["tsx", path.join(dir, f)], { stdio: "inherit", env: { ...process.env, BERTH_BENCH_OUT: out } });
  process.stdout.write(`  (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
  if (r.status !== 0) failed.push(f);
}

const figures: Figure[] = existsSync(out) ? readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Figure) : [];
rmSync(scratch, { recursive: true, force: true });
const cpus = os.cpus();
const machine = { cpus: cpus.length, cpu: cpus[0]?.model ?? "unknown", memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
const result = { started: started.toISOString(), seconds: Math.round((Date.now() - started.getTime()) / 1000), machine, benchmarks: files, failed, figures };

process.stdout.write(`\nBerth benchmarks, ${started.toISOString()} — ${machine.cpus} × ${machine.cpu}, Node ${machine.node}\n\n${formatTable(figures)}\n`);
const missed = figures.filter((f) => f.goal && !f.goal.met);
process.stdout.write(`\n${figures.filter((f) => f.goal?.met).length} goals met, ${missed.length} not met${failed.length ? `; benchmarks that failed: ${failed.join(", ")}` : ""}.\n`);

const results = path.join(dir, "results");
mkdirSync(results, { recursive: true });
const stamp = started.toISOString().replace(/[:.]/g, "-");
const json = `${JSON.stringify(result, null, 2)}\n`;
// A partial run (`npm run bench -- proxy`) is kept under its own name and does not replace latest.json.
writeFileSync(path.join(results, `${stamp}${only.length ? `-${only.join("-")}` : ""}.json`), json);
if (!only.length) {
  writeFileSync(path.join(results, "latest.json"), json);
  writeFileSync(path.join(results, "latest.md"), `${formatMarkdown(figures)}\n`);
}
process.stdout.write(`Written to ${path.relative(process.cwd(), results)}/.\n`);
process.exit(failed.length ? 1 : 0);
