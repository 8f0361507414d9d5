/**
 * The options every benchmark takes, from the command line or from the smoke test, and the one
 * function that resolves them.
 */
import { repoPath } from './paths';
import { DEFAULT_RESULTS_DIR } from './results';

/** Where smoke runs write their results by default (git-ignored). */
export const SMOKE_RESULTS_DIR = repoPath('bench', '.build', 'smoke-results');

/** Options of a benchmark run. */
export interface BenchOptions {
  /**
   * Tiny sizes, a few seconds at most: checks that the benchmark still runs and writes a
   * well-formed result. Its figures say nothing about performance.
   * @default false
   */
  readonly smoke?: boolean;
  /**
   * Where the result JSON is written.
   * @default bench/results, or bench/.build/smoke-results for a smoke run (so that a smoke run never
   *   overwrites real figures)
   */
  readonly resultsDir?: string;
  /**
   * Run the SCIM test server in this process instead of a child process. A child keeps the
   * server's memory and CPU out of the engine's figures; in-process starts faster (smoke runs).
   * @default false (true with `smoke`)
   */
  readonly inlineServer?: boolean;
  /** Print tables and progress. @default true */
  readonly print?: boolean;
  /** Benchmark-specific settings from the command line (`--users 20000` gives `{ users: '20000' }`). */
  readonly settings?: Readonly<Record<string, string>>;
}

/** {@link BenchOptions} with every default applied. */
export interface ResolvedBenchOptions {
  readonly smoke: boolean;
  readonly resultsDir: string;
  readonly inlineServer: boolean;
  readonly print: boolean;
  readonly settings: Readonly<Record<string, string>>;
}

/** Applies the defaults. */
export function resolveBenchOptions(options: BenchOptions = {}): ResolvedBenchOptions {
  const smoke = options.smoke ?? false;
  return {
    smoke,
    resultsDir: options.resultsDir ?? (smoke ? SMOKE_RESULTS_DIR : DEFAULT_RESULTS_DIR),
    inlineServer: options.inlineServer ?? smoke,
    print: options.print ?? true,
    settings: { ...options.settings },
  };
}

/**
 * Reads `--smoke`, `--results-dir <dir>`, `--inline-server` and any `--name value` pair from
 * command-line arguments.
 *
 * @example
 * ```ts
 * parseBenchArgs(['--smoke', '--users', '500']); // { smoke: true, settings: { users: '500' } }
 * ```
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const settings: Record<string, string> = {};
  let smoke = false;
  let inlineServer: boolean | undefined;
  let resultsDir: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--') continue;
    if (arg === '--smoke') smoke = true;
    else if (arg === '--inline-server') inlineServer = true;
    else if (arg === '--child-server') inlineServer = false;
    else if (arg === '--results-dir') {
      resultsDir = argv[index + 1];
      index += 1;
    } else if (arg.startsWith('--')) {
      const next = argv[index + 1];
      if (next !== undefined && !next.startsWith('--')) {
        settings[arg.slice(2)] = next;
        index += 1;
      } else settings[arg.slice(2)] = 'true';
    } else {
      throw new TypeError(`unexpected argument ${JSON.stringify(arg)} (settings are --name value)`);
    }
  }
  return {
    smoke,
    settings,
    ...(inlineServer === undefined ? {} : { inlineServer }),
    ...(resultsDir === undefined ? {} : { resultsDir }),
  };
}

/** A whole-number setting, or `fallback`. */
export function intSetting(options: ResolvedBenchOptions, name: string, fallback: number): number {
  const text = options.settings[name];
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`--${name} must be a whole number`);
  return value;
}

/** A list of whole numbers (`--sizes 10000,100000`), or `fallback`. */
export function intListSetting(
  options: ResolvedBenchOptions,
  name: string,
  fallback: readonly number[],
): number[] {
  const text = options.settings[name];
  if (text === undefined) return [...fallback];
  const values = text.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (!values.every((value) => Number.isInteger(value) && value >= 0)) {
    throw new TypeError(`--${name} must be a comma-separated list of whole numbers`);
  }
  return values;
}
