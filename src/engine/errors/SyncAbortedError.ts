import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';
import type { SystemicFailure } from '../failure-class';
import type { SyncReport } from '../report';

/**
 * A cycle stopped early because the target as a whole failed: the credentials were refused, the
 * TLS handshake failed, the host did not resolve or refused connections, or it stopped answering.
 * Rather than send every remaining request to a target that refuses them all, the engine stops at
 * once (or after the first few operations, when they fail this way in the apply phase) and throws
 * this one error.
 *
 * What was applied before the stop is in the state; the next cycle carries on from there. `report`
 * holds the partial report, `cause` the first error of this kind.
 *
 * @example
 * ```ts
 * try {
 *   await engine.sync();
 * } catch (error) {
 *   if (isSyncAbortedError(error)) console.error(error.reason, error.message, error.report?.counts);
 * }
 * ```
 */
export class SyncAbortedError extends ScimError {
  override name = 'SyncAbortedError';
  /** What failed. */
  readonly reason: SystemicFailure;
  /** The report of the cycle up to the stop, when the cycle had started. */
  readonly report: SyncReport | undefined;

  constructor(reason: SystemicFailure, message: string, options: { cause: unknown; report?: SyncReport }) {
    super(message, { cause: options.cause });
    this.reason = reason;
    this.report = options.report;
  }
}
registerScimErrorName('SyncAbortedError');

/** True when `value` is a {@link SyncAbortedError} from any copy of this package. */
export function isSyncAbortedError(value: unknown): value is SyncAbortedError {
  return value instanceof Error && value.name === 'SyncAbortedError';
}
