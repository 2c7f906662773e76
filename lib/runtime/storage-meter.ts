// Storage use per server, answered from memory and measured in the background (stale-while-
// revalidate). The spawn page polls listServers every second: a read must never walk a workspace.
// A read of an entry missing or older than maxAgeMs schedules one measurement of that server (never
// two at once for the same server) and answers with the last known figure, or null while the first
// measurement runs. Measurements of different servers share a small concurrency bound, so a page of
// 50 cold servers does not start 50 folder walks at once.

export interface StorageReading {
  /** Bytes used at the last measurement; null while none has finished (or when nothing can measure). */
  bytes: number | null;
  /** A measurement is running or waiting for its turn. */
  measuring: boolean;
  /** When the figure was measured (ms since the epoch), null without one. */
  at: number | null;
  /**
   * Bytes the server can use in all, when its storage is a filesystem of its own (the local runtime
   * as root): the filesystem's size as `df` counts it, which is what a full server has used.
   */
  capacity?: number;
}

interface Entry {
  bytes: number | null;
  at: number | null;
  lastRead: number;
  /** The measurement in flight (running or queued), shared by everyone who waits for it. */
  pending?: Promise<number | undefined>;
}

export interface StorageMeterOptions {
  measure: (id: string) => Promise<number>;
  /** A figure older than this is measured again on the next read. */
  maxAgeMs?: number;
  /** Measurements running at once, across servers. */
  concurrency?: number;
  /** An entry nobody read for this long is dropped (a server deleted by another replica). */
  forgetAfterMs?: number;
  now?: () => number;
}

export class StorageMeter {
  private entries = new Map<string, Entry>();
  private queue: (() => void)[] = [];
  private running = 0;
  private lastSweep = 0;
  private readonly maxAgeMs: number;
  private readonly concurrency: number;
  private readonly forgetAfterMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: StorageMeterOptions) {
    this.maxAgeMs = opts.maxAgeMs ?? 30_000;
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
    this.forgetAfterMs = opts.forgetAfterMs ?? 10 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** The cached figure at once; schedules a background measurement when it is missing or stale. */
  read(id: string): StorageReading {
    const now = this.now();
    this.sweep(now);
    const e = this.entry(id, now);
    e.lastRead = now;
    if (!e.pending && (e.at === null || now - e.at >= this.maxAgeMs)) void this.schedule(id, e);
    return { bytes: e.bytes, measuring: Boolean(e.pending), at: e.at };
  }

  /** A figure at most maxAgeMs old, waiting for a measurement when needed (confirmations that name what is lost). */
  async fresh(id: string): Promise<number | undefined> {
    const now = this.now();
    const e = this.entry(id, now);
    e.lastRead = now;
    if (e.at !== null && now - e.at < this.maxAgeMs && e.bytes !== null) return e.bytes;
    return e.pending ?? this.schedule(id, e);
  }

  /** Measures again in the background (after a stop: the figure people see next is current). */
  refresh(id: string): void {
    const e = this.entries.get(id);
    if (e && !e.pending) void this.schedule(id, e);
  }

  /** Drops a server (deleted): its figure goes, and a measurement in flight does not bring it back. */
  forget(id: string): void {
    this.entries.delete(id);
  }

  /** What is known about a server, without scheduling anything (tests, diagnostics). */
  peek(id: string): StorageReading | undefined {
    const e = this.entries.get(id);
    return e ? { bytes: e.bytes, measuring: Boolean(e.pending), at: e.at } : undefined;
  }

  /** Resolves when no measurement is running or queued. */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.entries.values()].flatMap((e) => (e.pending ? [e.pending] : []));
      if (!pending.length) return;
      await Promise.allSettled(pending);
    }
  }

  private entry(id: string, now: number): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = { bytes: null, at: null, lastRead: now };
      this.entries.set(id, e);
    }
    return e;
  }

  private schedule(id: string, e: Entry): Promise<number | undefined> {
    const p = this.measureInTurn(id, e).finally(() => {
      if (e.pending === p) e.pending = undefined;
    });
    e.pending = p;
    return p;
  }

  private async measureInTurn(id: string, e: Entry): Promise<number | undefined> {
    await this.slot();
    try {
      // forget() ran while this waited for its turn: nothing to measure. (An entry made again
      // after forget() is another object, so a measurement started before never writes into it.)
      if (this.entries.get(id) !== e) return undefined;
      const bytes = await this.opts.measure(id);
      if (this.entries.get(id) === e) {
        e.bytes = bytes;
        e.at = this.now();
      }
      return bytes;
    } catch {
      return e.bytes ?? undefined;
    } finally {
      this.release();
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, e] of this.entries) if (!e.pending && now - e.lastRead > this.forgetAfterMs) this.entries.delete(id);
  }
}
