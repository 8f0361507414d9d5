/**
 * Sizes of the reliability tests: a CI size that keeps each file well under a minute on a 2-core
 * machine, and the full size (10,000 users, 500 groups) with `RELIABILITY_SCALE=full`
 * (`scripts/reliability-full.sh`).
 */

/** How big one fault run is. */
export interface FaultScale {
  /** `ci` or `full`. */
  readonly name: 'ci' | 'full';
  readonly users: number;
  readonly groups: number;
  /** Members of the largest group (a few groups are this big; the others hold a handful). */
  readonly largeGroupMembers: number;
  /** The `Retry-After` the target sends with its 429s, in seconds. */
  readonly retryAfterSeconds: number;
  /**
   * The client's per-attempt timeout; the slow fault waits longer than this.
   * @unit milliseconds
   */
  readonly timeoutMs: number;
  /** vitest timeout of one test. @unit milliseconds */
  readonly testTimeoutMs: number;
}

/** The scale chosen by `RELIABILITY_SCALE` (`full`, anything else is the CI size). */
export function faultScale(): FaultScale {
  if (process.env.RELIABILITY_SCALE === 'full') {
    return {
      name: 'full',
      users: 10_000,
      groups: 500,
      largeGroupMembers: 4000,
      retryAfterSeconds: 1,
      timeoutMs: 2000,
      testTimeoutMs: 3_600_000,
    };
  }
  return {
    name: 'ci',
    users: 800,
    groups: 40,
    largeGroupMembers: 400,
    retryAfterSeconds: 0,
    timeoutMs: 400,
    testTimeoutMs: 120_000,
  };
}
