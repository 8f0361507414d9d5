import { describe, expect, it } from 'vitest';
import { ScimHttpError } from '../../src/client/errors/ScimHttpError';
import { BREAKER_CONSECUTIVE_FAILURES, CircuitBreaker } from '../../src/engine/circuit-breaker';

const unauthorized = () =>
  ScimHttpError.fromResponse({
    status: 401,
    statusText: 'Unauthorized',
    body: '',
    request: { method: 'GET', url: 'http://127.0.0.1/scim/v2/Users/1', headers: {} },
  });

describe('CircuitBreaker', () => {
  it('opens after consecutive systemic failures although operations begun before them succeed in between', () => {
    const breaker = new CircuitBreaker();
    // A long healthy run first, so that failures are never the majority of what finished.
    for (let index = 0; index < 100; index += 1) breaker.success(breaker.begin());
    // Twenty operations in flight when the credentials are revoked: some of them had already been
    // answered by the target and succeed, interleaved with the 401s of the others.
    const inFlight = Array.from({ length: 20 }, () => breaker.begin());
    let failures = 0;
    for (const [index, ticket] of inFlight.entries()) {
      if (breaker.trip !== undefined) break;
      if (index % 2 === 1) breaker.success(ticket);
      else {
        breaker.failure(unauthorized());
        failures += 1;
      }
    }
    expect(breaker.trip?.kind).toBe('authentication');
    expect(failures).toBe(BREAKER_CONSECUTIVE_FAILURES);
  });

  it('is closed again by a success of an operation begun after the failures', () => {
    const breaker = new CircuitBreaker();
    for (let index = 0; index < 20; index += 1) breaker.success(breaker.begin());
    for (let index = 0; index < BREAKER_CONSECUTIVE_FAILURES - 1; index += 1) {
      breaker.begin();
      breaker.failure(unauthorized());
    }
    breaker.success(breaker.begin());
    breaker.begin();
    expect(breaker.failure(unauthorized())).toBeUndefined();
    expect(breaker.trip).toBeUndefined();
  });
});
