import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/testing/faults';
import { createSeededRandom, ScimTestServer, type ScimTestServerOptions } from '../../src/testing/index';
import { RateLimiter } from '../../src/testing/rate-limiter';
import { groupBody, scim, userBody } from './http';

const servers: ScimTestServer[] = [];

async function start(options: ScimTestServerOptions): Promise<ScimTestServer> {
  const server = await ScimTestServer.start(options);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Sends `count` GETs one after the other and returns which failed ('x') or passed ('.'). */
async function pattern(server: ScimTestServer, count: number): Promise<string> {
  let out = '';
  for (let index = 0; index < count; index++) {
    try {
      const response = await scim(server.baseUrl, '/Users?count=1');
      out += response.status === 200 ? '.' : String(response.status);
    } catch {
      out += 'x';
    }
  }
  return out;
}

describe('createSeededRandom', () => {
  it('gives the same sequence for the same seed, another for another seed, within [0, 1)', () => {
    const take = (seed: number) => {
      const next = createSeededRandom(seed);
      return Array.from({ length: 50 }, () => next());
    };
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    for (const value of take(7)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
    const mean = take(1).reduce((sum, value) => sum + value, 0) / 50;
    expect(mean).toBeGreaterThan(0.3);
    expect(mean).toBeLessThan(0.7);
  });
});

describe('FaultInjector', () => {
  it('draws per fault kind, so adding a fault does not move when another fires', () => {
    const fires = (injector: FaultInjector) =>
      Array.from({ length: 40 }, () => injector.decide('GET', '/Users').outcome?.kind === 'status500');
    const alone = fires(new FaultInjector({ seed: 9, status500: { rate: 0.3 } }));
    const withOther = fires(
      new FaultInjector({ seed: 9, status500: { rate: 0.3 }, status429: { rate: 0.5 } }),
    );
    expect(withOther).toEqual(alone);
    expect(alone.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('decides the outcome in the documented order, and counts only what it injected', () => {
    const injector = new FaultInjector({
      slow: { rate: 1, delayMs: 5 },
      status429: { rate: 1, limit: 1 },
      status500: { rate: 1, limit: 1 },
    });
    expect(injector.decide('GET', '/Users')).toEqual({ delayMs: 5, outcome: { kind: 'status500' } });
    // status429 was drawn but not injected, so its limit of one is still available.
    expect(injector.decide('GET', '/Users')).toEqual({
      delayMs: 5,
      outcome: { kind: 'status429', retryAfterSeconds: 1 },
    });
    expect(injector.decide('GET', '/Users')).toEqual({ delayMs: 5 });
  });
});

describe('faults over HTTP', () => {
  it('status429: answers 429 with Retry-After without handling the request', async () => {
    const server = await start({ faults: { status429: { rate: 1, retryAfterSeconds: 2 } } });
    const response = await scim(server.baseUrl, '/Users', { method: 'POST', body: userBody('a') });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.body.status).toBe('429');
    expect(server.counts().users).toBe(0);
    expect(server.stats().faults.status429).toBe(1);
  });

  it('status503 with and without Retry-After, and status500', async () => {
    const server = await start({ faults: { status503: { rate: 1, retryAfterSeconds: 3, limit: 1 } } });
    const first = await scim(server.baseUrl, '/Users');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('3');
    expect((await scim(server.baseUrl, '/Users')).status).toBe(200);
    server.setFaults({ status503: { rate: 1 } });
    const bare = await scim(server.baseUrl, '/Users');
    expect(bare.status).toBe(503);
    expect(bare.headers.get('retry-after')).toBeNull();
    server.setFaults({ status500: { rate: 1 } });
    const broken = await scim(server.baseUrl, '/Users', { method: 'POST', body: userBody('b') });
    expect(broken.status).toBe(500);
    expect(server.counts().users).toBe(0);
    expect(server.stats().faults).toMatchObject({ status503: 2, status500: 1 });
  });

  it('connectionReset: destroys the connection and handles nothing', async () => {
    const server = await start({ faults: { connectionReset: { rate: 1 } } });
    await expect(scim(server.baseUrl, '/Users', { method: 'POST', body: userBody('c') })).rejects.toThrow();
    expect(server.counts().users).toBe(0);
    expect(server.stats().faults.connectionReset).toBe(1);
    expect(server.stats().byStatus).toEqual({});
  });

  it('lostResponse: the create is stored, but the client gets no answer (the duplicate-create case)', async () => {
    const server = await start({
      faults: { lostResponse: { rate: 1, methods: ['POST'], paths: ['/Users'] } },
    });
    await expect(scim(server.baseUrl, '/Users', { method: 'POST', body: userBody('dup') })).rejects.toThrow();
    expect(server.snapshot().users.map((user) => user.userName)).toEqual(['dup']);
    // A blind retry now meets the stored user, which the client must look up instead.
    await expect(scim(server.baseUrl, '/Users', { method: 'POST', body: userBody('dup') })).rejects.toThrow();
    expect(server.counts().users).toBe(1);
    // Only POST /Users is affected.
    const lookup = await scim(server.baseUrl, `/Users?filter=${encodeURIComponent('userName eq "dup"')}`);
    expect(lookup.body.totalResults).toBe(1);
    expect((await scim(server.baseUrl, '/Groups', { method: 'POST', body: groupBody('G') })).status).toBe(
      201,
    );
    expect(server.stats().faults.lostResponse).toBe(2);
  });

  it('slow: delays the answer by delayMs', async () => {
    const server = await start({ faults: { slow: { rate: 1, delayMs: 250, methods: ['GET'] } } });
    const started = performance.now();
    expect((await scim(server.baseUrl, '/Users')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    const quick = performance.now();
    expect((await scim(server.baseUrl, '/Users', { method: 'POST', body: userBody('s') })).status).toBe(201);
    expect(performance.now() - quick).toBeLessThan(240);
    expect(server.stats().faults.slow).toBe(1);
  });

  it('close() ends a pending slow request at once', async () => {
    const server = await start({ faults: { slow: { rate: 1, delayMs: 20_000 } } });
    const pending = scim(server.baseUrl, '/Users').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await server.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('limit: fails the first N eligible requests and no more', async () => {
    const server = await start({ faults: { status500: { rate: 1, limit: 2 } } });
    expect(await pattern(server, 4)).toBe('500500..');
  });

  it('is deterministic: the same seed gives the same failures, another seed others', async () => {
    const faults = { status503: { rate: 0.5 } };
    const first = await pattern(await start({ faults: { seed: 1234, ...faults } }), 40);
    const again = await pattern(await start({ faults: { seed: 1234, ...faults } }), 40);
    const other = await pattern(await start({ faults: { seed: 99, ...faults } }), 40);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    const failures = first.split('503').length - 1;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it('setFaults restarts the generators from the seed, and undefined turns faults off', async () => {
    const server = await start({ faults: { seed: 5, connectionReset: { rate: 0.5 } } });
    const first = await pattern(server, 20);
    server.setFaults({ seed: 5, connectionReset: { rate: 0.5 } });
    expect(await pattern(server, 20)).toBe(first);
    server.setFaults(undefined);
    expect(await pattern(server, 10)).toBe('..........');
  });
});

describe('rate limit', () => {
  it('RateLimiter: a bucket of `burst` tokens refilled at requestsPerSecond', () => {
    let now = 0;
    const limiter = new RateLimiter({ requestsPerSecond: 4, burst: 2 }, () => now);
    expect(limiter.take()).toBeUndefined();
    expect(limiter.take()).toBeUndefined();
    expect(limiter.take()).toBe(1);
    now += 250; // one token back
    expect(limiter.take()).toBeUndefined();
    expect(limiter.take()).toBe(1);
    const slow = new RateLimiter({ requestsPerSecond: 0.25 }, () => now);
    now += 10_000;
    expect(slow.take()).toBeUndefined();
    expect(slow.take()).toBe(4);
    expect(new RateLimiter({ requestsPerSecond: 1, retryAfterSeconds: 9 }, () => now).take()).toBeUndefined();
    expect(() => new RateLimiter({ requestsPerSecond: 0 })).toThrow(/requestsPerSecond/);
  });

  it('answers 429 with Retry-After above the rate, and accepts again once tokens are back', async () => {
    const server = await start({ rateLimit: { requestsPerSecond: 5, retryAfterSeconds: 1 } });
    const statuses: number[] = [];
    for (let index = 0; index < 8; index++) statuses.push((await scim(server.baseUrl, '/Users')).status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(6);
    const limited = await scim(server.baseUrl, '/Users');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(server.stats().faults.rateLimited).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await scim(server.baseUrl, '/Users')).status).toBe(200);
    server.setRateLimit(undefined);
    expect(await pattern(server, 10)).toBe('..........');
  });
});
