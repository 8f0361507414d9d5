/**
 * The copy of a request that errors and events carry: credentials replaced by `[REDACTED]`.
 */

/** A request as errors and events show it, with every credential blanked out. */
export interface RedactedRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The full URL, without credentials or secret query parameters. */
  readonly url: string;
  /** The request headers, `Authorization` (and other secret headers) shown as `[REDACTED]`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The request body, with secret attributes (`password`, …) shown as `[REDACTED]`. */
  readonly body?: unknown;
}
