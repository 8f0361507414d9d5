/**
 * The events a {@link ScimClient} emits. Every payload is already redacted: URLs carry no
 * credentials and headers show `Authorization` as `[REDACTED]`, so listeners may log them as they are.
 */

/** A request attempt is about to be sent. */
export interface ScimRequestEvent {
  /** Identifies one call across its attempts (the same on `request`, `response` and `retry`). */
  readonly requestId: number;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  readonly method: string;
  /** The URL, without credentials. */
  readonly url: string;
  /** The request headers, secrets shown as `[REDACTED]`. */
  readonly headers: Readonly<Record<string, string>>;
}

/** An answer arrived (any status). */
export interface ScimResponseEvent {
  readonly requestId: number;
  readonly attempt: number;
  readonly method: string;
  readonly url: string;
  /** The HTTP status. */
  readonly status: number;
  /**
   * From sending the attempt to the end of the answer.
   * @unit milliseconds
   */
  readonly durationMs: number;
}

/** An attempt failed and the request will be tried again after `delayMs`. */
export interface ScimRetryEvent {
  readonly requestId: number;
  /** The attempt that failed. */
  readonly attempt: number;
  readonly method: string;
  readonly url: string;
  /** What failed, e.g. `HTTP 503`, `ECONNRESET`, `timeout`. */
  readonly reason: string;
  /** The HTTP status, when the failure was an answer. */
  readonly status?: number;
  /**
   * How long the client waits before the next attempt.
   * @unit milliseconds
   */
  readonly delayMs: number;
  /** Where the delay came from: the service's `Retry-After`, or the client's backoff. */
  readonly delaySource: 'retryAfter' | 'backoff';
}

/** Which fallback the client switched to. */
export type ScimFallbackKind =
  /** Lookups list every resource and match locally, because the service does not filter (on this attribute). */
  | 'localFilter'
  /** Changes are made by GET + local PATCH + PUT, because the service has no PATCH. */
  | 'patchEmulation'
  /** Member removals are written in the other form, because the service rejected the configured one. */
  | 'memberRemovalForm'
  /** A listing is completed another way (a larger page, the other paging method). */
  | 'pagination';

/**
 * The client learned that the service lacks something and switched to another way for the rest of
 * its life (or, for `pagination`, for one listing).
 */
export interface ScimFallbackEvent {
  readonly fallback: ScimFallbackKind;
  /** `Users` or `Groups`. */
  readonly resourceType: string;
  /** The attribute concerned (`userName`, `displayName`), for `localFilter`. */
  readonly attribute?: string;
  /** Why, e.g. `GET /Groups?filter=… answered 400 invalidFilter`. */
  readonly reason: string;
}

/** Something worth knowing that is not an error: an odd content type, a create found after a lost answer. */
export interface ScimWarningEvent {
  /** A stable identifier of the kind of warning. */
  readonly code:
    | 'unexpectedContentType'
    | 'createRecovered'
    | 'changeAlreadyApplied'
    | 'ambiguousLookup'
    | 'discoveryInvalid'
    | 'filterCaseSensitive';
  /** The warning in words. */
  readonly message: string;
  /** The URL concerned, without credentials. */
  readonly url?: string;
}

/**
 * The typed event map of {@link ScimClient} (an eventemitter3 `EventEmitter`).
 *
 * @example
 * ```ts
 * client.on('retry', (event) => log.warn(`retry ${event.method} ${event.url} in ${event.delayMs} ms: ${event.reason}`));
 * client.on('fallback', (event) => log.info(`${event.resourceType}: ${event.fallback} (${event.reason})`));
 * ```
 */
export interface ScimClientEvents {
  request: [event: ScimRequestEvent];
  response: [event: ScimResponseEvent];
  retry: [event: ScimRetryEvent];
  fallback: [event: ScimFallbackEvent];
  warning: [event: ScimWarningEvent];
}
