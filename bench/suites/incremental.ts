/**
 * Issue 8, item 4: incremental cycles. After a first sync, change the title of some users and run
 * a cycle: the requests should equal the changes, and the time should follow the number of changes,
 * not the size of the directory. Measured at 10,000 and 100,000 users with 100 changes each (same
 * work, ten times the directory), and with 1 % of the users changed.
 */
import type { Benchmark } from '../lib/cli';
import { cycleRow, type MeasuredCycle, measureCycle } from '../lib/cycle';
import { changeUsers, type DirectorySpec, generateDirectory } from '../lib/directory';
import { machineInfo } from '../lib/machine';
import { round } from '../lib/measure';
import { intListSetting, intSetting, resolveBenchOptions } from '../lib/options';
import { type BenchResult, goal, printTable, writeResult } from '../lib/results';
import { benchClient, benchEngine, benchStateStore } from '../lib/rig';
import { startBenchServer } from '../lib/server';

/** The cycles at one directory size. */
export interface IncrementalSize {
  readonly users: number;
  readonly groups: number;
  /** The first sync that seeded the target. @unit ms */
  readonly seedMs: number;
  /** A cycle with no change, at this size: the fixed cost. */
  readonly baseline: MeasuredCycle;
  readonly runs: readonly (MeasuredCycle & { readonly changed: number; readonly requests: number })[];
}

/** Runs benchmark 4. */
export const incrementalBenchmark: Benchmark = async (input) => {
  const options = resolveBenchOptions(input);
  const started = Date.now();
  const machine = machineInfo();
  const sizes = intListSetting(options, 'sizes', options.smoke ? [200, 1_000] : [10_000, 100_000]);
  const fixedChanges = intSetting(options, 'changes', options.smoke ? 10 : 100);
  const concurrency = intSetting(options, 'concurrency', 8);
  const results: IncrementalSize[] = [];
  let revision = 0;

  for (const users of sizes) {
    const spec: DirectorySpec = {
      users,
      groups: Math.max(1, Math.round(users / 20)),
      bigGroup: Math.min(10_000, users),
    };
    const { datastore, facts } = generateDirectory(spec);
    const server = await startBenchServer({ inline: options.inlineServer });
    const client = benchClient(server.baseUrl, {
      concurrency: Math.max(concurrency, options.smoke ? 4 : 32),
    });
    const memoryState = await benchStateStore('memory');
    const fileState = await benchStateStore('file');
    try {
      const seeding = benchEngine(datastore, client, memoryState.store, options.smoke ? 4 : 32);
      const seedStarted = Date.now();
      const seedReport = await seeding.sync();
      const seedMs = Date.now() - seedStarted;
      if (seedReport.failures.length > 0)
        throw new Error(`first sync: ${seedReport.failures.length} failures`);
      const saved = await memoryState.store.load();
      if (saved === undefined) throw new Error('the first sync left no state');
      await fileState.store.save(saved);
      const engineClient = benchClient(server.baseUrl, { concurrency });
      const engine = benchEngine(datastore, engineClient, fileState.store, concurrency);
      try {
        // Loads the state (and finds nothing): later cycles run on a warm engine, as a scheduled one does.
        await engine.sync();
        const baseline = await measureCycle('no change', engine, server);
        const counts = [...new Set([fixedChanges, Math.round(users / 100)])].sort((a, b) => a - b);
        const runs: IncrementalSize['runs'][number][] = [];
        for (const count of counts) {
          revision += 1;
          const changed = changeUsers(datastore, users, count, revision).length;
          const cycle = await measureCycle(`${changed} users changed`, engine, server);
          runs.push({ ...cycle, changed, requests: cycle.reads + cycle.writes });
        }
        results.push({ users: facts.users, groups: facts.groups, seedMs, baseline, runs });
      } finally {
        engineClient.close();
      }
    } finally {
      client.close();
      await memoryState.dispose();
      await fileState.dispose();
      await server.close();
    }
  }

  if (options.print) {
    printTable(
      'Incremental cycles (title of some users changed; engine with FileStateStore)',
      results.flatMap((size) =>
        [size.baseline, ...size.runs].map((cycle) => ({
          users: size.users,
          ...cycleRow(cycle),
          'ms per change':
            'changed' in cycle && (cycle as { changed: number }).changed > 0
              ? round((cycle.wallMs - size.baseline.wallMs) / (cycle as { changed: number }).changed, 2)
              : null,
          routes: cycle.byRoute,
        })),
      ),
    );
  }

  const figures: BenchResult['figures'] = {};
  const goals: BenchResult['goals'] = [];
  for (const size of results) {
    const k = `u${size.users}`;
    figures[`${k}.noChangeS`] = round(size.baseline.wallMs / 1000, 3);
    for (const run of size.runs) {
      figures[`${k}.changed${run.changed}.wallS`] = round(run.wallMs / 1000, 3);
      figures[`${k}.changed${run.changed}.requests`] = run.requests;
      goals.push(
        goal(
          `requests for ${run.changed} changed users of ${size.users}`,
          `= ${run.changed} (one per change)`,
          run.requests,
          run.requests === run.changed,
          options.smoke,
        ),
      );
    }
  }
  // Same number of changes, ten times the directory: the time should stay about the same.
  const same = results
    .map((size) => size.runs.find((run) => run.changed === fixedChanges))
    .filter((run): run is NonNullable<typeof run> => run !== undefined);
  if (same.length >= 2) {
    const first = same[0] as (typeof same)[number];
    const last = same[same.length - 1] as (typeof same)[number];
    const growth = round(last.wallMs / first.wallMs, 2);
    figures.sameChangesTimeGrowth = growth;
    goals.push(
      goal(
        `time of ${fixedChanges} changes at ${sizes[sizes.length - 1]} users / at ${sizes[0]} users (directory x${round((sizes[sizes.length - 1] ?? 1) / (sizes[0] ?? 1))})`,
        '~1 (< 2): time follows the changes, not the directory',
        growth,
        growth < 2,
        options.smoke,
      ),
    );
  }
  const result: BenchResult = {
    name: 'incremental',
    item: 4,
    title: 'Incremental cycles: requests and time against the number of changes',
    smoke: options.smoke,
    machine,
    parameters: {
      sizes,
      fixedChanges,
      concurrency,
      server: options.inlineServer ? 'inline' : 'child process',
    },
    figures,
    goals,
    details: { sizes: results },
    notes: [
      'Each size: a first sync over HTTP seeds the target, its state is saved to a FileStateStore, a new engine (concurrency as given, default 8) loads it; then a no-change cycle (the fixed cost at this size) and cycles with N users changed (their title). Cycles are incremental (the InMemoryDatastore tracks changes).',
      'ms per change = (cycle wall time - no-change wall time) / changes.',
    ],
    durationMs: Date.now() - started,
  };
  await writeResult(result, options.resultsDir);
  return result;
};
