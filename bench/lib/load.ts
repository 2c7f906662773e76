import { performance } from "node:perf_hooks";

// A closed-loop load from this process: `clients` loops each run `op` back to back until
// `durationMs` has passed (or `maxOps` operations were made), bounded in time and count. Used where
// a request is a small protocol of its own (a sign-in, a start); plain HTTP throughput uses wrk.

export interface LoadResult {
  ops: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export async function closedLoop(opts: { clients: number; durationMs: number; maxOps?: number; op: (client: number, i: number) => Promise<unknown> }): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let started = 0;
  const t0 = performance.now();
  const end = t0 + opts.durationMs;
  const max = opts.maxOps ?? Infinity;
  await Promise.all(
    Array.from({ length: opts.clients }, async (_, client) => {
      while (performance.now() < end && started < max) {
        const i = started++;
        const t = performance.now();
        try {
          await opts.op(client, i);
          latencies.push(performance.now() - t);
        } catch (err) {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { ops: latencies.length, errors, firstError, seconds, perSecond: latencies.length / seconds, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99) };
}
