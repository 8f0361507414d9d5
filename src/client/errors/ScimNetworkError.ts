import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';
import type { RedactedRequest } from './RedactedRequest';

/**
 * The request got no HTTP answer: the name did not resolve, the connection was refused or reset,
 * the TLS handshake failed. `code` is Node's error code (`ECONNRESET`, `ECONNREFUSED`,
 * `ENOTFOUND`, `CERT_HAS_EXPIRED`, …) and `cause` a plain copy of the original error (never the
 * HTTP library's error object, which holds the request headers).
 *
 * @example
 * ```ts
 * if (isScimNetworkError(error) && error.code === 'ECONNREFUSED') console.error('service is down');
 * ```
 */
export class ScimNetworkError extends ScimError {
  override name = 'ScimNetworkError';
  /** Node's error code, when there was one. */
  readonly code: string | undefined;
  /** The request method. */
  readonly method: string;
  /** The request URL, without credentials. */
  readonly url: string;
  /** The request, with credentials replaced by `[REDACTED]`. */
  readonly request: RedactedRequest;

  constructor(message: string, init: { request: RedactedRequest; code?: string | undefined; cause?: Error }) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.method = init.request.method;
    this.url = init.request.url;
    this.request = init.request;
  }
}
registerScimErrorName('ScimNetworkError');

/** True when `value` is a {@link ScimNetworkError} from any copy of this package. */
export function isScimNetworkError(value: unknown): value is ScimNetworkError {
  return value instanceof Error && value.name === 'ScimNetworkError';
}
