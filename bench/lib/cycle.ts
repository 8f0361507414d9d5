/**
 * One measured engine cycle: wall and CPU time, memory, and what reached the target (writes and
 * reads counted by the server).
 */
import type { ProvisioningEngine, SyncOptions } from '../../src/engine/ProvisioningEngine';
import type { SyncReport } from '../../src/engine/report';
import { measure, round } from './measure';
import { readsOf, routeDelta, writesOf } from './requests';
import type { BenchServer } from './server';

/** A measured cycle. */
export interface MeasuredCycle {
  /** What the cycle was (e.g. `no-change, warm`). */
  readonly label: string;
  readonly mode: SyncReport['mode'];
  /** @unit ms */
  readonly wallMs: number;
  /** CPU time of this process. @unit ms */
  readonly cpuMs: number;
  readonly writes: number;
  readonly reads: number;
  readonly byRoute: Record<string, number>;
  readonly failures: number;
  readonly usersUpdated: number;
  readonly usersCreated: number;
  /** Process RSS when the cycle started, and the highest sampled during it. @unit MiB */
  readonly rssStartMb: number;
  readonly rssPeakMb: number;
  /** V8 heap in use at the start, the highest sampled, and at the end. @unit MiB */
  readonly heapStartMb: number;
  readonly heapPeakMb: number;
  readonly heapEndMb: number;
}

/**
 * Runs `engine.sync(options)` once, measured, and counts what the server saw during it.
 *
 * @example
 * ```ts
 * const cycle = await measureCycle('no-change, warm', engine, server);
 * console.log(cycle.wallMs, cycle.writes);
 * ```
 */
export async function measureCycle(
  label: string,
  engine: ProvisioningEngine,
  server: BenchServer,
  options: SyncOptions = {},
): Promise<MeasuredCycle> {
  const before = await server.stats();
  const { value: report, wallMs, cpuMs, memory } = await measure(() => engine.sync(options));
  const after = await server.stats();
  const byRoute = routeDelta(after, before);
  const delta = {
    ...after,
    totalRequests: after.totalRequests - before.totalRequests,
    byRoute,
  };
  return {
    label,
    mode: report.mode,
    wallMs,
    cpuMs,
    writes: writesOf(delta),
    reads: readsOf(delta),
    byRoute,
    failures: report.failures.length,
    usersUpdated: report.users.updated,
    usersCreated: report.users.created,
    rssStartMb: memory.rssStartMb,
    rssPeakMb: memory.rssPeakMb,
    heapStartMb: memory.heapStartMb,
    heapPeakMb: memory.heapPeakMb,
    heapEndMb: memory.heapEndMb,
  };
}

/** A cycle as a table row. */
export function cycleRow(cycle: MeasuredCycle): Record<string, unknown> {
  return {
    cycle: cycle.label,
    mode: cycle.mode,
    'wall s': round(cycle.wallMs / 1000, 3),
    'CPU s': round(cycle.cpuMs / 1000, 3),
    writes: cycle.writes,
    reads: cycle.reads,
    failures: cycle.failures,
    'RSS start MB': cycle.rssStartMb,
    'RSS peak MB': cycle.rssPeakMb,
    'heap peak MB': cycle.heapPeakMb,
  };
}
