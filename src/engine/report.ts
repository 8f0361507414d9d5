/**
 * What a cycle did: counts by kind, failures with their typed errors, warnings, skipped and held
 * operations.
 *
 * @module
 */
import type { SystemicFailure } from './failure-class';
import type {
  EngineWarning,
  HeldRemovals,
  OperationKind,
  ProvisioningPlan,
  SkippedOperation,
} from './operations';

/** How many operations of each kind a cycle applied (or, in a dry run, would apply). */
export interface OperationCounts {
  /** Objects created in the target. */
  created: number;
  /** Source objects linked to an existing target object (found by the match key). */
  linked: number;
  /** Objects whose attributes were replaced (a change in the source, or drift in the target). */
  updated: number;
  /** Users disabled (`active: false`). */
  disabled: number;
  /** Users re-enabled. */
  enabled: number;
  /** Objects deleted from the target. */
  deleted: number;
  /** Groups renamed. */
  renamed: number;
  /** Members added to groups (one per member). */
  membersAdded: number;
  /** Members removed from groups (one per member). */
  membersRemoved: number;
  /** Operations an option turned off. */
  skipped: number;
  /** Operations that failed (see `failures`). */
  failed: number;
  /** Provisioned objects that needed nothing. */
  unchanged: number;
}

/** One operation that failed. It is retried next cycle (the state was not advanced for it). */
export interface OperationFailure {
  readonly kind: 'user' | 'group';
  /** The operation, or `map` when the source object could not be mapped. */
  readonly op: OperationKind | 'map';
  readonly sourceId: string;
  /** The target object, when there was one. */
  readonly targetId?: string;
  /** The typed error (`ScimHttpError`, `ScimNetworkError`, `MappingError`, ...); never carries secrets. */
  readonly error: Error;
}

/**
 * The report of one cycle (`sync`, `provisionOne`, `deprovisionAll`).
 *
 * @example
 * ```ts
 * const report = await engine.sync();
 * console.log(`${report.users.created} created, ${report.users.failed} failed in ${report.durationMs} ms`);
 * for (const failure of report.failures) console.error(failure.sourceId, failure.op, failure.error.message);
 * ```
 */
export interface SyncReport {
  readonly mode: ProvisioningPlan['mode'];
  /** True when nothing was written (`dryRun`): the counts say what would have been done. */
  readonly dryRun: boolean;
  /** @unit milliseconds since the Unix epoch */
  readonly startedAt: number;
  /** @unit milliseconds since the Unix epoch */
  readonly finishedAt: number;
  /** @unit milliseconds */
  readonly durationMs: number;
  readonly users: OperationCounts;
  readonly groups: OperationCounts;
  readonly failures: readonly OperationFailure[];
  readonly warnings: readonly EngineWarning[];
  readonly skipped: readonly SkippedOperation[];
  /** Removals held by the deletion threshold, when any. */
  readonly held: HeldRemovals | undefined;
  /** HTTP requests sent to the target (attempts included), when the client reports them. */
  readonly requests: number | undefined;
  /** Set when the cycle stopped early because the target failed as a whole. */
  readonly aborted: { readonly reason: SystemicFailure; readonly message: string } | undefined;
  /** Operations not attempted because the cycle stopped early. */
  readonly notAttempted: number;
  /** Whether the source watermark moved on (an incremental cycle with nothing failed or held). */
  readonly watermarkAdvanced: boolean;
}

/** Zero of everything. */
export function emptyCounts(): OperationCounts {
  return {
    created: 0,
    linked: 0,
    updated: 0,
    disabled: 0,
    enabled: 0,
    deleted: 0,
    renamed: 0,
    membersAdded: 0,
    membersRemoved: 0,
    skipped: 0,
    failed: 0,
    unchanged: 0,
  };
}

/** Collects a report while a cycle runs. */
export class ReportBuilder {
  readonly users = emptyCounts();
  readonly groups = emptyCounts();
  readonly failures: OperationFailure[] = [];
  readonly warnings: EngineWarning[] = [];
  readonly skipped: SkippedOperation[] = [];
  held: HeldRemovals | undefined;
  requests: number | undefined;
  aborted: SyncReport['aborted'];
  notAttempted = 0;
  watermarkAdvanced = false;
  mode: SyncReport['mode'];
  readonly dryRun: boolean;
  readonly startedAt: number;

  constructor(mode: SyncReport['mode'], dryRun: boolean, startedAt: number) {
    this.mode = mode;
    this.dryRun = dryRun;
    this.startedAt = startedAt;
  }

  /** The counts of one kind of object. */
  countsOf(kind: 'user' | 'group'): OperationCounts {
    return kind === 'user' ? this.users : this.groups;
  }

  /** Adds to one counter. */
  count(kind: 'user' | 'group', what: keyof OperationCounts, by = 1): void {
    this.countsOf(kind)[what] += by;
  }

  /** Records a failure (and counts it). */
  fail(failure: OperationFailure): void {
    this.failures.push(failure);
    this.count(failure.kind, 'failed');
  }

  /** Records a skipped operation (and counts it). */
  skip(skipped: SkippedOperation): void {
    this.skipped.push(skipped);
    this.count(skipped.kind, 'skipped');
  }

  /** Counts group member removals held with the cycle's held removals (see `HeldRemovals.memberRemovals`). */
  holdMemberRemovals(count: number): void {
    if (this.held === undefined || count === 0) return;
    this.held = { ...this.held, memberRemovals: this.held.memberRemovals + count };
  }

  /** The finished report. */
  build(finishedAt: number): SyncReport {
    return {
      mode: this.mode,
      dryRun: this.dryRun,
      startedAt: this.startedAt,
      finishedAt,
      durationMs: Math.max(0, finishedAt - this.startedAt),
      users: { ...this.users },
      groups: { ...this.groups },
      failures: [...this.failures],
      warnings: [...this.warnings],
      skipped: [...this.skipped],
      held: this.held,
      requests: this.requests,
      aborted: this.aborted,
      notAttempted: this.notAttempted,
      watermarkAdvanced: this.watermarkAdvanced,
    };
  }
}
