/**
 * Issue 8, item 1: initial provisioning of 10,000 users and 1,000 groups (20 members on average,
 * one group of 10,000) from an InMemoryDatastore to a ScimTestServer over loopback HTTP, at
 * concurrency 8 and 32: wall time, objects per second, requests by kind against the minimum, peak
 * RSS of the engine process.
 */
import type { SyncReport } from '../../src/engine/report';
import type { Benchmark } from '../lib/cli';
import { type DirectorySpec, generateDirectory } from '../lib/directory';
import { machineInfo } from '../lib/machine';
import { measure, round } from '../lib/measure';
import { intListSetting, intSetting, resolveBenchOptions } from '../lib/options';
import { readsOf, writesOf } from '../lib/requests';
import { type BenchResult, goal, printTable, writeResult } from '../lib/results';
import { benchClient, benchEngine, benchStateStore, type StateKind } from '../lib/rig';
import { startBenchServer } from '../lib/server';

/** One engine run at one concurrency. */
export interface InitialSyncRun {
  readonly concurrency: number;
  readonly state: StateKind;
  readonly wallMs: number;
  readonly objects: number;
  readonly objectsPerSecond: number;
  readonly requests: number;
  readonly writes: number;
  readonly reads: number;
  readonly minimumRequests: number;
  /** requests / minimum. */
  readonly requestRatio: number;
  readonly byRoute: Record<string, number>;
  readonly failures: number;
  readonly targetUsers: number;
  readonly targetGroups: number;
  readonly rssStartMb: number;
  readonly rssPeakMb: number;
  readonly heapPeakMb: number;
  readonly serverRssMb: number | undefined;
}

/** Runs benchmark 1. */
export const initialSyncBenchmark: Benchmark = async (input) => {
  const options = resolveBenchOptions(input);
  const started = Date.now();
  const machine = machineInfo();
  const spec: DirectorySpec = options.smoke
    ? { users: 300, groups: 30, bigGroup: 150 }
    : {
        users: intSetting(options, 'users', 10_000),
        groups: intSetting(options, 'groups', 1_000),
        bigGroup: intSetting(options, 'big-group', 10_000),
      };
  const concurrencies = intListSetting(options, 'concurrency', options.smoke ? [2, 4] : [8, 32]);
  const stateKind: StateKind = options.settings.state === 'memory' ? 'memory' : 'file';
  const { datastore, facts } = generateDirectory(spec);
  // Members ride in each group's POST (every member is a user created in the phase before), so
  // the minimum is one POST per object; a target without members in POST would need
  // ceil(members / 1000) PATCHes per group at the client's default chunking (10 operations of 100).
  const minimumRequests = facts.users + facts.groups;

  const runs: InitialSyncRun[] = [];
  for (const concurrency of concurrencies) {
    const server = await startBenchServer({ inline: options.inlineServer });
    const state = await benchStateStore(stateKind);
    const client = benchClient(server.baseUrl, { concurrency });
    try {
      const engine = benchEngine(datastore, client, state.store, concurrency);
      const { value: report, wallMs, memory } = await measure<SyncReport>(() => engine.sync());
      const stats = await server.stats();
      const counts = await server.counts();
      const objects = report.users.created + report.groups.created;
      runs.push({
        concurrency,
        state: stateKind,
        wallMs,
        objects,
        objectsPerSecond: round(objects / (wallMs / 1000)),
        requests: stats.totalRequests,
        writes: writesOf(stats),
        reads: readsOf(stats),
        minimumRequests,
        requestRatio: round(stats.totalRequests / minimumRequests, 4),
        byRoute: { ...stats.byRoute },
        failures: report.failures.length,
        targetUsers: counts.users,
        targetGroups: counts.groups,
        rssStartMb: memory.rssStartMb,
        rssPeakMb: memory.rssPeakMb,
        heapPeakMb: memory.heapPeakMb,
        serverRssMb: await server.rssMb(),
      });
    } finally {
      client.close();
      await state.dispose();
      await server.close();
    }
  }

  if (options.print) {
    printTable(
      `Initial provisioning: ${facts.users} users, ${facts.groups} groups (${facts.memberships} memberships, biggest ${facts.biggestGroup})`,
      runs.map((run) => ({
        concurrency: run.concurrency,
        'wall s': round(run.wallMs / 1000, 2),
        'objects/s': run.objectsPerSecond,
        requests: run.requests,
        minimum: run.minimumRequests,
        writes: run.writes,
        reads: run.reads,
        failures: run.failures,
        'peak RSS MB': run.rssPeakMb,
        'heap peak MB': run.heapPeakMb,
      })),
    );
  }

  const figures: BenchResult['figures'] = {};
  for (const run of runs) {
    figures[`c${run.concurrency}.wallS`] = round(run.wallMs / 1000, 2);
    figures[`c${run.concurrency}.objectsPerSecond`] = run.objectsPerSecond;
    figures[`c${run.concurrency}.requests`] = run.requests;
    figures[`c${run.concurrency}.extraRequests`] = run.requests - run.minimumRequests;
    figures[`c${run.concurrency}.peakRssMb`] = run.rssPeakMb;
  }
  figures.minimumRequests = minimumRequests;
  const result: BenchResult = {
    name: 'initial-sync',
    item: 1,
    title: 'Initial provisioning from InMemoryDatastore to ScimTestServer over loopback',
    smoke: options.smoke,
    machine,
    parameters: {
      ...spec,
      ...facts,
      concurrencies,
      state: stateKind,
      server: options.inlineServer ? 'inline' : 'child process',
    },
    figures,
    goals: runs.flatMap((run) => [
      goal(
        `writes = one POST per object, concurrency ${run.concurrency}`,
        `= ${minimumRequests}`,
        run.writes,
        run.writes === minimumRequests,
        options.smoke,
      ),
      goal(
        `every object provisioned, no failure, concurrency ${run.concurrency}`,
        `${facts.users} users, ${facts.groups} groups, 0 failures`,
        `${run.targetUsers} users, ${run.targetGroups} groups, ${run.failures} failures`,
        run.targetUsers === facts.users && run.targetGroups === facts.groups && run.failures === 0,
        options.smoke,
      ),
    ]),
    details: { runs },
    notes: [
      'Minimum requests: one POST per user and per group. Group members ride in the group POST (all members are users created in the users phase before), so no membership PATCH is implied; reads are discovery (ServiceProviderConfig, Schemas, ResourceTypes) and the match phase (one count per resource type).',
      `Engine state: ${stateKind === 'file' ? 'FileStateStore on the local disk (journal with fsync per batch of records), as the engine default' : 'MemoryStateStore'}.`,
      'The SCIM server runs in a child process: its memory and CPU are not in the engine figures (the machine has 2 cores, shared).',
    ],
    durationMs: Date.now() - started,
  };
  await writeResult(result, options.resultsDir);
  return result;
};
