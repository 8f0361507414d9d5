import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScimClientOptions } from '../../../src/client/options';
import { ScimClient } from '../../../src/client/ScimClient';
import { ScimTestServer } from '../../../src/testing/ScimTestServer';
import { payloads, recordEvents } from '../helpers/events';

let server: ScimTestServer;
const clients: ScimClient[] = [];

function client(extra: Partial<ScimClientOptions> = {}): ScimClient {
  const made = new ScimClient({
    baseUrl: server.baseUrl,
    retry: { baseDelay: 1, backoffLimit: 5 },
    ...extra,
  });
  clients.push(made);
  return made;
}

function seedUsers(count: number, prefix = 'user'): string[] {
  return Array.from(
    { length: count },
    (_, index) => server.addUser({ userName: `${prefix}-${index}` }).id as string,
  );
}

beforeAll(async () => {
  server = await ScimTestServer.start();
});

afterEach(() => {
  server.clear();
  server.resetQuirks();
  server.resetStats();
});

afterAll(async () => {
  for (const made of clients) made.close();
  await server.close();
});

describe('filter not supported', () => {
  it('400 invalidFilter: learned once, then lookups list and match locally', async () => {
    server.setQuirks({ filterUnsupported: 'error400' });
    seedUsers(30);
    const made = client({ discovery: 'off' });
    const events = recordEvents(made);
    await expect(made.users.findByUserName('USER-17')).resolves.toMatchObject({ userName: 'user-17' });
    expect(payloads(events, 'fallback')).toEqual([
      expect.objectContaining({ fallback: 'localFilter', resourceType: 'Users', attribute: 'userName' }),
    ]);
    server.resetStats();
    await made.withSync(async () => {
      await expect(made.users.findByUserName('user-3')).resolves.toMatchObject({ userName: 'user-3' });
      await expect(made.users.findByUserName('user-29')).resolves.toMatchObject({ userName: 'user-29' });
      await expect(made.users.findByUserName('absent')).resolves.toBeUndefined();
    });
    // One listing (30 users, one page) for the three lookups of the sync, and no filter request.
    expect(server.stats().byRoute['GET /Users']).toBe(1);
    expect(payloads(events, 'fallback')).toHaveLength(1);
  });

  it('ServiceProviderConfig says no filter: lookups are local from the start', async () => {
    server.setQuirks({ filterUnsupported: 'error400' });
    seedUsers(5);
    const made = client();
    const events = recordEvents(made);
    await expect(made.users.findByUserName('user-4')).resolves.toMatchObject({ userName: 'user-4' });
    expect(server.stats().byStatus['400']).toBeUndefined();
    expect(payloads(events, 'fallback')[0]).toMatchObject({
      reason: expect.stringContaining('ServiceProviderConfig'),
    });
  });

  it('an ignored filter is detected (answers that do not match) and never taken for a match', async () => {
    server.setQuirks({ filterUnsupported: 'ignore' });
    seedUsers(8);
    const made = client({ discovery: 'off' });
    const events = recordEvents(made);
    await expect(made.users.findByUserName('user-6')).resolves.toMatchObject({ userName: 'user-6' });
    await expect(made.users.findByUserName('nobody')).resolves.toBeUndefined();
    expect(payloads(events, 'fallback')[0]).toMatchObject({
      fallback: 'localFilter',
      reason: expect.stringContaining('ignored'),
    });
    const listed: string[] = [];
    for await (const user of made.users.list({ filter: 'userName sw "user-1"' })) listed.push(user.userName);
    expect(listed).toEqual(['user-1']);
  });

  it('filter on userName works but not on displayName: each lookup uses what works', async () => {
    server.setQuirks({ unfilterableAttributes: ['displayName'] });
    seedUsers(3);
    for (const name of ['Sales', 'Ops', 'Admins']) server.addGroup({ displayName: name });
    const made = client();
    const events = recordEvents(made);
    await made.withSync(async () => {
      await expect(made.groups.findByDisplayName('ops')).resolves.toMatchObject({ displayName: 'Ops' });
      await expect(made.groups.findByDisplayName('ADMINS')).resolves.toMatchObject({ displayName: 'Admins' });
      await expect(made.users.findByUserName('user-2')).resolves.toMatchObject({ userName: 'user-2' });
      await expect(made.users.findByUserName('user-1')).resolves.toMatchObject({ userName: 'user-1' });
    });
    expect(payloads(events, 'fallback')).toEqual([
      expect.objectContaining({ resourceType: 'Groups', attribute: 'displayName', fallback: 'localFilter' }),
    ]);
    // Users: one filter request per lookup. Groups: one refused filter, then one listing for the sync.
    expect(server.stats().byRoute['GET /Users']).toBe(2);
    expect(server.stats().byRoute['GET /Groups']).toBe(2);
  });

  it('case-sensitive displayName filters are detected once and lookups go local', async () => {
    server.setQuirks({ caseSensitiveDisplayName: true });
    server.addGroup({ displayName: 'Admins' });
    server.addGroup({ displayName: 'Sales' });
    const made = client();
    const events = recordEvents(made);
    await expect(made.groups.findByDisplayName('admins')).resolves.toMatchObject({ displayName: 'Admins' });
    await expect(made.groups.findByDisplayName('SALES')).resolves.toMatchObject({ displayName: 'Sales' });
    expect(payloads(events, 'warning').map((warning) => warning.code)).toContain('filterCaseSensitive');
    expect(payloads(events, 'fallback')).toEqual([
      expect.objectContaining({ fallback: 'localFilter', attribute: 'displayName' }),
    ]);
  });

  it('a case-insensitive service is probed once and keeps its filter lookups', async () => {
    server.addGroup({ displayName: 'Admins' });
    const made = client();
    await made.groups.findByDisplayName('nothing-here');
    await made.groups.findByDisplayName('nothing-either');
    // Config, lookup, probe sample, probe filter, second lookup.
    expect(server.stats().byRoute['GET /Groups']).toBe(4);
    await expect(made.groups.findByDisplayName('admins')).resolves.toMatchObject({ displayName: 'Admins' });
  });
});

describe('PATCH not supported', () => {
  it.each([405, 501] as const)('%i: learned once, group changes become GET + PUT', async (status) => {
    server.setQuirks({ patchUnsupported: status });
    const users = seedUsers(3);
    const group = server.addGroup({ displayName: 'G' });
    const made = client({ discovery: 'off' });
    const events = recordEvents(made);
    await made.groups.addMembers(group.id as string, users);
    await made.groups.removeMembers(group.id as string, [users[0] as string]);
    expect(memberIds(server.getGroup(group.id as string))).toEqual(users.slice(1));
    expect(payloads(events, 'fallback')).toEqual([
      expect.objectContaining({
        fallback: 'patchEmulation',
        resourceType: 'Groups',
        reason: expect.stringContaining(String(status)),
      }),
    ]);
    expect(server.stats().byRoute['PATCH /Groups/:id']).toBe(1);
    expect(server.stats().byRoute['PUT /Groups/:id']).toBe(2);
  });

  it('ServiceProviderConfig says no PATCH: no PATCH is ever sent; setMembers is one GET and one PUT', async () => {
    server.setQuirks({ patchUnsupported: 405 });
    const users = seedUsers(4);
    const group = server.addGroup({ displayName: 'G', members: [{ value: users[0] as string }] });
    const made = client();
    server.resetStats();
    await made.groups.setMembers(group.id as string, users.slice(1));
    expect(memberIds(server.getGroup(group.id as string))).toEqual(users.slice(1));
    expect(server.stats().byRoute['PATCH /Groups/:id']).toBeUndefined();
    expect(server.stats().byRoute['PUT /Groups/:id']).toBe(1);
    const patched = await made.users.patch(users[1] as string, [
      { op: 'replace', path: 'title', value: 'Boss' },
    ]);
    expect(patched?.title).toBe('Boss');
  });

  it('works without ETags too (no If-Match)', async () => {
    server.setQuirks({ patchUnsupported: 501, noEtags: true });
    const users = seedUsers(2);
    const group = server.addGroup({ displayName: 'G' });
    await client().groups.addMembers(group.id as string, users);
    expect(memberIds(server.getGroup(group.id as string))).toEqual(users);
  });

  it('a successful PATCH answered 204 returns undefined and still applies', async () => {
    server.setQuirks({ patchNoContent: true });
    const users = seedUsers(1);
    const group = server.addGroup({ displayName: 'G' });
    const made = client();
    await expect(
      made.groups.patch(group.id as string, [{ op: 'add', path: 'members', value: [{ value: users[0] }] }]),
    ).resolves.toBeUndefined();
    expect(memberIds(server.getGroup(group.id as string))).toEqual(users);
  });
});

describe('Entra-style PATCH only', () => {
  it('a rejected value-path removal switches to the value-array form, once', async () => {
    server.setQuirks({ entraPatchOnly: true });
    const users = seedUsers(5);
    const group = server.addGroup({ displayName: 'G', members: users.map((value) => ({ value })) });
    const made = client();
    const events = recordEvents(made);
    await made.groups.removeMembers(group.id as string, users.slice(0, 2));
    await made.groups.removeMembers(group.id as string, users.slice(2, 3));
    expect(memberIds(server.getGroup(group.id as string))).toEqual(users.slice(3));
    expect(payloads(events, 'fallback')).toEqual([
      expect.objectContaining({
        fallback: 'memberRemovalForm',
        reason: expect.stringContaining('valueArray'),
      }),
    ]);
    expect(server.stats().byStatus['400']).toBe(1);
  });
});

describe('paging quirks', () => {
  it('startIndex past the end returning page one does not loop and loses nothing', async () => {
    server.setQuirks({ startIndexPastEndReturnsFirstPage: true });
    seedUsers(200);
    const ids = await listIds(client());
    expect(ids.size).toBe(200);
    // Two full pages, then one look past the end (answered with page one again).
    expect(server.stats().byRoute['GET /Users']).toBe(3);
  });

  it('a service that claims more than it gives is an error, never a short list', async () => {
    server.setQuirks({ startIndexPastEndReturnsFirstPage: true, totalResultsOffset: 5 });
    seedUsers(120);
    const error = await listIds(client()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ScimIncompleteListError', expected: 125, received: 120 });
  });

  it('a service that claims fewer than it has still gives all of them', async () => {
    server.setQuirks({ totalResultsOffset: -5 });
    seedUsers(205);
    expect((await listIds(client())).size).toBe(205);
  });

  it.each([true, 7] as const)('wrong itemsPerPage (%s) does not change what is read', async (wrong) => {
    server.setQuirks({ wrongItemsPerPage: wrong });
    seedUsers(150);
    expect((await listIds(client({ pageSize: 40 }))).size).toBe(150);
  });

  it('a page size cap below the requested count is followed', async () => {
    server.setQuirks({ pageSizeCap: 30 });
    seedUsers(95);
    expect((await listIds(client({ pageSize: 100 }))).size).toBe(95);
    // 30 + 30 + 30 + 5: the short last page ends it.
    expect(server.stats().byRoute['GET /Users']).toBe(4);
  });
});

describe('other gaps', () => {
  it('missing discovery endpoints are reported, not thrown', async () => {
    server.setQuirks({ missingEndpoints: ['Schemas', 'ResourceTypes'] });
    const capabilities = await client().discover();
    expect(capabilities.unavailable).toEqual([
      { endpoint: 'Schemas', reason: 'HTTP 404' },
      { endpoint: 'ResourceTypes', reason: 'HTTP 404' },
    ]);
    expect(capabilities.patch.supported).toBe(true);
    server.setQuirks({ missingEndpoints: ['ServiceProviderConfig'] });
    const bare = await client().discover();
    expect(bare.serviceProviderConfig).toBeUndefined();
    expect(bare.filter.supported).toBeUndefined();
  });

  it.each([
    ['noGroupCreate', 501],
    ['noGroupCreate', 403],
  ] as const)('%s (%i) gives a clear ScimHttpError', async (quirk, status) => {
    server.setQuirks({ [quirk]: status });
    const error = await client()
      .groups.create({ displayName: 'X' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ScimHttpError', status, method: 'POST' });
    expect(server.counts().groups).toBe(0);
  });

  it('noGroupDelete gives a clear ScimHttpError and leaves the group', async () => {
    server.setQuirks({ noGroupDelete: 405 });
    const group = server.addGroup({ displayName: 'Stays' });
    const error = await client()
      .groups.delete(group.id as string)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 405, method: 'DELETE' });
    expect(server.counts().groups).toBe(1);
  });
});

async function listIds(made: ScimClient): Promise<Set<string>> {
  const ids = new Set<string>();
  let count = 0;
  for await (const user of made.users.list()) {
    ids.add(user.id as string);
    count += 1;
  }
  expect(count).toBe(ids.size);
  return ids;
}

function memberIds(group: Record<string, unknown> | undefined): string[] {
  return ((group?.members ?? []) as { value: string }[]).map((member) => member.value);
}
