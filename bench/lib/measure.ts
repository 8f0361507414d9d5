/**
 * Timing one piece of work with its memory: wall time from `process.hrtime`, RSS and heap from a
 * {@link MemorySampler}.
 */
import { collectGarbage, type MemoryReading, MemorySampler } from './memory';

/** What {@link measure} returns: the work's result, its wall time and its memory. */
export interface Measured<T> {
  readonly value: T;
  /** Wall time. @unit milliseconds */
  readonly wallMs: number;
  /** CPU time of this process (user + system, all threads) during the work. @unit milliseconds */
  readonly cpuMs: number;
  readonly memory: MemoryReading;
}

/**
 * Runs `work` once, timing it and sampling memory every 20 ms. Collects garbage first when Node
 * runs with `--expose-gc`, so that the start readings are not the previous work's garbage.
 *
 * @example
 * ```ts
 * const { value: report, wallMs, memory } = await measure(() => engine.sync());
 * ```
 */
export async function measure<T>(work: () => Promise<T>): Promise<Measured<T>> {
  collectGarbage();
  const sampler = new MemorySampler(20).start();
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let value: T;
  try {
    value = await work();
  } catch (error) {
    sampler.stop();
    throw error;
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const memory = sampler.stop();
  return { value, wallMs: round(wallMs, 1), cpuMs: round((cpu.user + cpu.system) / 1000, 1), memory };
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The median of some numbers (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Milliseconds to wait. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
