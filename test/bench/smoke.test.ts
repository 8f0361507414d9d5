/**
 * Every benchmark of `bench/` in its `--smoke` mode (tiny sizes, SCIM server in this process), so
 * that the scripts cannot rot: each must run to the end and write a result file of the shape the
 * summary reads. No timing is asserted; the checks are what makes a benchmark's figures valid
 * (the ceiling replays exactly what the engine sent, the delta read finds the modified entries).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Benchmark } from '../../bench/lib/cli';
import { type BenchResult, BenchResultSchema } from '../../bench/lib/results';
import { BENCHMARK_ORDER, writeSummary } from '../../bench/lib/summary';
import { ceilingBenchmark } from '../../bench/suites/ceiling';
import { incrementalBenchmark } from '../../bench/suites/incremental';
import { initialSyncBenchmark } from '../../bench/suites/initial-sync';
import { ldapReadBenchmark } from '../../bench/suites/ldap-read';
import { noChangeBenchmark } from '../../bench/suites/no-change';
import { rateLimitBenchmark } from '../../bench/suites/rate-limit';
import { scaleBenchmark } from '../../bench/suites/scale';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aquera-bench-smoke-'));
});

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const BENCHMARKS: Record<(typeof BENCHMARK_ORDER)[number], Benchmark> = {
  'initial-sync': initialSyncBenchmark,
  ceiling: ceilingBenchmark,
  'no-change': noChangeBenchmark,
  incremental: incrementalBenchmark,
  'ldap-read': ldapReadBenchmark,
  'rate-limit': rateLimitBenchmark,
  scale: scaleBenchmark,
};

/** Runs one benchmark in smoke mode and returns the result file it wrote, checked against the schema. */
async function runSmoke(name: (typeof BENCHMARK_ORDER)[number]): Promise<BenchResult> {
  const returned = await BENCHMARKS[name]({ smoke: true, resultsDir: dir, print: false });
  const written = BenchResultSchema.parse(JSON.parse(await readFile(path.join(dir, `${name}.json`), 'utf8')));
  expect(written).toEqual(JSON.parse(JSON.stringify(returned)));
  expect(written.name).toBe(name);
  expect(written.item).toBe(BENCHMARK_ORDER.indexOf(name) + 1);
  expect(written.smoke).toBe(true);
  expect(written.machine.cores).toBe(os.cpus().length);
  expect(written.machine.node).toBe(process.version);
  expect(Object.keys(written.figures).length).toBeGreaterThan(0);
  expect(written.goals.length).toBeGreaterThan(0);
  // A smoke run's sizes are too small to judge a goal by.
  expect(written.goals.every((item) => item.met === null)).toBe(true);
  expect(
    Object.values(written.figures).every((value) => typeof value !== 'number' || Number.isFinite(value)),
  ).toBe(true);
  return written;
}

describe('bench scripts in --smoke mode', () => {
  it('initial-sync: runs at two concurrencies and counts the requests by kind', {
    timeout: 60_000,
  }, async () => {
    const result = await runSmoke('initial-sync');
    const runs = (
      result.details as { runs: { concurrency: number; byRoute: Record<string, number>; failures: number }[] }
    ).runs;
    expect(runs.map((run) => run.concurrency)).toEqual([2, 4]);
    for (const run of runs) {
      expect(run.failures).toBe(0);
      expect(run.byRoute['POST /Users']).toBe(300);
      expect(run.byRoute['POST /Groups']).toBe(30);
    }
  });

  it('ceiling: the bare client replays the recorded requests and gets the recorded answers', {
    timeout: 60_000,
  }, async () => {
    const result = await runSmoke('ceiling');
    const [comparison] = (
      result.details as {
        comparisons: { recordedRequests: number; runs: { kind: string; problems: number }[] }[];
      }
    ).comparisons;
    expect(comparison?.recordedRequests).toBeGreaterThan(220);
    expect(comparison?.runs.map((run) => run.kind).sort()).toEqual([
      'bare-client',
      'engine-file-state',
      'engine-memory-state',
    ]);
    expect(comparison?.runs.every((run) => run.problems === 0)).toBe(true);
  });

  it('no-change: measures the cold, warm, full and fresh-process cycles', { timeout: 60_000 }, async () => {
    const result = await runSmoke('no-change');
    const cycles = (result.details as { cycles: { label: string; failures: number }[] }).cycles;
    expect(cycles).toHaveLength(6);
    expect(cycles.every((cycle) => cycle.failures === 0)).toBe(true);
  });

  it('incremental: runs a no-change baseline and cycles with users changed at each size', {
    timeout: 60_000,
  }, async () => {
    const result = await runSmoke('incremental');
    const sizes = (
      result.details as { sizes: { users: number; runs: { changed: number; usersUpdated: number }[] }[] }
    ).sizes;
    expect(sizes.map((size) => size.users)).toEqual([200, 1_000]);
    for (const size of sizes) for (const run of size.runs) expect(run.usersUpdated).toBe(run.changed);
  });

  it('ldap-read: reads slapd both ways and finds the modified users in the delta', {
    timeout: 90_000,
  }, async () => {
    const result = await runSmoke('ldap-read');
    const reads = (result.details as { reads: { read: string; entries: number }[] }).reads;
    const adapter = reads.find((read) => read.read === 'LdapDatastore.users()');
    const bare = reads.find((read) => read.read === 'bare ldapjs paged search');
    expect(adapter?.entries).toBe(300);
    expect(bare?.entries).toBe(300);
    expect(result.figures.deltaEntries).toBe(3);
  });

  it('rate-limit: provisions through the rate-limited server with both client settings', {
    timeout: 60_000,
  }, async () => {
    const result = await runSmoke('rate-limit');
    const runs = (result.details as { runs: { objectsProvisioned: number; objectsExpected: number }[] }).runs;
    expect(runs).toHaveLength(2);
    for (const run of runs) expect(run.objectsProvisioned).toBe(run.objectsExpected);
  });

  it('scale: measures each size and the growth between them', { timeout: 60_000 }, async () => {
    const result = await runSmoke('scale');
    const growth = (result.details as { growth: { figure: string; exponent: number }[] }).growth;
    expect(growth.map((entry) => entry.figure)).toContain('warm cycle wall time');
  });

  it('writes the summary and a Markdown table with a row per goal', async () => {
    const { results, missing } = await writeSummary(dir);
    expect(missing).toEqual([]);
    expect(results.map((result) => result.name)).toEqual([...BENCHMARK_ORDER]);
    const markdown = await readFile(path.join(dir, 'README.md'), 'utf8');
    const goalRows = markdown.split('\n').filter((line) => /^\| [1-7] \| /.test(line));
    expect(goalRows).toHaveLength(results.reduce((sum, result) => sum + result.goals.length, 0));
    expect(JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')).results).toHaveLength(7);
  });
});
