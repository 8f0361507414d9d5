/**
 * `users.count()` and `groups.count()`: `totalResults` of one `startIndex=1&count=1` listing, or
 * `undefined` when the service leaves it out. The engine uses them to choose between one listing
 * and one lookup per new object (`ProvisioningTarget.count`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient } from '../../../src/client/ScimClient';
import type { ProvisioningTarget } from '../../../src/engine/target';
import { SCHEMAS } from '../../../src/scim/schemas';
import { ScimTestServer } from '../../../src/testing/ScimTestServer';
import { type StubServer, startStubServer } from '../helpers/stub-server';

const TOKEN = 'count-token-0123456789';
let server: ScimTestServer;
let client: ScimClient;

beforeAll(async () => {
  server = await ScimTestServer.start({ auth: { type: 'bearer', token: TOKEN } });
  client = new ScimClient({ baseUrl: server.baseUrl, auth: { type: 'bearer', token: TOKEN } });
});

afterEach(() => {
  server.clear();
  server.resetStats();
  server.setQuirks({ pageSizeCap: false, totalResultsOffset: 0 });
});

afterAll(async () => {
  client.close();
  await server.close();
});

describe('count() against ScimTestServer', () => {
  it('counts users and groups with one request each, asking for one resource', async () => {
    const userCount = 7;
    const ids: string[] = [];
    for (let index = 0; index < userCount; index += 1) {
      ids.push(String(server.addUser({ userName: `user${index}` }).id));
    }
    server.addGroup({
      displayName: 'odd',
      members: ids.filter((_, index) => index % 2 === 1).map((value) => ({ value })),
    });
    server.addGroup({ displayName: 'even' });
    server.resetStats();
    await expect(client.users.count()).resolves.toBe(userCount);
    await expect(client.groups.count()).resolves.toBe(2);
    const stats = server.stats();
    expect(stats.byRoute['GET /Users']).toBe(1);
    expect(stats.byRoute['GET /Groups']).toBe(1);
    expect(stats.totalRequests).toBe(2);
  });

  it('follows the target as it changes, zero included', async () => {
    await expect(client.users.count()).resolves.toBe(0);
    await expect(client.groups.count()).resolves.toBe(0);
    const created = await client.users.create({ userName: 'alice' });
    await client.users.create({ userName: 'bob' });
    await expect(client.users.count()).resolves.toBe(2);
    await client.users.delete(String(created.id));
    await expect(client.users.count()).resolves.toBe(1);
  });

  it('reports what the service says, even when its totalResults is off (it is an estimate to choose a strategy)', async () => {
    server.addUser({ userName: 'solo' });
    server.setQuirks({ totalResultsOffset: 3 });
    await expect(client.users.count()).resolves.toBe(4);
  });

  it('is part of the ProvisioningTarget the engine sees', async () => {
    server.addUser({ userName: 'carol' });
    const target: ProvisioningTarget = client;
    await expect(target.users.count?.()).resolves.toBe(1);
    await expect(target.groups.count?.()).resolves.toBe(0);
  });
});

describe('count() against services that leave totalResults out', () => {
  let stub: StubServer | undefined;
  let stubClient: ScimClient | undefined;

  afterEach(async () => {
    stubClient?.close();
    await stub?.close();
    stub = undefined;
    stubClient = undefined;
  });

  async function answering(body: unknown): Promise<ScimClient> {
    stub = await startStubServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/scim+json' });
      response.end(JSON.stringify(body));
    });
    stubClient = new ScimClient({ baseUrl: stub.baseUrl, retry: false });
    return stubClient;
  }

  it('returns undefined for a cursor-paged list without totalResults, after one request', async () => {
    const counting = await answering({
      schemas: [SCHEMAS.ListResponse],
      itemsPerPage: 1,
      nextCursor: 'abc',
      Resources: [{ schemas: [SCHEMAS.User], id: '1', userName: 'one' }],
    });
    await expect(counting.users.count()).resolves.toBeUndefined();
    expect(stub?.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /scim/v2/Users?startIndex=1&count=1',
    ]);
  });

  it('returns undefined when totalResults is not a count', async () => {
    const counting = await answering({ schemas: [SCHEMAS.ListResponse], totalResults: '12', Resources: [] });
    await expect(counting.groups.count()).resolves.toBeUndefined();
    expect(stub?.requests[0]?.url).toBe('/scim/v2/Groups?startIndex=1&count=1');
  });
});
