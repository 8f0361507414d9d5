/**
 * The events of {@link ProvisioningEngine}, documented in one place. The engine is an eventemitter3
 * `EventEmitter<ProvisioningEvents>`; listeners' errors are caught and ignored, so that a failing
 * logger cannot fail a cycle.
 *
 * No payload carries a secret: user resources in `before`/`after` never hold `password` (the
 * mapping cannot write it, and it is stripped if a target returns it), and errors are the
 * client's redacted ones.
 *
 * @example
 * ```ts
 * engine.on('userOperation', (event) => log.info(`${event.op} ${event.sourceId} -> ${event.targetId}`));
 * engine.on('progress', ({ phase, done, total }) => bar.update(phase, done / total));
 * engine.on('removalsHeld', (held) => alert(`${held.count} removals held (limit ${held.limit})`));
 * ```
 *
 * @module
 */
import type { EngineWarning, HeldRemovals, OperationKind, ProvisioningPlan } from './operations';
import type { SyncReport } from './report';

/** A cycle begins. */
export interface CycleStartEvent {
  readonly mode: ProvisioningPlan['mode'];
  readonly dryRun: boolean;
  /** @unit milliseconds since the Unix epoch */
  readonly startedAt: number;
}

/** The phases of a cycle, in order. */
export type CyclePhase = 'read' | 'match' | 'users' | 'groups' | 'memberships' | 'removals';

/** How far a phase has got. Emitted when a phase starts (`done: 0`) and after each operation. */
export interface ProgressEvent {
  readonly phase: CyclePhase;
  readonly done: number;
  readonly total: number;
}

/** An operation on one object was applied (or, in a dry run, would be). */
export interface ObjectOperationEvent {
  readonly op: OperationKind;
  readonly sourceId: string;
  /** The target object's id (`undefined` for a create in a dry run). */
  readonly targetId: string | undefined;
  /** The object as the target had it before, when the engine read it. */
  readonly before?: Readonly<Record<string, unknown>>;
  /** What the engine wrote (the body of the POST or PUT), or the members added and removed. */
  readonly after?: Readonly<Record<string, unknown>>;
  /** True in a dry run: nothing was sent. */
  readonly dryRun: boolean;
}

/** The client switched to a fallback (re-emitted from a `ScimClient`'s `fallback` event). */
export interface EngineFallbackEvent {
  /** `localFilter`, `patchEmulation`, `memberRemovalForm` or `pagination`. */
  readonly fallback: string;
  /** `Users` or `Groups`. */
  readonly resourceType: string;
  readonly attribute?: string;
  readonly reason: string;
}

/**
 * The typed event map of {@link ProvisioningEngine}:
 *
 * - `cycleStart`: a cycle begins (`sync`, `provisionOne`, `deprovisionAll`; not `plan`);
 * - `cycleEnd`: it ended, with its report (also when it stopped early);
 * - `cycleError`: a scheduled cycle (`start()`) failed; the error (a manual call throws it instead);
 * - `progress`: phase, operations done, operations in the phase;
 * - `userOperation` / `groupOperation`: one object's operation, with `before` and `after`;
 * - `warning`: something the engine could not do or noticed, without failing the cycle;
 * - `fallback`: the client switched to a fallback (local filtering, PATCH emulation, ...);
 * - `removalsHeld`: the deletion threshold held this cycle's removals (emitted once, as the cycle
 *   ends, with the group member removals held with them counted in `memberRemovals`).
 */
export interface ProvisioningEvents {
  cycleStart: [event: CycleStartEvent];
  cycleEnd: [report: SyncReport];
  cycleError: [error: Error];
  progress: [event: ProgressEvent];
  userOperation: [event: ObjectOperationEvent];
  groupOperation: [event: ObjectOperationEvent];
  warning: [warning: EngineWarning];
  fallback: [event: EngineFallbackEvent];
  removalsHeld: [held: HeldRemovals];
}

/** Emits one engine event; listener errors are swallowed. */
export type EmitEngineEvent = <E extends keyof ProvisioningEvents>(
  event: E,
  ...args: ProvisioningEvents[E]
) => void;
