/**
 * A token-bucket rate limiter for {@link ScimTestServer}: above a request rate the server answers
 * `429 Too Many Requests` with `Retry-After`, like a SaaS API gateway.
 */

/**
 * The server's rate limit.
 *
 * @example
 * ```ts
 * const server = await ScimTestServer.start({ rateLimit: { requestsPerSecond: 50 } });
 * ```
 */
export interface ScimTestServerRateLimit {
  /**
   * Sustained rate, in requests per second, above which requests are refused with 429.
   */
  readonly requestsPerSecond: number;
  /**
   * How many requests may arrive at once after a quiet period (the bucket's size).
   * @default requestsPerSecond (at least 1)
   */
  readonly burst?: number;
  /**
   * The `Retry-After` value sent with each 429, in seconds. When omitted, the number of whole
   * seconds until the next request would be accepted (at least 1).
   */
  readonly retryAfterSeconds?: number;
}

/**
 * Token bucket: holds up to `burst` tokens, refilled at `requestsPerSecond`; each accepted
 * request takes one.
 *
 * @internal Used by {@link ScimTestServer}; exported for its unit tests.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly limit: ScimTestServerRateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(typeof limit.requestsPerSecond === 'number' && limit.requestsPerSecond > 0)) {
      throw new RangeError('rateLimit.requestsPerSecond must be a number > 0');
    }
    if (limit.burst !== undefined && !(limit.burst >= 1))
      throw new RangeError('rateLimit.burst must be >= 1');
    if (
      limit.retryAfterSeconds !== undefined &&
      !(Number.isInteger(limit.retryAfterSeconds) && limit.retryAfterSeconds >= 0)
    ) {
      throw new RangeError('rateLimit.retryAfterSeconds must be an integer >= 0');
    }
    this.capacity = limit.burst ?? Math.max(1, limit.requestsPerSecond);
    this.tokens = this.capacity;
    this.last = this.now();
  }

  /**
   * Takes a token for one request.
   *
   * @returns `undefined` when the request may go on, or the `Retry-After` seconds to answer with.
   */
  take(): number | undefined {
    const now = this.now();
    const rate = this.limit.requestsPerSecond;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    if (this.limit.retryAfterSeconds !== undefined) return this.limit.retryAfterSeconds;
    return Math.max(1, Math.ceil((1 - this.tokens) / rate));
  }
}
