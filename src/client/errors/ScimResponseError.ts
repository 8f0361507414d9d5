import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';
import type { RedactedRequest } from './RedactedRequest';

/** Why an answer could not be read. */
export type ScimResponseProblem = 'empty' | 'notJson' | 'tooLarge' | 'tooDeep' | 'mismatch';

/**
 * The service answered with a success status, but not with anything a SCIM client can read: an
 * empty body where a resource was expected (`empty`), an HTML page or other text that is not JSON
 * (`notJson`), a body larger than the `maxResponseBytes` option (`tooLarge`), JSON nested deeper
 * than any SCIM document (`tooDeep`), or a resource other than the one the request was about
 * (`mismatch`: another `id` than the one read or changed, another `userName` or `displayName` than
 * the one created). A JSON body of the wrong shape is a `ScimValidationError` instead.
 *
 * @example
 * ```ts
 * if (isScimResponseError(error) && error.problem === 'notJson') console.error(error.contentType);
 * ```
 */
export class ScimResponseError extends ScimError {
  override name = 'ScimResponseError';
  /** What was wrong with the body. */
  readonly problem: ScimResponseProblem;
  /** The HTTP status of the answer (a 2xx), or `undefined` when the body was cut off before it. */
  readonly status: number | undefined;
  /** The `Content-Type` of the answer, when there was one. */
  readonly contentType: string | undefined;
  /** The request method. */
  readonly method: string;
  /** The request URL, without credentials. */
  readonly url: string;
  /** The request, with credentials replaced by `[REDACTED]`. */
  readonly request: RedactedRequest;

  constructor(init: {
    problem: ScimResponseProblem;
    status: number | undefined;
    contentType: string | undefined;
    request: RedactedRequest;
    detail: string;
  }) {
    super(`${init.request.method} ${init.request.url}: ${init.detail}`);
    this.problem = init.problem;
    this.status = init.status;
    this.contentType = init.contentType;
    this.method = init.request.method;
    this.url = init.request.url;
    this.request = init.request;
  }
}
registerScimErrorName('ScimResponseError');

/** True when `value` is a {@link ScimResponseError} from any copy of this package. */
export function isScimResponseError(value: unknown): value is ScimResponseError {
  return value instanceof Error && value.name === 'ScimResponseError';
}
