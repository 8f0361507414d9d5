import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScimClientOptions } from '../../../src/client/options';
import { ScimClient } from '../../../src/client/ScimClient';
import type { ScimTestServerQuirks } from '../../../src/testing/quirks';
import { ScimTestServer } from '../../../src/testing/ScimTestServer';
import { payloads, recordEvents } from '../helpers/events';

const USERS = 2500;
let server: ScimTestServer;
let cursorServer: ScimTestServer;
const clients: ScimClient[] = [];

function client(target: ScimTestServer, extra: Partial<ScimClientOptions> = {}): ScimClient {
  const made = new ScimClient({ baseUrl: target.baseUrl, ...extra });
  clients.push(made);
  return made;
}

async function listAll(made: ScimClient): Promise<string[]> {
  const ids: string[] = [];
  for await (const user of made.users.list()) ids.push(user.id as string);
  return ids;
}

beforeAll(async () => {
  server = await ScimTestServer.start();
  cursorServer = await ScimTestServer.start({ cursorPagination: true });
  for (let index = 0; index < USERS; index += 1) {
    server.addUser({ userName: `bulk-${String(index).padStart(4, '0')}` });
    cursorServer.addUser({ userName: `bulk-${String(index).padStart(4, '0')}` });
  }
});

afterAll(async () => {
  for (const made of clients) made.close();
  await server.close();
  await cursorServer.close();
});

describe(`listing ${USERS} users`, () => {
  it('reads every user exactly once, in 25 pages plus one look past the full last page', async () => {
    server.resetStats();
    const ids = await listAll(client(server));
    expect(ids).toHaveLength(USERS);
    expect(new Set(ids).size).toBe(USERS);
    expect(server.stats().byRoute['GET /Users']).toBe(26);
  });

  it.each<[string, ScimTestServerQuirks, Partial<ScimClientOptions>]>([
    ['startIndex past the end returns page one', { startIndexPastEndReturnsFirstPage: true }, {}],
    ['itemsPerPage wrong', { wrongItemsPerPage: true }, { pageSize: 333 }],
    ['page size cap 70', { pageSizeCap: 70 }, { pageSize: 200 }],
    [
      'all three at once',
      { startIndexPastEndReturnsFirstPage: true, wrongItemsPerPage: 100, pageSizeCap: 64 },
      {},
    ],
  ])('with %s: complete, no duplicate, no loop', async (_name, quirks, options) => {
    server.resetQuirks(quirks);
    server.resetStats();
    const ids = await listAll(client(server, options));
    expect(new Set(ids).size).toBe(USERS);
    expect(ids).toHaveLength(USERS);
    expect(server.stats().byRoute['GET /Users'] ?? 0).toBeLessThan(50);
    server.resetQuirks();
  });

  it('totalResults larger than what can be read is ScimIncompleteListError after trying a larger page', async () => {
    server.resetQuirks({ totalResultsOffset: 3, startIndexPastEndReturnsFirstPage: true });
    const made = client(server);
    const events = recordEvents(made);
    const ids: string[] = [];
    const error = await (async () => {
      for await (const user of made.users.list()) ids.push(user.id as string);
    })().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ScimIncompleteListError', expected: USERS + 3, received: USERS });
    expect(new Set(ids).size).toBe(USERS);
    // The larger page is capped at the maxPageSize (1000) the service announces.
    expect(payloads(events, 'fallback')).toEqual([
      expect.objectContaining({ fallback: 'pagination', reason: expect.stringContaining('count=1000') }),
    ]);
    server.resetQuirks();
  });

  it('uses RFC 9865 cursors when the service offers them', async () => {
    cursorServer.resetStats();
    const ids = await listAll(client(cursorServer));
    expect(new Set(ids).size).toBe(USERS);
    expect(ids).toHaveLength(USERS);
    // ServiceProviderConfig says cursor: true; 25 cursor pages, and nothing asked with startIndex.
    expect(cursorServer.stats().byRoute['GET /Users']).toBe(25);
  });
});
