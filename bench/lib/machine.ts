/**
 * What machine a figure was measured on: every result file carries it, so that a figure is never
 * read without its core count and Node version.
 */
import os from 'node:os';
import v8 from 'node:v8';

/** The machine and runtime a benchmark ran on. */
export interface MachineInfo {
  /** Logical CPUs (`os.cpus().length`). */
  readonly cores: number;
  /** The first CPU's model string. */
  readonly cpuModel: string;
  /** Total memory of the machine. @unit MiB */
  readonly totalMemoryMb: number;
  /** 1-minute load average when the benchmark started (other work on the machine shows here). */
  readonly loadAverage1m: number;
  /** `process.version`, e.g. `v20.20.2`. */
  readonly node: string;
  /** `os.platform()` and `os.release()`. */
  readonly os: string;
  /** V8's heap limit for this process (`--max-old-space-size` raises it). @unit MiB */
  readonly heapLimitMb: number;
  /** When the benchmark started, ISO 8601. */
  readonly date: string;
}

/**
 * Describes this machine and process now.
 *
 * @example
 * ```ts
 * const machine = machineInfo();
 * console.log(`${machine.cores} cores, Node ${machine.node}`);
 * ```
 */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    node: process.version,
    os: `${os.platform()} ${os.release()}`,
    heapLimitMb: Math.round(heapLimitBytes() / 1024 / 1024),
    date: new Date().toISOString(),
  };
}

function heapLimitBytes(): number {
  return v8.getHeapStatistics().heap_size_limit;
}
