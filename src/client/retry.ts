/**
 * The retry policy: which failures are tried again, how long to wait, and which failures of a
 * create leave its outcome unknown. Pure functions; the request executor applies them.
 */
import type { ResolvedRetryOptions, ScimHttpMethod } from './options';

/** A failed attempt, as the retry policy sees it. */
export type AttemptFailure =
  /** The service answered with an error status. */
  | { readonly type: 'status'; readonly status: number; readonly retryAfter?: string | undefined }
  /** No answer: a network error with Node's code (`ECONNRESET`, `ECONNREFUSED`, …). */
  | { readonly type: 'network'; readonly code: string | undefined }
  /** The attempt went past the `timeout` option. */
  | { readonly type: 'timeout' };

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly retry: false; readonly why: string }
  | {
      readonly retry: true;
      readonly delayMs: number;
      readonly source: 'retryAfter' | 'backoff';
      readonly reason: string;
    };

/**
 * Network error codes worth another attempt: the connection dropped or could not be made for now.
 * Certificate errors and unknown host names are not (another attempt gives the same answer).
 */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Network codes meaning the request never reached the service, so nothing was done. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Statuses that say the service did not act on the request (RFC 6585 section 4, RFC 9110 section 15.6.4). */
const NOT_PROCESSED_STATUSES = new Set([429, 503]);

/**
 * Reads a `Retry-After` header: a number of seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`).
 *
 * @returns the wait in milliseconds (0 for a date in the past), or `undefined` when the header is
 *   missing or unreadable.
 * @example
 * ```ts
 * parseRetryAfter('3'); // 3000
 * ```
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (/^\d+\.\d+$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The backoff before retry number `retry` (1 for the first retry): half of
 * `min(backoffLimit, baseDelay * 2^(retry-1))` plus a random part up to the other half ("equal
 * jitter"), so that clients that failed together do not retry together.
 *
 * @param random - a source of numbers in [0, 1); injectable for tests.
 */
export function backoffDelay(
  retry: number,
  options: Pick<ResolvedRetryOptions, 'baseDelay' | 'backoffLimit'>,
  random: () => number = Math.random,
): number {
  const exponential = options.baseDelay * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(options.backoffLimit, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** Describes a failure in a few words, for events and errors: `HTTP 503`, `ECONNRESET`, `timeout`. */
export function describeFailure(failure: AttemptFailure): string {
  switch (failure.type) {
    case 'status':
      return `HTTP ${failure.status}`;
    case 'network':
      return failure.code ?? 'network error';
    case 'timeout':
      return 'timeout';
  }
}

/** True when the failure is of a kind worth trying again (whatever the method). */
export function isRetryableFailure(
  failure: AttemptFailure,
  options: Pick<ResolvedRetryOptions, 'statuses'>,
): boolean {
  switch (failure.type) {
    case 'status':
      return options.statuses.has(failure.status);
    case 'network':
      return failure.code !== undefined && RETRYABLE_NETWORK_CODES.has(failure.code);
    case 'timeout':
      return true;
  }
}

/**
 * True when the service certainly did not act on the request: it answered `429` or `503`, or the
 * connection could not be made. A create that failed this way may be posted again as it is; any
 * other failure of a create leaves its outcome unknown.
 */
export function isKnownNotProcessed(failure: AttemptFailure): boolean {
  if (failure.type === 'status') return NOT_PROCESSED_STATUSES.has(failure.status);
  if (failure.type === 'network') return failure.code !== undefined && NOT_SENT_CODES.has(failure.code);
  return false;
}

/** Everything {@link decideRetry} weighs. */
export interface RetryContext {
  readonly method: ScimHttpMethod;
  readonly failure: AttemptFailure;
  /** The attempt that failed: 1 for the first. */
  readonly attempt: number;
  readonly options: ResolvedRetryOptions;
  /**
   * Time left before the call's deadline.
   * @unit milliseconds
   */
  readonly remainingMs: number;
  /** Whether a POST may be tried again (it may when the caller has a way to check its outcome). */
  readonly postRetryable?: boolean;
  readonly random?: () => number;
  readonly now?: number;
}

/**
 * Whether to try a failed attempt again, and after how long:
 *
 * - not when the retry `limit` is used up, or the failure is not retryable
 *   ({@link isRetryableFailure});
 * - not for a method outside `retry.methods`, except a POST whose caller can check the outcome
 *   (`postRetryable`) or that certainly was not processed ({@link isKnownNotProcessed});
 * - `429`/`503` with `Retry-After`: that long, unless it is longer than `maxRetryAfter`;
 * - otherwise exponential backoff with jitter ({@link backoffDelay});
 * - not when the wait would end after the call's deadline.
 */
export function decideRetry(context: RetryContext): RetryDecision {
  const { failure, options } = context;
  const reason = describeFailure(failure);
  if (context.attempt > options.limit) return { retry: false, why: `retry limit (${options.limit}) reached` };
  if (!isRetryableFailure(failure, options)) return { retry: false, why: `${reason} is not retried` };
  if (context.method === 'POST') {
    if (!context.postRetryable && !isKnownNotProcessed(failure)) {
      return { retry: false, why: `a POST that failed with ${reason} may have been processed` };
    }
  } else if (!options.methods.has(context.method)) {
    return { retry: false, why: `${context.method} is not in retry.methods` };
  }
  let delayMs: number;
  let source: 'retryAfter' | 'backoff' = 'backoff';
  const retryAfter =
    failure.type === 'status' && NOT_PROCESSED_STATUSES.has(failure.status)
      ? parseRetryAfter(failure.retryAfter, context.now)
      : undefined;
  if (retryAfter !== undefined) {
    if (retryAfter > options.maxRetryAfter) {
      return { retry: false, why: `Retry-After of ${retryAfter} ms is longer than retry.maxRetryAfter` };
    }
    delayMs = retryAfter;
    source = 'retryAfter';
  } else {
    delayMs = backoffDelay(context.attempt, options, context.random);
  }
  if (delayMs >= context.remainingMs) {
    return { retry: false, why: `waiting ${delayMs} ms would pass the deadline` };
  }
  return { retry: true, delayMs, source, reason };
}
