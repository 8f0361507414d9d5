import { describe, expect, it } from 'vitest';
import { resolveClientOptions } from '../../src/client/options';
import {
  type AttemptFailure,
  backoffDelay,
  decideRetry,
  isKnownNotProcessed,
  parseRetryAfter,
} from '../../src/client/retry';

const retry = resolveClientOptions({ baseUrl: 'https://x.example/v2' }).retry;

describe('parseRetryAfter', () => {
  it('reads seconds', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
  });

  it('reads an HTTP date relative to now, and a past date as no wait', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });

  it('gives undefined for a missing or unreadable header', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const options = { baseDelay: 100, backoffLimit: 1000 };

  it('doubles with each retry, with jitter between half and all of the step', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 0.999_999)).toBe(100);
    expect(backoffDelay(3, options, () => 0)).toBe(200);
    expect(backoffDelay(3, options, () => 0.999_999)).toBe(400);
  });

  it('never exceeds the cap', () => {
    for (let attempt = 1; attempt <= 30; attempt += 1) {
      expect(backoffDelay(attempt, options, Math.random)).toBeLessThanOrEqual(1000);
    }
  });
});

describe('decideRetry', () => {
  const base = { options: retry, attempt: 1, remainingMs: 60_000, random: () => 0.5 };
  const status = (code: number, retryAfter?: string): AttemptFailure => ({
    type: 'status',
    status: code,
    retryAfter,
  });

  it('waits as long as Retry-After says for 429 and 503', () => {
    expect(decideRetry({ ...base, method: 'GET', failure: status(429, '2') })).toMatchObject({
      retry: true,
      delayMs: 2000,
      source: 'retryAfter',
    });
    expect(decideRetry({ ...base, method: 'PUT', failure: status(503, '1') })).toMatchObject({
      retry: true,
      delayMs: 1000,
    });
  });

  it('backs off for other 5xx, resets and timeouts', () => {
    for (const failure of [
      status(500),
      status(502),
      { type: 'network', code: 'ECONNRESET' },
      { type: 'timeout' },
    ] as AttemptFailure[]) {
      expect(decideRetry({ ...base, method: 'DELETE', failure })).toMatchObject({
        retry: true,
        source: 'backoff',
      });
    }
  });

  it('does not retry client errors, certificate errors or past the limit', () => {
    expect(decideRetry({ ...base, method: 'GET', failure: status(400) }).retry).toBe(false);
    expect(decideRetry({ ...base, method: 'GET', failure: status(404) }).retry).toBe(false);
    expect(
      decideRetry({ ...base, method: 'GET', failure: { type: 'network', code: 'CERT_HAS_EXPIRED' } }).retry,
    ).toBe(false);
    expect(
      decideRetry({ ...base, attempt: retry.limit + 1, method: 'GET', failure: status(503) }).retry,
    ).toBe(false);
  });

  it('never repeats a POST blindly, unless the service certainly did not process it', () => {
    expect(decideRetry({ ...base, method: 'POST', failure: status(500) }).retry).toBe(false);
    expect(decideRetry({ ...base, method: 'POST', failure: { type: 'timeout' } }).retry).toBe(false);
    expect(
      decideRetry({ ...base, method: 'POST', failure: { type: 'network', code: 'ECONNRESET' } }).retry,
    ).toBe(false);
    expect(decideRetry({ ...base, method: 'POST', failure: status(503) }).retry).toBe(true);
    expect(decideRetry({ ...base, method: 'POST', failure: status(429, '1') }).retry).toBe(true);
    expect(
      decideRetry({ ...base, method: 'POST', failure: { type: 'network', code: 'ECONNREFUSED' } }).retry,
    ).toBe(true);
    expect(decideRetry({ ...base, method: 'POST', failure: status(500), postRetryable: true }).retry).toBe(
      true,
    );
  });

  it('gives up when the wait would pass the deadline or Retry-After is too long', () => {
    expect(decideRetry({ ...base, remainingMs: 500, method: 'GET', failure: status(429, '1') }).retry).toBe(
      false,
    );
    expect(decideRetry({ ...base, method: 'GET', failure: status(429, '3600') }).retry).toBe(false);
  });

  it('respects retry.methods', () => {
    const getOnly = resolveClientOptions({
      baseUrl: 'https://x.example/v2',
      retry: { methods: ['GET'] },
    }).retry;
    expect(decideRetry({ ...base, options: getOnly, method: 'PATCH', failure: status(503) }).retry).toBe(
      false,
    );
  });
});

describe('isKnownNotProcessed', () => {
  it('is true only for 429, 503 and connections that were never made', () => {
    expect(isKnownNotProcessed({ type: 'status', status: 429 })).toBe(true);
    expect(isKnownNotProcessed({ type: 'status', status: 503 })).toBe(true);
    expect(isKnownNotProcessed({ type: 'network', code: 'ECONNREFUSED' })).toBe(true);
    expect(isKnownNotProcessed({ type: 'status', status: 500 })).toBe(false);
    expect(isKnownNotProcessed({ type: 'network', code: 'ECONNRESET' })).toBe(false);
    expect(isKnownNotProcessed({ type: 'timeout' })).toBe(false);
  });
});
