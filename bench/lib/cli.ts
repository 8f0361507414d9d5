/**
 * The entry point shared by the benchmark scripts: parse the arguments, run, report a failure
 * with a non-zero exit code.
 */

import { type BenchOptions, parseBenchArgs } from './options';
import type { BenchResult } from './results';

/** A benchmark: runs with options, writes its result file, and returns the result. */
export type Benchmark = (options?: BenchOptions) => Promise<BenchResult>;

/**
 * Runs `benchmark` with the options of the command line (`--smoke`, `--results-dir`,
 * `--inline-server`, `--name value`).
 *
 * @example
 * ```ts
 * // bench/no-change.ts
 * import { runCli } from './lib/cli';
 * import { noChangeBenchmark } from './suites/no-change';
 * runCli(noChangeBenchmark);
 * ```
 */
export function runCli(benchmark: Benchmark): void {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  benchmark(options).then(
    () => {
      // Let child processes and sockets close on their own; exit when the loop is empty.
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
