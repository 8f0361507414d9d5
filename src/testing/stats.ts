/**
 * Request counters of {@link ScimTestServer}.
 */
import type { FaultKind } from './faults';

/**
 * What the server has seen since it started (or since `resetStats()`). Every request counts,
 * including those refused by authentication, the rate limiter or an injected fault.
 *
 * @example
 * ```ts
 * const stats = server.stats();
 * expect(stats.byRoute['POST /Users']).toBe(1);
 * expect(stats.faults.lostResponse).toBe(1);
 * ```
 */
export interface ScimTestServerStats {
  /** Every request received. */
  readonly totalRequests: number;
  /** Requests by HTTP method, e.g. `{ GET: 12, POST: 3 }`. */
  readonly byMethod: Readonly<Record<string, number>>;
  /**
   * Requests by `METHOD route-template`, e.g. `'GET /Users'`, `'PATCH /Groups/:id'`,
   * `'POST /Users/.search'`. Paths the server does not serve count as `'METHOD (unknown)'`.
   */
  readonly byRoute: Readonly<Record<string, number>>;
  /** Responses by status code, e.g. `{ '200': 10, '429': 2 }`; a destroyed connection sends none. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Faults injected, by kind, and requests refused by the rate limiter (`rateLimited`). */
  readonly faults: Readonly<Record<FaultKind | 'rateLimited', number>>;
}

/** Mutable counters behind {@link ScimTestServerStats}. */
export class StatsCounter {
  private totalRequests = 0;
  private byMethod = new Map<string, number>();
  private byRoute = new Map<string, number>();
  private byStatus = new Map<string, number>();
  private faults = new Map<FaultKind | 'rateLimited', number>();

  /** Counts one request. */
  request(method: string, routeKey: string): void {
    this.totalRequests += 1;
    bump(this.byMethod, method);
    bump(this.byRoute, routeKey);
  }

  /** Counts one response status. */
  status(status: number): void {
    bump(this.byStatus, String(status));
  }

  /** Counts one injected fault. */
  fault(kind: FaultKind | 'rateLimited'): void {
    bump(this.faults, kind);
  }

  /** A copy of the counters. */
  snapshot(): ScimTestServerStats {
    return {
      totalRequests: this.totalRequests,
      byMethod: Object.fromEntries(this.byMethod),
      byRoute: Object.fromEntries(this.byRoute),
      byStatus: Object.fromEntries(this.byStatus),
      faults: {
        status429: this.faults.get('status429') ?? 0,
        status503: this.faults.get('status503') ?? 0,
        status500: this.faults.get('status500') ?? 0,
        connectionReset: this.faults.get('connectionReset') ?? 0,
        slow: this.faults.get('slow') ?? 0,
        lostResponse: this.faults.get('lostResponse') ?? 0,
        rateLimited: this.faults.get('rateLimited') ?? 0,
      },
    };
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.totalRequests = 0;
    this.byMethod = new Map();
    this.byRoute = new Map();
    this.byStatus = new Map();
    this.faults = new Map();
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
