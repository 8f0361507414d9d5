/**
 * Issue 8, item 7: scale. The no-change cycle at 10,000, 100,000 and 1,000,000 users (groups: 5 %
 * of the users, 20 members on average, one of 10,000), each size in a fresh Node process so that
 * its memory figures are its own: time and memory, and how they grow (goal: linear, and 1M within
 * 4 GB). The state is seeded directly (see `bench/lib/seed-state.ts`): provisioning 1,000,000
 * users over HTTP first would take longer than everything measured here.
 */
import type { Benchmark } from '../lib/cli';
import { machineInfo } from '../lib/machine';
import { round } from '../lib/measure';
import { noChangeAtScale, type ScalePoint } from '../lib/no-change-at-scale';
import { intListSetting, intSetting, resolveBenchOptions } from '../lib/options';
import { type BenchResult, goal, printTable, writeResult } from '../lib/results';
import { noChangeInFreshProcess } from '../lib/scale-process';

/** How a figure grew from one size to the next: `growth = ratio of figures`, `exponent = log(growth) / log(size ratio)`. */
export interface Growth {
  readonly from: number;
  readonly to: number;
  readonly figure: string;
  readonly growth: number;
  /** 1 is linear; above 1, faster than linear. */
  readonly exponent: number;
}

/** Runs benchmark 7. */
export const scaleBenchmark: Benchmark = async (input) => {
  const options = resolveBenchOptions(input);
  const started = Date.now();
  const machine = machineInfo();
  const sizes = intListSetting(options, 'sizes', options.smoke ? [200, 2_000] : [10_000, 100_000, 1_000_000]);
  const heapMb = intSetting(options, 'max-old-space-size', 6_144);
  const points: ScalePoint[] = [];
  for (const users of sizes) {
    const groups = Math.max(1, Math.round(users / 20));
    // Smoke runs stay in this process (fast); real runs get a fresh process per size.
    points.push(
      options.smoke
        ? await noChangeAtScale(users, groups)
        : await noChangeInFreshProcess(users, groups, heapMb),
    );
    if (options.print) console.log(`${users} users: done`);
  }

  const growth: Growth[] = [];
  for (let index = 1; index < points.length; index++) {
    const a = points[index - 1] as ScalePoint;
    const b = points[index] as ScalePoint;
    const sizeRatio = b.facts.users / a.facts.users;
    const add = (figure: string, x: number, y: number) => {
      const ratio = y / x;
      growth.push({
        from: a.facts.users,
        to: b.facts.users,
        figure,
        growth: round(ratio, 2),
        exponent: round(Math.log(ratio) / Math.log(sizeRatio), 2),
      });
    };
    add('warm cycle wall time', a.warm.wallMs, b.warm.wallMs);
    add('cold cycle wall time', a.cold.wallMs, b.cold.wallMs);
    add('peak RSS (cold cycle)', a.cold.rssPeakMb, b.cold.rssPeakMb);
    add('peak heap (cold cycle)', a.cold.heapPeakMb, b.cold.heapPeakMb);
    add('state file size', a.stateFileBytes, b.stateFileBytes);
  }

  if (options.print) {
    printTable(
      'No-change cycle by size (fresh process per size, FileStateStore)',
      points.map((point) => ({
        users: point.facts.users,
        groups: point.facts.groups,
        'state file MB': point.stateFileMb,
        'RSS base MB': point.rssBaseMb,
        'RSS + directory MB': point.rssWithDirectoryMb,
        'cold s': round(point.cold.wallMs / 1000, 3),
        'cold peak RSS MB': point.cold.rssPeakMb,
        'warm s': round(point.warm.wallMs / 1000, 3),
        'warm peak RSS MB': point.warm.rssPeakMb,
        requests: point.cold.reads + point.cold.writes + point.warm.reads + point.warm.writes,
      })),
    );
    printTable(
      'Growth between sizes',
      growth.map((entry) => ({ ...entry })),
    );
  }

  const figures: BenchResult['figures'] = {};
  for (const point of points) {
    const k = `u${point.facts.users}`;
    figures[`${k}.coldS`] = round(point.cold.wallMs / 1000, 3);
    figures[`${k}.warmS`] = round(point.warm.wallMs / 1000, 3);
    figures[`${k}.coldPeakRssMb`] = point.cold.rssPeakMb;
    figures[`${k}.warmPeakRssMb`] = point.warm.rssPeakMb;
    figures[`${k}.stateFileMb`] = point.stateFileMb;
  }
  const largest = points[points.length - 1] as ScalePoint;
  const peak = Math.max(largest.cold.rssPeakMb, largest.warm.rssPeakMb);
  const timeGrowth = growth.filter((entry) => entry.figure.endsWith('wall time'));
  const memoryGrowth = growth.filter((entry) => entry.figure === 'peak RSS (cold cycle)');
  const result: BenchResult = {
    name: 'scale',
    item: 7,
    title: 'Scale: the no-change cycle at 10k, 100k and 1M users',
    smoke: options.smoke,
    machine,
    parameters: {
      sizes,
      groupsPerUser: 0.05,
      maxOldSpaceSizeMb: options.smoke ? null : heapMb,
      process: options.smoke ? 'this process' : 'a fresh node process per size',
    },
    figures,
    goals: [
      ...timeGrowth.map((entry) =>
        goal(
          `${entry.figure} growth exponent, ${entry.from} -> ${entry.to} users`,
          '<= 1.1 (linear)',
          entry.exponent,
          entry.exponent <= 1.1,
          options.smoke,
        ),
      ),
      ...memoryGrowth.map((entry) =>
        goal(
          `peak RSS growth exponent, ${entry.from} -> ${entry.to} users`,
          '<= 1.1 (linear)',
          entry.exponent,
          entry.exponent <= 1.1,
          options.smoke,
        ),
      ),
      goal(`peak RSS at ${largest.facts.users} users`, '< 4096 MB', peak, peak < 4096, options.smoke),
      goal(
        'requests in the no-change cycles, every size',
        '= 0',
        points.reduce(
          (sum, point) => sum + point.cold.reads + point.cold.writes + point.warm.reads + point.warm.writes,
          0,
        ),
        points.every(
          (point) => point.cold.reads + point.cold.writes + point.warm.reads + point.warm.writes === 0,
        ),
        options.smoke,
      ),
    ],
    details: { points, growth },
    notes: [
      `Each size runs in a fresh node process (--expose-gc --max-old-space-size=${heapMb}; the heap limit only lets 1M run, it does not change the figures below it). RSS counts the whole process: the InMemoryDatastore holding the directory, the engine and its state; the "RSS base" column is the process before the directory was built.`,
      "The state is seeded directly with the engine's own mapping and hashes (checked against a real first sync by the smoke test) and saved to a FileStateStore; the cold cycle is a new engine loading it, the warm one that engine's next cycle.",
      'Growth exponent = log(figure ratio) / log(size ratio): 1 is linear; a fixed cost pulls it below 1 at small sizes.',
    ],
    durationMs: Date.now() - started,
  };
  await writeResult(result, options.resultsDir);
  return result;
};
