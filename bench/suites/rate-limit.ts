/**
 * Issue 8, item 6: a rate-limited target. The ScimTestServer answers 429 with Retry-After above
 * 50 requests per second (a token bucket, burst 50); the engine provisions a directory through
 * it. Does it settle at the allowed rate, without failures piling up? Measured with the client's
 * defaults (it only reacts to 429s), and with the client's own pacing (`rateLimit: 50`).
 */
import type { Benchmark } from '../lib/cli';
import { type DirectorySpec, generateDirectory } from '../lib/directory';
import { machineInfo } from '../lib/machine';
import { measure, round } from '../lib/measure';
import { intSetting, resolveBenchOptions } from '../lib/options';
import { type BenchResult, goal, printTable, writeResult } from '../lib/results';
import { benchClient, benchEngine, benchStateStore } from '../lib/rig';
import { startBenchServer } from '../lib/server';

/** One provisioning run against the rate-limited server. */
export interface RateLimitedRun {
  /** `client defaults` or `client rateLimit`. */
  readonly client: string;
  readonly wallMs: number;
  /** Requests answered 2xx. */
  readonly accepted: number;
  /** Requests refused with 429. */
  readonly refused: number;
  /** accepted / wall seconds. @unit requests per second */
  readonly achievedRate: number;
  /** achievedRate / allowed rate. */
  readonly ratio: number;
  readonly failures: number;
  readonly objectsProvisioned: number;
  readonly objectsExpected: number;
  readonly byStatus: Record<string, number>;
}

/** Runs benchmark 6. */
export const rateLimitBenchmark: Benchmark = async (input) => {
  const options = resolveBenchOptions(input);
  const started = Date.now();
  const machine = machineInfo();
  const allowed = intSetting(options, 'rate', options.smoke ? 100 : 50);
  const burst = intSetting(options, 'burst', options.smoke ? 30 : allowed);
  const spec: DirectorySpec = options.smoke
    ? { users: 60, groups: 3, bigGroup: 30 }
    : {
        users: intSetting(options, 'users', 1_500),
        groups: intSetting(options, 'groups', 15),
        bigGroup: 500,
      };
  const concurrency = intSetting(options, 'concurrency', 8);
  const { datastore, facts } = generateDirectory(spec);
  const variants: { name: string; rateLimit: number | undefined }[] = [
    { name: 'client defaults (reacts to 429 + Retry-After)', rateLimit: undefined },
    { name: `client rateLimit: ${allowed}`, rateLimit: allowed },
  ];
  const runs: RateLimitedRun[] = [];
  for (const variant of variants) {
    const server = await startBenchServer({
      inline: options.inlineServer,
      server: { rateLimit: { requestsPerSecond: allowed, burst } },
    });
    const client = benchClient(server.baseUrl, {
      concurrency,
      ...(variant.rateLimit === undefined ? {} : { rateLimit: variant.rateLimit }),
    });
    const state = await benchStateStore('file');
    try {
      const engine = benchEngine(datastore, client, state.store, concurrency);
      const { value: report, wallMs } = await measure(() => engine.sync());
      const stats = await server.stats();
      const counts = await server.counts();
      let accepted = 0;
      for (const [status, count] of Object.entries(stats.byStatus)) if (/^2/.test(status)) accepted += count;
      const achievedRate = accepted / (wallMs / 1000);
      runs.push({
        client: variant.name,
        wallMs,
        accepted,
        refused: stats.byStatus['429'] ?? 0,
        achievedRate: round(achievedRate, 1),
        ratio: round(achievedRate / allowed, 3),
        failures: report.failures.length,
        objectsProvisioned: counts.users + counts.groups,
        objectsExpected: facts.users + facts.groups,
        byStatus: { ...stats.byStatus },
      });
    } finally {
      client.close();
      await state.dispose();
      await server.close();
    }
  }

  if (options.print) {
    printTable(
      `Rate-limited target: ${allowed} requests/s (burst ${burst}), ${facts.users} users + ${facts.groups} groups, concurrency ${concurrency}`,
      runs.map((run) => ({
        client: run.client,
        'wall s': round(run.wallMs / 1000, 1),
        accepted: run.accepted,
        '429s': run.refused,
        'achieved req/s': run.achievedRate,
        'achieved / allowed': run.ratio,
        failures: run.failures,
        provisioned: `${run.objectsProvisioned}/${run.objectsExpected}`,
      })),
    );
  }
  const [reactive, paced] = runs as [RateLimitedRun, RateLimitedRun];
  const result: BenchResult = {
    name: 'rate-limit',
    item: 6,
    title: 'Behaviour under a rate-limited target (429 + Retry-After)',
    smoke: options.smoke,
    machine,
    parameters: {
      ...spec,
      ...facts,
      allowedRate: allowed,
      burst,
      concurrency,
      server: options.inlineServer ? 'inline' : 'child process',
    },
    figures: {
      allowedRate: allowed,
      reactiveAchievedRate: reactive.achievedRate,
      reactiveRatio: reactive.ratio,
      reactive429s: reactive.refused,
      reactiveFailures: reactive.failures,
      pacedAchievedRate: paced.achievedRate,
      pacedRatio: paced.ratio,
      paced429s: paced.refused,
      pacedFailures: paced.failures,
    },
    goals: runs.flatMap((run) => [
      goal(`failures, ${run.client}`, '= 0', run.failures, run.failures === 0, options.smoke),
      goal(
        `everything provisioned, ${run.client}`,
        `${run.objectsExpected} objects`,
        run.objectsProvisioned,
        run.objectsProvisioned === run.objectsExpected,
        options.smoke,
      ),
      goal(
        `achieved rate / allowed rate, ${run.client}`,
        'settles at the allowed rate (~1; >= 0.9)',
        run.ratio,
        run.ratio >= 0.9,
        options.smoke,
      ),
    ]),
    details: { runs },
    notes: [
      'Achieved rate = requests answered 2xx / wall time of the cycle (discovery and the match phase included). The bucket starts full (burst), which lets the first burst through at once.',
      'The client retries a 429 after the Retry-After the server sends (the whole seconds until a token is free, at least 1 s), at most 4 times per request.',
    ],
    durationMs: Date.now() - started,
  };
  await writeResult(result, options.resultsDir);
  return result;
};
