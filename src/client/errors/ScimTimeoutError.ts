import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';
import type { RedactedRequest } from './RedactedRequest';

/**
 * A request took too long: one attempt went past the `timeout` option (`kind: 'attempt'`), or the
 * whole call, retries included, went past the `deadline` option (`kind: 'deadline'`).
 *
 * @example
 * ```ts
 * if (isScimTimeoutError(error)) console.error(`gave up after ${error.timeoutMs} ms (${error.kind})`);
 * ```
 */
export class ScimTimeoutError extends ScimError {
  override name = 'ScimTimeoutError';
  /** Which limit was reached. */
  readonly kind: 'attempt' | 'deadline';
  /** The limit that was reached. */
  readonly timeoutMs: number;
  /** The request method. */
  readonly method: string;
  /** The request URL, without credentials. */
  readonly url: string;
  /** The request, with credentials replaced by `[REDACTED]`. */
  readonly request: RedactedRequest;

  constructor(init: {
    kind: 'attempt' | 'deadline';
    timeoutMs: number;
    request: RedactedRequest;
    cause?: Error;
  }) {
    super(
      `${init.request.method} ${init.request.url} ${init.kind === 'attempt' ? 'timed out' : 'passed its deadline'} after ${init.timeoutMs} ms`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.kind = init.kind;
    this.timeoutMs = init.timeoutMs;
    this.method = init.request.method;
    this.url = init.request.url;
    this.request = init.request;
  }
}
registerScimErrorName('ScimTimeoutError');

/** True when `value` is a {@link ScimTimeoutError} from any copy of this package. */
export function isScimTimeoutError(value: unknown): value is ScimTimeoutError {
  return value instanceof Error && value.name === 'ScimTimeoutError';
}
