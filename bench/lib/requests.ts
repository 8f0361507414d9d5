/**
 * Request accounting from the server's counters: writes, reads, and requests by route.
 */
import type { ScimTestServerStats } from '../../src/testing/stats';

/** Requests that change something (POST, PUT, PATCH, DELETE), `.search` POSTs excluded. */
export function writesOf(stats: ScimTestServerStats): number {
  let writes = 0;
  for (const [route, count] of Object.entries(stats.byRoute)) {
    if (/^(POST|PUT|PATCH|DELETE) /.test(route) && !route.endsWith('/.search')) writes += count;
  }
  return writes;
}

/** Requests that only read (GET, and POST `.search`). */
export function readsOf(stats: ScimTestServerStats): number {
  return stats.totalRequests - writesOf(stats);
}

/** Requests whose answer was not 2xx/304 (429s included). */
export function errorAnswersOf(stats: ScimTestServerStats): number {
  let errors = 0;
  for (const [status, count] of Object.entries(stats.byStatus)) {
    if (!/^2\d\d$/.test(status) && status !== '304') errors += count;
  }
  return errors;
}

/** The difference of two counter snapshots, by route. */
export function routeDelta(after: ScimTestServerStats, before?: ScimTestServerStats): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [route, count] of Object.entries(after.byRoute)) {
    const value = count - (before?.byRoute[route] ?? 0);
    if (value !== 0) delta[route] = value;
  }
  return delta;
}
