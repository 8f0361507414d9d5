/**
 * The result files: one JSON file per benchmark in `bench/results/` (or the folder given with
 * `--results-dir`), each with the machine it ran on, the key figures, the goals of issue 8 with
 * what was measured against them, and the detail of every run. The same schema is what the smoke
 * test checks and what `run-all` reads to write the summary.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { repoPath } from './paths';

/** A figure: a number, a short text, a flag, or `null` when it could not be measured. */
export const FigureSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** One goal of the issue and the figure measured against it. */
export const GoalSchema = z.object({
  /** What is measured, e.g. `engine / ceiling throughput, concurrency 8`. */
  name: z.string().min(1),
  /** The goal as written in the issue, e.g. `>= 0.9`. */
  goal: z.string().min(1),
  /** What was measured. */
  measured: FigureSchema,
  /** Whether the goal is met; `null` when it cannot be judged (smoke runs, missing figure). */
  met: z.boolean().nullable(),
});

/** One benchmark's result file. */
export const BenchResultSchema = z.object({
  /** File name without `.json`, e.g. `initial-sync`. */
  name: z.string().regex(/^[a-z0-9-]+$/),
  /** The item of issue 8 (1 to 7). */
  item: z.number().int().min(1).max(7),
  title: z.string().min(1),
  /** True for a `--smoke` run (tiny sizes): its figures say nothing about performance. */
  smoke: z.boolean(),
  machine: z.object({
    cores: z.number().int().positive(),
    cpuModel: z.string(),
    totalMemoryMb: z.number(),
    loadAverage1m: z.number(),
    node: z.string().startsWith('v'),
    os: z.string(),
    heapLimitMb: z.number(),
    date: z.string(),
  }),
  /** How the benchmark was set up (sizes, concurrency, options). */
  parameters: z.record(z.string(), z.unknown()),
  /** The key figures, flat, for tables. */
  figures: z.record(z.string(), FigureSchema),
  goals: z.array(GoalSchema),
  /** Every run in detail. */
  details: z.unknown(),
  /** What the reader must know to interpret the figures (methods, deviations, limits). */
  notes: z.array(z.string()),
  /** How long the whole benchmark took. @unit milliseconds */
  durationMs: z.number().nonnegative(),
});

/** One goal and its measurement. */
export type Goal = z.infer<typeof GoalSchema>;
/** A result file's content. */
export type BenchResult = z.infer<typeof BenchResultSchema>;
/** A figure's value. */
export type Figure = z.infer<typeof FigureSchema>;

/** The folder result files go to by default. */
export const DEFAULT_RESULTS_DIR = repoPath('bench', 'results');

/**
 * Builds a goal entry. `met` is `null` for smoke runs, whose sizes are too small to judge.
 *
 * @example
 * ```ts
 * goal('writes in a no-change cycle', '= 0', writes, writes === 0, smoke);
 * ```
 */
export function goal(name: string, target: string, measured: Figure, met: boolean, smoke: boolean): Goal {
  return { name, goal: target, measured, met: smoke || measured === null ? null : met };
}

/** Writes `result` (checked against the schema) to `<dir>/<name>.json` and returns the path. */
export async function writeResult(result: BenchResult, dir: string = DEFAULT_RESULTS_DIR): Promise<string> {
  const checked = BenchResultSchema.parse(result);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${checked.name}.json`);
  await writeFile(file, `${JSON.stringify(checked, null, 2)}\n`);
  return file;
}

/**
 * Prints rows as an aligned text table (no colours, so it reads the same in a log file).
 *
 * @example
 * ```ts
 * printTable('Initial sync', [{ concurrency: 8, wallS: 12.3 }]);
 * ```
 */
export function printTable(title: string, rows: readonly Record<string, unknown>[]): void {
  console.log(`\n${title}`);
  if (rows.length === 0) {
    console.log('  (no rows)');
    return;
  }
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    `  ${values.map((value, index) => value.padStart(widths[index] ?? 0)).join('  ')}`;
  console.log(line(columns));
  console.log(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of cells) console.log(line(row));
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
