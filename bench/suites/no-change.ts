/**
 * Issue 8, item 3: a cycle with nothing to do, on 100,000 users and 5,000 groups: writes (must be
 * 0), reads of the target (goal 0), wall time (goal < 3 s) and peak RSS (goal < 400 MB engine
 * side).
 *
 * The target and the state are seeded by a real first sync over HTTP (timed, and reported). The
 * cycles measured then:
 * - `cold`: a new engine on the `FileStateStore` the first sync's state was saved to (what a CLI
 *   run from cron does: load the state, read the source's changes, find nothing);
 * - `warm`: the same engine's next cycle (what a scheduled engine does; the state is in memory);
 * - `warm, MemoryStateStore`: the engine that made the first sync, its next cycle;
 * - `full`: `sync({ full: true })`, which reads the whole source and lists the target to repair
 *   drift (reads are expected there; writes must still be 0).
 */
import type { Benchmark } from '../lib/cli';
import { cycleRow, type MeasuredCycle, measureCycle } from '../lib/cycle';
import { type DirectorySpec, generateDirectory } from '../lib/directory';
import { machineInfo } from '../lib/machine';
import { measure, round } from '../lib/measure';
import { collectGarbage, mb } from '../lib/memory';
import { noChangeAtScale } from '../lib/no-change-at-scale';
import { intSetting, resolveBenchOptions } from '../lib/options';
import { type BenchResult, goal, printTable, writeResult } from '../lib/results';
import { benchClient, benchEngine, benchStateStore } from '../lib/rig';
import { noChangeInFreshProcess } from '../lib/scale-process';
import { startBenchServer } from '../lib/server';

/** Runs benchmark 3. */
export const noChangeBenchmark: Benchmark = async (input) => {
  const options = resolveBenchOptions(input);
  const started = Date.now();
  const machine = machineInfo();
  const spec: DirectorySpec = options.smoke
    ? { users: 400, groups: 20, bigGroup: 200 }
    : {
        users: intSetting(options, 'users', 100_000),
        groups: intSetting(options, 'groups', 5_000),
        bigGroup: intSetting(options, 'big-group', 10_000),
      };
  const concurrency = intSetting(options, 'concurrency', options.smoke ? 4 : 32);
  collectGarbage();
  const rssBeforeDirectoryMb = mb(process.memoryUsage().rss);
  const { datastore, facts } = generateDirectory(spec);
  collectGarbage();
  const rssWithDirectoryMb = mb(process.memoryUsage().rss);

  const server = await startBenchServer({ inline: options.inlineServer });
  const client = benchClient(server.baseUrl, { concurrency });
  const memoryState = await benchStateStore('memory');
  const fileState = await benchStateStore('file');
  const cycles: MeasuredCycle[] = [];
  let seed: { wallMs: number; failures: number; created: number } | undefined;
  try {
    const seeding = benchEngine(datastore, client, memoryState.store, concurrency);
    const first = await measure(() => seeding.sync());
    seed = {
      wallMs: first.wallMs,
      failures: first.value.failures.length,
      created: first.value.users.created + first.value.groups.created,
    };
    const saved = await memoryState.store.load();
    if (saved === undefined) throw new Error('the first sync left no state');
    await fileState.store.save(saved);

    const engine = benchEngine(datastore, client, fileState.store, concurrency);
    cycles.push(await measureCycle('cold (new engine, FileStateStore)', engine, server));
    cycles.push(await measureCycle('warm (same engine, FileStateStore)', engine, server));
    cycles.push(await measureCycle('warm (MemoryStateStore)', seeding, server));
    cycles.push(await measureCycle('full (sync({ full: true }))', engine, server, { full: true }));
  } finally {
    client.close();
    await memoryState.dispose();
    await fileState.dispose();
    await server.close();
  }

  // The same cycle in a fresh process (state seeded directly): the engine's own memory, without
  // what the first sync left in this process's heap.
  const fresh = options.smoke
    ? await noChangeAtScale(spec.users, spec.groups)
    : await noChangeInFreshProcess(spec.users, spec.groups, 4096);
  cycles.push({ ...fresh.cold, label: 'cold, fresh process (state seeded directly)' });
  cycles.push({ ...fresh.warm, label: 'warm, fresh process' });

  if (options.print) {
    console.log(
      `\nFirst sync (seeding): ${round((seed?.wallMs ?? 0) / 1000, 1)} s for ${seed?.created} objects; RSS ${rssBeforeDirectoryMb} MB before the directory, ${rssWithDirectoryMb} MB with it`,
    );
    printTable(
      `No-change cycles: ${facts.users} users, ${facts.groups} groups (${facts.memberships} memberships)`,
      cycles.map(cycleRow),
    );
  }
  const [cold, warm, warmMemory, full, freshCold, freshWarm] = cycles as [
    MeasuredCycle,
    MeasuredCycle,
    MeasuredCycle,
    MeasuredCycle,
    MeasuredCycle,
    MeasuredCycle,
  ];
  const defaultCycles = [cold, warm, freshCold, freshWarm];
  const result: BenchResult = {
    name: 'no-change',
    item: 3,
    title: 'A cycle with nothing to do',
    smoke: options.smoke,
    machine,
    parameters: { ...spec, ...facts, concurrency, server: options.inlineServer ? 'inline' : 'child process' },
    figures: {
      seedSyncS: round((seed?.wallMs ?? 0) / 1000, 1),
      coldWallS: round(cold.wallMs / 1000, 3),
      warmWallS: round(warm.wallMs / 1000, 3),
      warmMemoryStateWallS: round(warmMemory.wallMs / 1000, 3),
      fullWallS: round(full.wallMs / 1000, 3),
      coldWrites: cold.writes,
      coldReads: cold.reads,
      warmWrites: warm.writes,
      warmReads: warm.reads,
      fullWrites: full.writes,
      fullReads: full.reads,
      coldPeakRssMb: cold.rssPeakMb,
      warmPeakRssMb: warm.rssPeakMb,
      fullPeakRssMb: full.rssPeakMb,
      freshColdWallS: round(freshCold.wallMs / 1000, 3),
      freshWarmWallS: round(freshWarm.wallMs / 1000, 3),
      freshColdPeakRssMb: freshCold.rssPeakMb,
      freshWarmPeakRssMb: freshWarm.rssPeakMb,
      freshRssBaseMb: fresh.rssBaseMb,
      rssWithDirectoryMb,
    },
    goals: [
      ...cycles.map((cycle) =>
        goal(`writes, ${cycle.label}`, '= 0', cycle.writes, cycle.writes === 0, options.smoke),
      ),
      ...defaultCycles.map((cycle) =>
        goal(`reads of the target, ${cycle.label}`, '0', cycle.reads, cycle.reads === 0, options.smoke),
      ),
      ...defaultCycles.map((cycle) =>
        goal(
          `wall time, ${cycle.label}`,
          '< 3 s',
          round(cycle.wallMs / 1000, 3),
          cycle.wallMs < 3000,
          options.smoke,
        ),
      ),
      ...defaultCycles.map((cycle) =>
        goal(
          `peak RSS of the engine process, ${cycle.label}`,
          '< 400 MB',
          cycle.rssPeakMb,
          cycle.rssPeakMb < 400,
          options.smoke,
        ),
      ),
    ],
    details: { seed, rssBeforeDirectoryMb, rssWithDirectoryMb, cycles, fresh },
    notes: [
      'Seeded by a real first sync over HTTP (MemoryStateStore, then saved to a FileStateStore); no-change cycles after it. The default cycle is incremental: the InMemoryDatastore tracks changes and the state holds its watermark.',
      'The engine process holds the source too (the InMemoryDatastore with every user and group): its RSS counts against the engine. The SCIM server runs in a child process and is not counted.',
      'RSS of the cycles that follow the first sync includes what the 105,000 POSTs left in the heap; the fresh-process cycles (a new node process: directory generated, state seeded directly and saved to a FileStateStore, then a new engine) are the engine-side figure.',
      'A full cycle (sync({ full: true })) lists the target to repair drift: its reads are the listing pages, expected; the 0-read goal is for the default cycle.',
    ],
    durationMs: Date.now() - started,
  };
  await writeResult(result, options.resultsDir);
  return result;
};
