/**
 * The combined results: `summary.json` (every result file's content, checked) and `README.md`
 * (tables a reader can take in at a glance, for the project README), both in the results folder.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type BenchResult, BenchResultSchema, type Figure } from './results';

/** The benchmarks in issue order. */
export const BENCHMARK_ORDER = [
  'initial-sync',
  'ceiling',
  'no-change',
  'incremental',
  'ldap-read',
  'rate-limit',
  'scale',
] as const;

/** Reads the result files present in `dir`, in issue order; missing ones are listed apart. */
export async function readResults(dir: string): Promise<{ results: BenchResult[]; missing: string[] }> {
  const results: BenchResult[] = [];
  const missing: string[] = [];
  for (const name of BENCHMARK_ORDER) {
    let text: string;
    try {
      text = await readFile(path.join(dir, `${name}.json`), 'utf8');
    } catch {
      missing.push(name);
      continue;
    }
    results.push(BenchResultSchema.parse(JSON.parse(text)));
  }
  return { results, missing };
}

function cell(value: Figure | undefined): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number')
    return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  return String(value).replace(/\|/g, '\\|');
}

function verdict(met: boolean | null): string {
  if (met === null) return 'n/a';
  return met ? 'met' : '**not met**';
}

/** The Markdown of `README.md` for `results`. */
export function summaryMarkdown(results: readonly BenchResult[], missing: readonly string[]): string {
  const lines: string[] = [];
  const first = results[0];
  lines.push('# Benchmark results');
  lines.push('');
  lines.push(
    'Written by `npm run bench` (`bench/run-all.ts`); each benchmark also writes its own JSON file here.',
  );
  if (first !== undefined) {
    const machine = first.machine;
    lines.push('');
    lines.push(
      `Machine: ${machine.cores} cores (${machine.cpuModel}), ${Math.round(machine.totalMemoryMb / 1024)} GB, Node ${machine.node}, ${machine.os}; run started ${machine.date}.`,
    );
    if (results.some((result) => result.smoke)) {
      lines.push('');
      lines.push('**Smoke run: tiny sizes, the figures say nothing about performance.**');
    }
  }
  lines.push('');
  lines.push('## Goals of issue 8');
  lines.push('');
  lines.push('| # | benchmark | measure | goal | measured | verdict |');
  lines.push('|---|---|---|---|---|---|');
  for (const result of results) {
    for (const item of result.goals) {
      lines.push(
        `| ${result.item} | ${result.name} | ${cell(item.name)} | ${cell(item.goal)} | ${cell(item.measured)} | ${verdict(item.met)} |`,
      );
    }
  }
  for (const result of results) {
    lines.push('');
    lines.push(`## ${result.item}. ${result.title}`);
    lines.push('');
    lines.push('| figure | value |');
    lines.push('|---|---|');
    for (const [name, value] of Object.entries(result.figures)) lines.push(`| ${name} | ${cell(value)} |`);
    if (result.notes.length > 0) {
      lines.push('');
      for (const note of result.notes) lines.push(`- ${note}`);
    }
    lines.push('');
    lines.push(
      `Took ${Math.round(result.durationMs / 1000)} s (1-minute load average at its start: ${result.machine.loadAverage1m} on ${result.machine.cores} cores); details in \`${result.name}.json\`.`,
    );
  }
  if (missing.length > 0) {
    lines.push('');
    lines.push(`Not run: ${missing.join(', ')}.`);
  }
  lines.push('');
  lines.push(
    'CPU profiles of the runs that miss their goals are summarized in `profiles/` (made with `bench/profile.ts`; see `bench/README.md`).',
  );
  lines.push('');
  return lines.join('\n');
}

/** Writes `summary.json` and `README.md` into `dir` from the result files there. */
export async function writeSummary(dir: string): Promise<{ results: BenchResult[]; missing: string[] }> {
  const { results, missing } = await readResults(dir);
  await writeFile(
    path.join(dir, 'summary.json'),
    `${JSON.stringify({ generatedAt: new Date().toISOString(), missing, results }, null, 2)}\n`,
  );
  await writeFile(path.join(dir, 'README.md'), summaryMarkdown(results, missing));
  return { results, missing };
}
