/**
 * The progress characters the crash child prints, one per operation applied, by phase of the
 * cycle (`read` and `match` apply nothing and print nothing).
 */
import type { CyclePhase } from '../../../../src/engine/events';

/** One character per operation, by phase. */
export const PHASE_MARKS: Partial<Record<CyclePhase, string>> = {
  users: 'u',
  groups: 'g',
  memberships: 'm',
  removals: 'r',
};

/** Every operation mark, for counting. */
export const OPERATION_MARKS = new Set(Object.values(PHASE_MARKS));
