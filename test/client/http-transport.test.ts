import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient } from '../../src/client/ScimClient';
import { createTestCertificates, type TestCertificates } from '../support/ldap/test-certificates';
import { type StubServer, sendJson, startStubServer } from './helpers/stub-server';

const TOKEN = 'tok-Transport-Secret-42';
const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: '1', userName: 'ada' };
const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);
const brotli = promisify(zlib.brotliCompress);

let stub: StubServer;
const clients: ScimClient[] = [];

function client(extra: Partial<ConstructorParameters<typeof ScimClient>[0]> = {}): ScimClient {
  const made = new ScimClient({
    baseUrl: stub.baseUrl,
    auth: { type: 'bearer', token: TOKEN },
    discovery: 'off',
    retry: false,
    ...extra,
  });
  clients.push(made);
  return made;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  stub = await startStubServer((_request, response) => sendJson(response, 200, user));
});

afterAll(async () => {
  for (const made of clients) made.close();
  await stub.close();
});

describe('the node:http transport', () => {
  it.each([
    ['gzip', gzip],
    ['deflate', deflate],
    ['br', brotli],
  ] as const)('inflates a %s answer', async (encoding, compress) => {
    const body = await compress(Buffer.from(JSON.stringify(user)));
    stub.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/scim+json', 'content-encoding': encoding });
      response.end(body);
    });
    await expect(client().users.get('1')).resolves.toMatchObject({ id: '1', userName: 'ada' });
    expect(stub.requests.at(-1)?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('refuses a compressed answer that inflates past maxResponseBytes (a compression bomb)', async () => {
    const padding = 'x'.repeat(5_000_000);
    const body = await gzip(Buffer.from(JSON.stringify({ ...user, padding })));
    expect(body.length).toBeLessThan(50_000);
    stub.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/scim+json', 'content-encoding': 'gzip' });
      response.end(body);
    });
    const error = await failure(client({ maxResponseBytes: 1_000_000 }).users.get('1'));
    expect(error).toMatchObject({ name: 'ScimResponseError', problem: 'tooLarge' });
  });

  it('refuses an answer whose declared length is past maxResponseBytes without reading it', async () => {
    stub.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': '2000000' });
      response.end(Buffer.alloc(2_000_000, 0x20));
    });
    const error = await failure(client({ maxResponseBytes: 1_000_000 }).users.get('1'));
    expect(error).toMatchObject({ name: 'ScimResponseError', problem: 'tooLarge' });
  });

  it('reports a body that cannot be inflated as a network error naming the encoding', async () => {
    stub.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/scim+json', 'content-encoding': 'gzip' });
      response.end('this is not gzip');
    });
    const error = await failure(client().users.get('1'));
    expect(error.name).toBe('ScimNetworkError');
    expect(error.message).toMatch(/gzip answer could not be inflated/);
  });

  it('does not follow a redirect, so the credentials never go to another host', async () => {
    const other = await startStubServer((_request, response) => sendJson(response, 200, user));
    try {
      stub.handle((_request, response) => {
        response.writeHead(302, { location: `${other.baseUrl}/Users/1` });
        response.end();
      });
      const error = await failure(client().users.get('1'));
      expect(error).toMatchObject({ name: 'ScimHttpError', status: 302 });
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('sends a body with its length and the content type, and keeps the connection alive', async () => {
    stub.handle((request, response) => sendJson(response, 201, { ...JSON.parse(request.body), id: '9' }));
    const made = client();
    await made.users.create({ schemas: user.schemas, userName: 'grace' });
    await made.users.create({ schemas: user.schemas, userName: 'linus' });
    const [first, second] = stub.requests.slice(-2);
    expect(first?.headers['content-length']).toBe(String(Buffer.byteLength(first?.body ?? '')));
    expect(first?.headers['content-type']).toMatch(/scim\+json/);
    expect(first?.headers.connection).toBe('keep-alive');
    expect(second?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('reports a connection dropped in the middle of the body as a network error', async () => {
    stub.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': '1000' });
      response.write('{"id":"1",');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const error = await failure(client().users.get('1'));
    expect(error.name).toBe('ScimNetworkError');
    expect(error.message).not.toContain(TOKEN);
  });

  it('abandons an attempt at its timeout', async () => {
    stub.handle((_request, response) => {
      setTimeout(() => sendJson(response, 200, user), 2_000);
    });
    const error = await failure(client({ timeout: 100 }).users.get('1'));
    expect(error).toMatchObject({ name: 'ScimTimeoutError', kind: 'attempt' });
  });
});

describe('the node:http transport over TLS', () => {
  let folder: string;
  let certificates: TestCertificates;
  let server: ReturnType<typeof createServer>;
  let baseUrl: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'transport-tls-'));
    certificates = await createTestCertificates(folder);
    const { readFile } = await import('node:fs/promises');
    server = createServer(
      { cert: await readFile(certificates.certPath), key: await readFile(certificates.keyPath) },
      (_request, response) => sendJson(response, 200, user),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(folder, { recursive: true, force: true });
  });

  it('refuses a certificate from an unknown CA by default', async () => {
    const error = await failure(client({ baseUrl }).users.get('1'));
    expect(error.name).toBe('ScimNetworkError');
    expect(error.message).toMatch(/certificate/i);
  });

  it('accepts it with the CA given', async () => {
    await expect(client({ baseUrl, ca: certificates.caPem }).users.get('1')).resolves.toMatchObject({
      id: '1',
    });
  });

  it('accepts it with verification turned off by name', async () => {
    await expect(client({ baseUrl, rejectUnauthorized: false }).users.get('1')).resolves.toMatchObject({
      id: '1',
    });
  });
});
