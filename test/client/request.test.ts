import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isScimHttpError } from '../../src/client/errors/ScimHttpError';
import { isScimNetworkError } from '../../src/client/errors/ScimNetworkError';
import { isScimResponseError } from '../../src/client/errors/ScimResponseError';
import { isScimTimeoutError } from '../../src/client/errors/ScimTimeoutError';
import type { ScimClientOptions } from '../../src/client/options';
import { ScimClient } from '../../src/client/ScimClient';
import { payloads, recordEvents } from './helpers/events';
import { listBody, type StubServer, sendJson, startStubServer } from './helpers/stub-server';

const TOKEN = 'tok-Very-Secret-0123456789';
const user = (id: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id,
  userName: `user-${id}`,
});

let stub: StubServer;
const clients: ScimClient[] = [];

function client(extra: Partial<ScimClientOptions> = {}): ScimClient {
  const made = new ScimClient({
    baseUrl: stub.baseUrl,
    auth: { type: 'bearer', token: TOKEN },
    discovery: 'off',
    retry: { baseDelay: 5, backoffLimit: 20 },
    ...extra,
  });
  clients.push(made);
  return made;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  stub = await startStubServer((_request, response) => sendJson(response, 200, user('1')));
});

beforeEach(() => {
  stub.requests.length = 0;
});

afterAll(async () => {
  for (const made of clients) made.close();
  await stub.close();
});

describe('answers that are not SCIM', () => {
  it('an HTML error page gives a ScimHttpError naming the page title', async () => {
    stub.handle((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>');
    });
    const error = await failure(client({ retry: false }).users.get('1'));
    expect(isScimHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status: 502, scimType: undefined, method: 'GET' });
    expect((error as Error).message).toContain('HTML page: "502 Bad Gateway"');
  });

  it('an HTML page with status 200 gives ScimResponseError notJson', async () => {
    stub.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>Sign in</title><form></form>');
    });
    const error = await failure(client().users.get('1'));
    expect(isScimResponseError(error)).toBe(true);
    expect(error).toMatchObject({ problem: 'notJson', status: 200, contentType: 'text/html; charset=utf-8' });
    expect((error as Error).message).toContain('HTML page titled "Sign in"');
  });

  it('an empty 200 where a resource is expected gives ScimResponseError empty', async () => {
    stub.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/scim+json' });
      response.end();
    });
    expect(await failure(client().users.get('1'))).toMatchObject({
      name: 'ScimResponseError',
      problem: 'empty',
    });
  });

  it('JSON under a wrong content type is read, with one warning per client', async () => {
    stub.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(JSON.stringify(user('1')));
    });
    const made = client();
    const events = recordEvents(made);
    await expect(made.users.get('1')).resolves.toMatchObject({ id: '1' });
    await made.users.get('1');
    expect(payloads(events, 'warning').map((warning) => warning.code)).toEqual(['unexpectedContentType']);
  });

  it('a body past maxResponseBytes gives ScimResponseError tooLarge, not a crash', async () => {
    stub.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/scim+json' });
      response.end(JSON.stringify({ ...user('1'), padding: 'x'.repeat(200_000) }));
    });
    const error = await failure(client({ maxResponseBytes: 10_000 }).users.get('1'));
    expect(error).toMatchObject({ name: 'ScimResponseError', problem: 'tooLarge' });
    expect(stub.requests).toHaveLength(1);
  });

  it('a SCIM error body gives status, scimType and detail', async () => {
    stub.handle((_request, response) =>
      sendJson(response, 400, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '400',
        scimType: 'invalidValue',
        detail: 'emails[0].value is not an address',
      }),
    );
    const error = await failure(client().users.replace('1', { userName: 'x' }));
    expect(error).toMatchObject({
      status: 400,
      scimType: 'invalidValue',
      detail: 'emails[0].value is not an address',
      method: 'PUT',
    });
    expect(stub.requests).toHaveLength(1);
  });

  it('a redirect is reported, not followed (credentials never follow it)', async () => {
    stub.handle((_request, response) => {
      response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      response.end();
    });
    expect(await failure(client().users.get('1'))).toMatchObject({ name: 'ScimHttpError', status: 302 });
    expect(stub.requests).toHaveLength(1);
  });
});

describe('retries', () => {
  it('honours Retry-After on 429 and then succeeds', async () => {
    stub.handle((_request, response, index) => {
      if (index === 0) sendJson(response, 429, { detail: 'slow down' }, { 'retry-after': '1' });
      else sendJson(response, 200, user('1'));
    });
    const made = client();
    const events = recordEvents(made);
    await expect(made.users.get('1')).resolves.toMatchObject({ id: '1' });
    expect(stub.requests).toHaveLength(2);
    const gap = (stub.requests[1]?.at as number) - (stub.requests[0]?.at as number);
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(payloads(events, 'retry')).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 429,
        delayMs: 1000,
        delaySource: 'retryAfter',
        reason: 'HTTP 429',
      }),
    ]);
  });

  it('retries 503 and 500 for GET, PUT and DELETE up to the limit, then throws the last error', async () => {
    stub.handle((_request, response, index) =>
      sendJson(response, index % 2 === 0 ? 503 : 500, { detail: 'down' }),
    );
    const error = await failure(
      client({ retry: { limit: 2, baseDelay: 1, backoffLimit: 2 } }).users.delete('1'),
    );
    expect(error).toMatchObject({ name: 'ScimHttpError', status: 503 });
    expect(stub.requests).toHaveLength(3);
  });

  it('never repeats a create blindly after a 500 when it cannot look the resource up', async () => {
    stub.handle((_request, response) => sendJson(response, 500, { detail: 'boom' }));
    // A user without userName cannot be looked up: the POST is sent once.
    const error = await failure(client().users.create({ displayName: 'nameless' } as never));
    expect(error).toMatchObject({ status: 500 });
    expect(stub.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });

  it('retries a create after 503, which means nothing was done', async () => {
    stub.handle((request, response) => {
      const posts = stub.requests.filter((each) => each.method === 'POST').length;
      if (request.method === 'POST' && posts === 1) sendJson(response, 503, {}, { 'retry-after': '0' });
      else sendJson(response, 201, user('9'));
    });
    await expect(client().users.create({ userName: 'user-9' })).resolves.toMatchObject({ id: '9' });
    expect(stub.requests.map((request) => request.method)).toEqual(['POST', 'POST']);
  });

  it('a reset connection is a ScimNetworkError for a call that exhausts its retries', async () => {
    stub.handle((_request, response) => {
      response.socket?.destroy();
    });
    const error = await failure(
      client({ retry: { limit: 1, baseDelay: 1, backoffLimit: 1 } }).users.get('1'),
    );
    expect(isScimNetworkError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ECONNRESET', method: 'GET' });
    expect(stub.requests).toHaveLength(2);
  });

  it('a slow answer is a ScimTimeoutError of kind attempt; the call tries again', async () => {
    stub.handle(async (_request, response, index) => {
      if (index === 0) await new Promise((resolve) => setTimeout(resolve, 400));
      if (!response.destroyed) sendJson(response, 200, user('1'));
    });
    const made = client({ timeout: 100 });
    const events = recordEvents(made);
    await expect(made.users.get('1')).resolves.toMatchObject({ id: '1' });
    expect(payloads(events, 'retry')[0]).toMatchObject({ reason: 'timeout' });
    stub.handle(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (!response.destroyed) sendJson(response, 200, user('1'));
    });
    const error = await failure(client({ timeout: 50, retry: false }).users.get('1'));
    expect(isScimTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'attempt', timeoutMs: 50 });
  });

  it('the deadline bounds a call with all its retries', async () => {
    stub.handle((_request, response) => sendJson(response, 503, {}));
    const started = Date.now();
    const error = await failure(
      client({ deadline: 300, retry: { limit: 100, baseDelay: 50, backoffLimit: 50 } }).users.get('1'),
    );
    expect(Date.now() - started).toBeLessThan(1500);
    // Either the last 503 (no retry fits before the deadline) or the deadline cut an attempt short.
    if (isScimTimeoutError(error)) expect(error.kind).toBe('deadline');
    else expect(error).toMatchObject({ name: 'ScimHttpError', status: 503 });
  });

  it('an AbortSignal stops a call while it waits to retry, with the signal reason', async () => {
    stub.handle((_request, response) => sendJson(response, 429, {}, { 'retry-after': '5' }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by caller')), 100);
    const error = await failure(client().users.get('1', { signal: controller.signal }));
    expect((error as Error).message).toBe('cancelled by caller');
  });
});

describe('authentication', () => {
  it('sends Basic and Bearer credentials', async () => {
    stub.handle((_request, response) => sendJson(response, 200, user('1')));
    await client().users.get('1');
    await client({ auth: { type: 'basic', username: 'svc', password: 'pw' } }).users.get('1');
    expect(stub.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Basic ${Buffer.from('svc:pw').toString('base64')}`,
    ]);
  });

  it('asks getToken again after a 401, once, and sends the request again with the new token', async () => {
    let issued = 0;
    stub.handle((request, response) => {
      if (request.headers.authorization === 'Bearer fresh-token-2') sendJson(response, 200, user('1'));
      else sendJson(response, 401, { detail: 'expired' });
    });
    const made = client({ auth: { type: 'bearer', getToken: async () => `fresh-token-${++issued}` } });
    await expect(made.users.get('1')).resolves.toMatchObject({ id: '1' });
    expect(issued).toBe(2);
    // A token that stays rejected gives the 401 after one refresh, not a loop.
    stub.handle((_request, response) => sendJson(response, 401, { detail: 'no' }));
    expect(await failure(made.users.get('1'))).toMatchObject({ status: 401 });
    expect(issued).toBe(3);
  });
});

describe('secrets never leak', () => {
  it('not in messages, String(), JSON, util.inspect, events, nor the request copy', async () => {
    stub.handle((request, response) => {
      // A hostile service that echoes the credentials back.
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`bad request with ${request.headers.authorization} and password ${PASSWORD}`);
    });
    const PASSWORD = 'Pa55-word-XYZ';
    const made = client({
      auth: { type: 'basic', username: 'svc', password: PASSWORD },
      retry: { limit: 1, baseDelay: 1, backoffLimit: 1 },
    });
    const events = recordEvents(made);
    const errors: unknown[] = [];
    errors.push(await failure(made.users.replace('1', { userName: 'a', password: PASSWORD })));
    stub.handle((_request, response) => {
      response.socket?.destroy();
    });
    errors.push(await failure(made.users.get('1')));
    stub.handle(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!response.destroyed) response.end();
    });
    errors.push(
      await failure(
        client({ auth: { type: 'bearer', token: TOKEN }, timeout: 20, retry: false }).users.get('1'),
      ),
    );
    const basic = Buffer.from(`svc:${PASSWORD}`).toString('base64');
    for (const error of errors) {
      const renderings = [
        (error as Error).message,
        String(error),
        JSON.stringify(error),
        inspect(error, { depth: 10 }),
        inspect((error as Error).cause, { depth: 10 }),
        JSON.stringify((error as { request?: unknown }).request),
      ];
      for (const text of renderings) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(basic);
        expect(text).not.toContain(TOKEN);
      }
    }
    expect(
      (errors[0] as { request: { headers: Record<string, string> } }).request.headers.Authorization,
    ).toBe('[REDACTED]');
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    expect(JSON.stringify(events)).not.toContain(basic);
    expect(events.length).toBeGreaterThan(0);
  });
});

describe('concurrency', () => {
  it('holds at most `concurrency` requests in flight across calls', async () => {
    let active = 0;
    let peak = 0;
    stub.handle(async (_request, response) => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      active -= 1;
      sendJson(response, 200, user('1'));
    });
    const made = client({ concurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, () => made.users.get('1')));
    expect(peak).toBe(2);
  });

  it('lists with a filter through the executor (query encoding)', async () => {
    stub.handle((_request, response) => sendJson(response, 200, listBody([user('1')])));
    await client().users.findByUserName('user-1 "quoted"');
    expect(decodeURIComponent(stub.requests[0]?.url ?? '')).toContain(
      'filter=userName eq "user-1 \\"quoted\\""',
    );
  });
});
