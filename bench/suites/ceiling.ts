/**
 * Issue 8, item 2: the ceiling. The engine's initial provisioning (item 1) against a bare
 * keep-alive `node:http` client sending exactly the same requests (recorded from a first engine
 * run: method, path, headers, body) at the same concurrency, each against a fresh server, measured
 * side by side in one run: rounds alternate which goes first, and the ratio is of the medians.
 * CPU time is measured on both sides (this process, and the server's child process) to show
 * which side limits each run.
 */
import type { SyncReport } from '../../src/engine/report';
import type { Benchmark } from '../lib/cli';
import { type DirectorySpec, generateDirectory } from '../lib/directory';
import { machineInfo } from '../lib/machine';
import { measure, median, round } from '../lib/measure';
import { intListSetting, intSetting, resolveBenchOptions } from '../lib/options';
import { countByRoute, createRequestRecorder, type RecordedRequest } from '../lib/recorder';
import { replay } from '../lib/replay';
import { type BenchResult, goal, printTable, writeResult } from '../lib/results';
import { benchClient, benchEngine, benchStateStore, type StateKind } from '../lib/rig';
import { type BenchServer, startBenchServer } from '../lib/server';

/** Who sent the requests of one timed run. */
export type CeilingRunKind = 'engine-file-state' | 'engine-memory-state' | 'bare-client';

/** One timed run. */
export interface CeilingRun {
  readonly kind: CeilingRunKind;
  readonly round: number;
  readonly wallMs: number;
  /** CPU time of the sending process during the run. @unit ms */
  readonly clientCpuMs: number;
  /** CPU time of the server process during the run (`null` with an inline server). @unit ms */
  readonly serverCpuMs: number | null;
  /** Engine failures, or replayed answers whose status differs from the recording. */
  readonly problems: number;
}

/** Every timed run of one concurrency, and the medians. */
export interface CeilingComparison {
  readonly concurrency: number;
  readonly recordedRequests: number;
  readonly recordedByRoute: Record<string, number>;
  readonly runs: CeilingRun[];
  readonly mismatchExamples: string[];
  readonly medians: Record<
    CeilingRunKind,
    { wallMs: number; clientCpuMs: number; serverCpuMs: number | null }
  >;
  /** median(bare client) / median(engine, file state): engine throughput as a fraction of the ceiling. */
  readonly ratioFileState: number;
  /** The same with the MemoryStateStore. */
  readonly ratioMemoryState: number;
  readonly ceilingRequestsPerSecond: number;
  readonly engineRequestsPerSecond: number;
  /** Engine-process CPU per request, file state. @unit microseconds */
  readonly engineCpuPerRequestUs: number;
  /** Bare-client CPU per request. @unit microseconds */
  readonly bareCpuPerRequestUs: number;
  /** Server CPU per request during the bare-client runs (`null` inline). @unit microseconds */
  readonly serverCpuPerRequestUs: number | null;
}

/** Runs benchmark 2. */
export const ceilingBenchmark: Benchmark = async (input) => {
  const options = resolveBenchOptions(input);
  const started = Date.now();
  const machine = machineInfo();
  const spec: DirectorySpec = options.smoke
    ? { users: 200, groups: 20, bigGroup: 100 }
    : {
        users: intSetting(options, 'users', 10_000),
        groups: intSetting(options, 'groups', 1_000),
        bigGroup: intSetting(options, 'big-group', 10_000),
      };
  const concurrencies = intListSetting(options, 'concurrency', options.smoke ? [4] : [8, 32]);
  const rounds = intSetting(options, 'rounds', options.smoke ? 1 : 3);
  const { datastore, facts } = generateDirectory(spec);

  const withServer = async <T>(work: (server: BenchServer) => Promise<T>): Promise<T> => {
    const server = await startBenchServer({ inline: options.inlineServer });
    try {
      return await work(server);
    } finally {
      await server.close();
    }
  };
  const serverCpu = async (server: BenchServer, before: number | undefined) => {
    const after = await server.cpuMs();
    return after === undefined || before === undefined ? null : round(after - before, 1);
  };

  /** One engine run on a fresh server; records its requests when `recorded` is given. */
  const engineRun = (concurrency: number, kind: StateKind, round: number, recorded?: RecordedRequest[]) =>
    withServer(async (server): Promise<CeilingRun> => {
      const recorder =
        recorded === undefined ? undefined : createRequestRecorder(server.baseUrl, concurrency);
      const state = await benchStateStore(kind);
      const client = benchClient(server.baseUrl, {
        concurrency,
        ...(recorder === undefined ? {} : { axios: recorder.axios }),
      });
      try {
        const engine = benchEngine(datastore, client, state.store, concurrency);
        if (recorder !== undefined) engine.on('progress', (event) => recorder.setPhase(event.phase));
        const cpuBefore = await server.cpuMs();
        const { value: report, wallMs, cpuMs } = await measure<SyncReport>(() => engine.sync());
        if (recorder !== undefined) recorded?.push(...recorder.requests);
        return {
          kind: kind === 'file' ? 'engine-file-state' : 'engine-memory-state',
          round,
          wallMs,
          clientCpuMs: cpuMs,
          serverCpuMs: await serverCpu(server, cpuBefore),
          problems: report.failures.length,
        };
      } finally {
        client.close();
        recorder?.close();
        await state.dispose();
      }
    });

  const comparisons: CeilingComparison[] = [];
  for (const concurrency of concurrencies) {
    // The recording run (not timed): its requests are what the bare client sends.
    const recording: RecordedRequest[] = [];
    const recordingRun = await engineRun(concurrency, 'memory', -1, recording);
    const runs: CeilingRun[] = [];
    const examples: string[] = [];
    const bareRun = (round: number) =>
      withServer(async (server): Promise<CeilingRun> => {
        const cpuBefore = await server.cpuMs();
        const { value: outcome, cpuMs } = await measure(() => replay(recording, server.baseUrl, concurrency));
        examples.push(...outcome.examples);
        return {
          kind: 'bare-client',
          round,
          wallMs: outcome.wallMs,
          clientCpuMs: cpuMs,
          serverCpuMs: await serverCpu(server, cpuBefore),
          problems: outcome.mismatches,
        };
      });
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so that a drift in the machine's load favours neither side.
      const bareFirst = round % 2 === 1;
      if (bareFirst) runs.push(await bareRun(round));
      runs.push(await engineRun(concurrency, 'file', round));
      runs.push(await engineRun(concurrency, 'memory', round));
      if (!bareFirst) runs.push(await bareRun(round));
    }
    const medianOf = (kind: CeilingRunKind) => {
      const own = runs.filter((run) => run.kind === kind);
      const servers = own.map((run) => run.serverCpuMs).filter((value): value is number => value !== null);
      return {
        wallMs: round(median(own.map((run) => run.wallMs)), 1),
        clientCpuMs: round(median(own.map((run) => run.clientCpuMs)), 1),
        serverCpuMs: servers.length === 0 ? null : round(median(servers), 1),
      };
    };
    const medians = {
      'engine-file-state': medianOf('engine-file-state'),
      'engine-memory-state': medianOf('engine-memory-state'),
      'bare-client': medianOf('bare-client'),
    };
    const requests = recording.length;
    const perRequest = (ms: number) => round((ms * 1000) / requests);
    const bareServer = medians['bare-client'].serverCpuMs;
    comparisons.push({
      concurrency,
      recordedRequests: requests,
      recordedByRoute: countByRoute(recording),
      runs,
      mismatchExamples: examples.slice(0, 5),
      medians,
      ratioFileState: round(medians['bare-client'].wallMs / medians['engine-file-state'].wallMs, 3),
      ratioMemoryState: round(medians['bare-client'].wallMs / medians['engine-memory-state'].wallMs, 3),
      ceilingRequestsPerSecond: round(requests / (medians['bare-client'].wallMs / 1000)),
      engineRequestsPerSecond: round(requests / (medians['engine-file-state'].wallMs / 1000)),
      engineCpuPerRequestUs: perRequest(medians['engine-file-state'].clientCpuMs),
      bareCpuPerRequestUs: perRequest(medians['bare-client'].clientCpuMs),
      serverCpuPerRequestUs: bareServer === null ? null : perRequest(bareServer),
    });
    if (recordingRun.problems > 0) throw new Error(`the recording run had ${recordingRun.problems} failures`);
  }

  if (options.print) {
    printTable(
      `Engine vs bare keep-alive client, same requests (${facts.users} users, ${facts.groups} groups; medians of ${rounds})`,
      comparisons.flatMap((comparison) =>
        (['bare-client', 'engine-file-state', 'engine-memory-state'] as const).map((kind) => ({
          concurrency: comparison.concurrency,
          sender: kind,
          requests: comparison.recordedRequests,
          'wall s': round(comparison.medians[kind].wallMs / 1000, 2),
          'req/s': round(comparison.recordedRequests / (comparison.medians[kind].wallMs / 1000)),
          'sender CPU s': round(comparison.medians[kind].clientCpuMs / 1000, 2),
          'server CPU s':
            comparison.medians[kind].serverCpuMs === null
              ? null
              : round((comparison.medians[kind].serverCpuMs as number) / 1000, 2),
          'ratio to ceiling': round(
            comparison.medians['bare-client'].wallMs / comparison.medians[kind].wallMs,
            3,
          ),
        })),
      ),
    );
  }

  const figures: BenchResult['figures'] = {};
  for (const comparison of comparisons) {
    const c = `c${comparison.concurrency}`;
    figures[`${c}.ceilingS`] = round(comparison.medians['bare-client'].wallMs / 1000, 2);
    figures[`${c}.engineS`] = round(comparison.medians['engine-file-state'].wallMs / 1000, 2);
    figures[`${c}.engineMemoryStateS`] = round(comparison.medians['engine-memory-state'].wallMs / 1000, 2);
    figures[`${c}.ratio`] = comparison.ratioFileState;
    figures[`${c}.ratioMemoryState`] = comparison.ratioMemoryState;
    figures[`${c}.ceilingRequestsPerSecond`] = comparison.ceilingRequestsPerSecond;
    figures[`${c}.engineCpuPerRequestUs`] = comparison.engineCpuPerRequestUs;
    figures[`${c}.bareCpuPerRequestUs`] = comparison.bareCpuPerRequestUs;
    figures[`${c}.serverCpuPerRequestUs`] = comparison.serverCpuPerRequestUs;
  }
  const mismatches = (comparison: CeilingComparison) =>
    comparison.runs.filter((run) => run.kind === 'bare-client').reduce((sum, run) => sum + run.problems, 0);
  const failures = (comparison: CeilingComparison) =>
    comparison.runs.filter((run) => run.kind !== 'bare-client').reduce((sum, run) => sum + run.problems, 0);
  const result: BenchResult = {
    name: 'ceiling',
    item: 2,
    title: 'Engine throughput against a bare keep-alive HTTP client sending the same requests',
    smoke: options.smoke,
    machine,
    parameters: {
      ...spec,
      ...facts,
      concurrencies,
      rounds,
      server: options.inlineServer ? 'inline' : 'child process',
    },
    figures,
    goals: comparisons.flatMap((comparison) => [
      goal(
        `engine / ceiling throughput, concurrency ${comparison.concurrency} (FileStateStore, the default)`,
        '>= 0.9',
        comparison.ratioFileState,
        comparison.ratioFileState >= 0.9,
        options.smoke,
      ),
      goal(
        `engine / ceiling throughput, concurrency ${comparison.concurrency} (MemoryStateStore)`,
        '>= 0.9',
        comparison.ratioMemoryState,
        comparison.ratioMemoryState >= 0.9,
        options.smoke,
      ),
      goal(
        `same requests, same answers, no failure, concurrency ${comparison.concurrency}`,
        '0 mismatches, 0 failures',
        `${mismatches(comparison)} mismatches, ${failures(comparison)} failures`,
        mismatches(comparison) === 0 && failures(comparison) === 0,
        options.smoke,
      ),
    ]),
    details: { comparisons },
    notes: [
      'Each timed run (engine with FileStateStore, engine with MemoryStateStore, bare client) gets a fresh server in a child process; rounds alternate whether the engine or the bare client goes first; figures are medians.',
      'The bare client is node:http with a keep-alive Agent (maxSockets = concurrency), sending the recorded method, path, headers and body text; ids the recording saw created are replaced by the new server ids (a map lookup per id); phases are kept (all users before the groups that name them).',
      'The ratio is ceiling wall time / engine wall time, i.e. engine throughput as a fraction of the ceiling. CPU columns show which process limits a run: on 2 shared cores, the sender and the server compete with each other and with other work.',
    ],
    durationMs: Date.now() - started,
  };
  await writeResult(result, options.resultsDir);
  return result;
};
