// At most `limit` tasks at once; the rest wait in arrival order. A finishing task hands its slot
// to the first waiting one, so a new arrival cannot slip in between and exceed the limit.
export class Limiter {
  private active = 0;
  private waiting: (() => void)[] = [];
  /** the most tasks that ran at once, and the most that waited (for tests and benchmarks) */
  readonly peak = { active: 0, waiting: 0 };

  constructor(readonly limit: number) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.peak.waiting = Math.max(this.peak.waiting, this.waiting.length);
      });
    } else {
      this.active++;
      this.peak.active = Math.max(this.peak.active, this.active);
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
