/**
 * Counts what a `ScimClient` did to get through a faulty target: retries by reason, and creates
 * found after a lost answer (instead of being posted twice).
 */
import type { ScimClient } from '../../../../src/client/ScimClient';

/** What the client reported, by kind. */
export interface RetryTally {
  /** Every retry the client made. */
  retries: number;
  /** Retries by what failed: `HTTP 429`, `HTTP 503`, `ECONNRESET`, `timeout`, ... */
  readonly byReason: Record<string, number>;
  /** Retries that waited as the target's `Retry-After` said. */
  retryAfterWaits: number;
  /** Creates whose answer was lost and that were found by a lookup rather than posted again. */
  createsRecovered: number;
  /** Changes (PATCH, DELETE) found already made on a later attempt. */
  changesAlreadyApplied: number;
}

/** Starts counting the client's `retry` and `warning` events. */
export function countRetries(client: ScimClient): RetryTally {
  const tally: RetryTally = {
    retries: 0,
    byReason: {},
    retryAfterWaits: 0,
    createsRecovered: 0,
    changesAlreadyApplied: 0,
  };
  client.on('retry', (event) => {
    tally.retries += 1;
    tally.byReason[event.reason] = (tally.byReason[event.reason] ?? 0) + 1;
    if (event.delaySource === 'retryAfter') tally.retryAfterWaits += 1;
  });
  client.on('warning', (event) => {
    if (event.code === 'createRecovered') tally.createsRecovered += 1;
    if (event.code === 'changeAlreadyApplied') tally.changesAlreadyApplied += 1;
  });
  return tally;
}
