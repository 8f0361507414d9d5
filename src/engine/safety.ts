/**
 * The deletion threshold: a cycle that would remove more than it allows holds every removal.
 *
 * @module
 */
import type { GroupOperation, HeldRemovals, UserOperation } from './operations';
import { type ResolvedEngineOptions, removalLimit } from './options';

/** What the threshold decides about a cycle's removals. */
export interface RemovalCheck {
  /** Set when the removals are held. */
  readonly held: HeldRemovals | undefined;
}

/** What {@link checkRemovals} looks at. */
export interface RemovalCheckInput {
  readonly threshold: ResolvedEngineOptions['safety']['deletionThreshold'];
  /** Users provisioned at the start of the cycle (the base of a percentage). */
  readonly provisionedUsers: number;
  /** The planned user removals (disables and deletes). */
  readonly userRemovals: readonly UserOperation[];
  /** The planned group deletes. */
  readonly groupRemovals: readonly GroupOperation[];
  /** True when the source returned no user at all (a full read of nothing, or every provisioned user gone). */
  readonly sourceEmpty: boolean;
  /** `sync({ allowRemovals: true })`. */
  readonly allowRemovals: boolean;
}

/**
 * Decides whether a cycle's removals are held: when they are more than the threshold allows, or
 * when the source returned no user while users are provisioned. Pure.
 *
 * @example
 * ```ts
 * checkRemovals({ threshold: { count: 10 }, provisionedUsers: 100, userRemovals, groupRemovals: [],
 *   sourceEmpty: false, allowRemovals: false }).held; // set when userRemovals.length > 10
 * ```
 */
export function checkRemovals(input: RemovalCheckInput): RemovalCheck {
  const count = input.userRemovals.length + input.groupRemovals.length;
  const limit = removalLimit(input.threshold, input.provisionedUsers);
  if (input.allowRemovals || count === 0) return { held: undefined };
  const emptySource = input.sourceEmpty && input.provisionedUsers > 0;
  if (count <= limit && !emptySource) return { held: undefined };
  return {
    held: {
      count,
      limit,
      because: emptySource ? 'emptySource' : 'threshold',
      users: input.userRemovals.map((operation) => operation.sourceId),
      groups: input.groupRemovals.map((operation) => operation.sourceId),
      memberRemovals: 0,
    },
  };
}
