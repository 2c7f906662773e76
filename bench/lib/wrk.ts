import { spawn } from "node:child_process";

// wrk (Debian's, `needWrk()`) as the HTTP load generator: one thread (the machine has two cores and
// the thing measured needs one), keep-alive connections, `--latency` for the percentiles.

export interface WrkResult {
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx answers. */
  errors: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function duration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** Reads wrk's own report (the text it prints), with `--latency`. */
export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const total = /(\d+) requests in/.exec(out);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out);
    return m ? duration(m[1]) : NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors = (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  if (!rps || !total) throw new Error(`Could not read wrk's report:\n${out}`);
  return { requestsPerSecond: Number(rps[1]), p50: pct("50"), p99: pct("99"), requests: Number(total[1]), errors };
}

/** Runs wrk against `url` (`cpu`: the core to pin it to with taskset, when given). */
export function wrk(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string>; cpu?: number }): Promise<WrkResult> {
  const args = ["-t1", `-c${opts.connections}`, `-d${opts.seconds}s`, "--latency", "--timeout", "10s"];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push("-H", `${k}: ${v}`);
  args.push(url);
  const [cmd, argv] = opts.cpu === undefined ? ["wrk", args] : ["taskset", ["-c", String(opts.cpu), "wrk", ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${out}`));
      try {
        resolve(parseWrk(out));
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}
