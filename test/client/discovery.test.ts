import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScimClientOptions } from '../../src/client/options';
import { ScimClient } from '../../src/client/ScimClient';
import { payloads, recordEvents } from './helpers/events';
import { type StubServer, sendJson, startStubServer } from './helpers/stub-server';

const SPC = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  patch: { supported: false },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 50 },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: true },
  authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'token' }],
  pagination: { cursor: true, index: true, defaultPaginationMethod: 'cursor', maxPageSize: 50 },
};
const SCHEMA = {
  id: 'urn:ietf:params:scim:schemas:core:2.0:User',
  name: 'User',
  attributes: [
    {
      name: 'userName',
      type: 'string',
      multiValued: false,
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    },
  ],
};

let stub: StubServer;
const clients: ScimClient[] = [];
function client(extra: Partial<ScimClientOptions> = {}): ScimClient {
  const made = new ScimClient({
    baseUrl: stub.baseUrl,
    retry: { limit: 1, baseDelay: 1, backoffLimit: 1 },
    ...extra,
  });
  clients.push(made);
  return made;
}

beforeAll(async () => {
  stub = await startStubServer((_request, response) => sendJson(response, 404, {}));
});

afterAll(async () => {
  for (const made of clients) made.close();
  await stub.close();
});

describe('discover', () => {
  it('reads a ServiceProviderConfig with RFC 9865 pagination, and Schemas given as a bare array', async () => {
    stub.handle((request, response) => {
      if (request.url.endsWith('/ServiceProviderConfig')) sendJson(response, 200, SPC);
      else if (request.url.endsWith('/Schemas')) sendJson(response, 200, [SCHEMA]);
      else sendJson(response, 404, { detail: 'no' });
    });
    const capabilities = await client().discover();
    expect(capabilities).toMatchObject({
      patch: { supported: false },
      filter: { supported: true, maxResults: 50 },
      etag: { supported: true },
      pagination: { cursor: true, index: true, defaultPaginationMethod: 'cursor', maxPageSize: 50 },
      authenticationSchemes: ['oauthbearertoken'],
      unavailable: [{ endpoint: 'ResourceTypes', reason: 'HTTP 404' }],
    });
    expect(capabilities.schemas?.map((schema) => schema.id)).toEqual([SCHEMA.id]);
  });

  it('reads a config that breaks RFC 7643 leniently in strict mode, with a warning', async () => {
    stub.handle((request, response) => {
      if (request.url.endsWith('/ServiceProviderConfig'))
        sendJson(response, 200, { patch: { supported: 'True' } });
      else sendJson(response, 404, {});
    });
    const made = client({ validation: 'strict' });
    const events = recordEvents(made);
    const capabilities = await made.discover();
    expect(capabilities.patch.supported).toBe(true);
    expect(capabilities.filter.supported).toBeUndefined();
    expect(payloads(events, 'warning').map((warning) => warning.code)).toEqual(['discoveryInvalid']);
  });

  it('throws on 401, but a broken ServiceProviderConfig does not block other calls', async () => {
    stub.handle((_request, response) => sendJson(response, 401, { detail: 'who are you' }));
    await expect(client().discover()).rejects.toMatchObject({ status: 401 });
    stub.handle((request, response) => {
      if (request.url.endsWith('/ServiceProviderConfig')) sendJson(response, 500, { detail: 'broken' });
      else sendJson(response, 200, { id: 'u1', userName: 'x' });
    });
    const made = client();
    await expect(
      made.users.patch('u1', [{ op: 'replace', path: 'title', value: 't' }]),
    ).resolves.toMatchObject({ id: 'u1' });
    // The broken config is read once, not before every call.
    stub.requests.length = 0;
    await made.users.patch('u1', [{ op: 'replace', path: 'title', value: 't' }]);
    expect(stub.requests.map((request) => request.method)).toEqual(['PATCH']);
  });

  it('applies what it learned: no PATCH means GET + PUT, and cursors are used for listings', async () => {
    stub.handle((request, response) => {
      if (request.url.endsWith('/ServiceProviderConfig')) return sendJson(response, 200, SPC);
      if (request.method === 'GET' && request.url.includes('/Users?')) {
        const url = new URL(request.url, 'http://x');
        const cursor = url.searchParams.get('cursor');
        const page = cursor === '' ? [{ id: 'a', userName: 'a' }] : [{ id: 'b', userName: 'b' }];
        return sendJson(response, 200, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
          totalResults: 2,
          Resources: page,
          ...(cursor === '' ? { nextCursor: 'next-1' } : {}),
        });
      }
      return sendJson(response, 200, { id: 'a', userName: 'a', meta: { version: 'W/"7"' } });
    });
    const made = client();
    stub.requests.length = 0;
    const ids: string[] = [];
    for await (const user of made.users.list()) ids.push(user.id as string);
    expect(ids).toEqual(['a', 'b']);
    expect(stub.requests.slice(1).map((request) => decodeURIComponent(request.url))).toEqual([
      '/scim/v2/Users?cursor=&count=50',
      '/scim/v2/Users?cursor=next-1&count=50',
    ]);
    stub.requests.length = 0;
    await made.users.patch('a', [{ op: 'replace', path: 'title', value: 'x' }]);
    expect(stub.requests.map((request) => request.method)).toEqual(['GET', 'PUT']);
    expect(stub.requests[1]?.headers['if-match']).toBe('W/"7"');
  });
});
