import { readFileSync } from "node:fs";

// Where a process's time went, from a V8 .cpuprofile (`node --cpu-prof`): self time summed by
// function and by file (node_modules packages folded into one line each), and inclusive time by
// function (a sample counts once for each distinct function on its stack).
//   npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [top=25] [last seconds only]

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  endTime: number;
  startTime: number;
}

/** A file's short name: a package for node_modules, the path inside the project otherwise. */
export function fileOf(url: string): string {
  if (!url) return "(native/VM)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    const pkg = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    const inNext = pkg === "next" ? `/${rest.slice(1, 4).join("/")}` : "";
    return `npm:${pkg}${inNext}`;
  }
  if (url.startsWith("node:")) return url;
  const m = /\/(lib|app|bench|test|server\.ts|\.next)(\/.*)?$/.exec(url);
  return m ? `${m[1]}${m[2] ?? ""}` : url.replace(/^file:\/\//, "");
}

/** `lastSeconds`: only the samples of the profile's last seconds (the load, not the start-up). */
export function summarise(p: Profile, lastSeconds = Infinity) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  let at = p.startTime;
  const from = p.endTime - lastSeconds * 1e6;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    at += dt;
    if (at < from) continue;
    total += dt;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
  }
  const key = (f: CallFrame) => `${f.functionName || "(anonymous)"} ${fileOf(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    fn.set(key(n.callFrame), (fn.get(key(n.callFrame)) ?? 0) + us);
    const f = fileOf(n.callFrame.url);
    file.set(f, (file.get(f) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = key(byId.get(at)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, byFunction: sorted(fn), byFile: sorted(file), inclusive: sorted(inclusive) };
}

function print(title: string, rows: [string, number][], total: number, top: number) {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of rows.slice(0, top)) process.stdout.write(`${((100 * us) / 1000 / total).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
}

if (process.argv[1]?.endsWith("profile-summary.ts")) {
  process.stdout.on("error", () => process.exit(0)); // piped into head
  const [file, topArg, lastArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: profile-summary.ts <file.cpuprofile> [top]\n");
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  const s = summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, lastArg ? Number(lastArg) : Infinity);
  process.stdout.write(`total sampled: ${s.totalMs.toFixed(0)} ms\n`);
  print("self time by file", s.byFile, s.totalMs, top);
  print("self time by function", s.byFunction, s.totalMs, top);
  print("inclusive time by function", s.inclusive, s.totalMs, top);
}
