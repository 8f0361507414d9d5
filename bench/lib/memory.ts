/**
 * Memory measurement: the process's resident set size (RSS) sampled on a timer, and the V8 heap.
 */

/** Bytes to MiB, one decimal. */
export function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

/** Runs a full garbage collection when Node was started with `--expose-gc`; returns whether it could. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return false;
  gc();
  gc();
  return true;
}

/** What a {@link MemorySampler} saw between `start` and `stop`. */
export interface MemoryReading {
  /** RSS when sampling started. @unit MiB */
  readonly rssStartMb: number;
  /** The highest RSS sampled (and at the start and stop). @unit MiB */
  readonly rssPeakMb: number;
  /** V8 heap in use when sampling started. @unit MiB */
  readonly heapStartMb: number;
  /** The highest V8 heap in use sampled. @unit MiB */
  readonly heapPeakMb: number;
  /** V8 heap in use when sampling stopped. @unit MiB */
  readonly heapEndMb: number;
  /** How many samples were taken. */
  readonly samples: number;
}

/**
 * Samples `process.memoryUsage()` every `intervalMs` (20 ms by default) while work runs. A timer
 * only fires when the event loop is free, so a long synchronous stretch is sampled at its end;
 * the sampler also samples at `stop()`.
 *
 * @example
 * ```ts
 * const sampler = new MemorySampler().start();
 * await work();
 * const { rssPeakMb } = sampler.stop();
 * ```
 */
export class MemorySampler {
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private rssStart = 0;
  private rssPeak = 0;
  private heapStart = 0;
  private heapPeak = 0;
  private samples = 0;

  /** @param intervalMs - time between samples. @default 20 */
  constructor(intervalMs = 20) {
    this.intervalMs = intervalMs;
  }

  /** Takes the first sample and starts the timer. */
  start(): this {
    const usage = process.memoryUsage();
    this.rssStart = usage.rss;
    this.heapStart = usage.heapUsed;
    this.rssPeak = usage.rss;
    this.heapPeak = usage.heapUsed;
    this.samples = 1;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Takes a last sample, stops the timer and returns what was seen. */
  stop(): MemoryReading {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const end = this.sample();
    return {
      rssStartMb: mb(this.rssStart),
      rssPeakMb: mb(this.rssPeak),
      heapStartMb: mb(this.heapStart),
      heapPeakMb: mb(this.heapPeak),
      heapEndMb: mb(end.heapUsed),
      samples: this.samples,
    };
  }

  private sample(): NodeJS.MemoryUsage {
    const usage = process.memoryUsage();
    this.samples += 1;
    if (usage.rss > this.rssPeak) this.rssPeak = usage.rss;
    if (usage.heapUsed > this.heapPeak) this.heapPeak = usage.heapUsed;
    return usage;
  }
}
