/**
 * The client against a real third-party SCIM service: scimmy + scimmy-routers on express
 * (test/support/scimmy.ts lists scimmy's deviations from RFC 7643/7644; each is exercised here
 * where the client meets it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isScimConflictError } from '../../../src/client/errors/ScimConflictError';
import { ScimClient } from '../../../src/client/ScimClient';
import { type ScimmyHarness, startScimmy } from '../../support/scimmy';
import { payloads, type RecordedEvent, recordEvents } from '../helpers/events';

let scimmy: ScimmyHarness;
let client: ScimClient;
let events: RecordedEvent[];

beforeAll(async () => {
  scimmy = await startScimmy();
  client = new ScimClient({ baseUrl: scimmy.baseUrl, auth: { type: 'bearer', token: scimmy.token } });
  events = recordEvents(client);
});

afterAll(async () => {
  client.close();
  await scimmy.close();
});

describe('ScimClient against scimmy', () => {
  it('testConnection and discover', async () => {
    const report = await client.testConnection();
    expect(report.checks.map((check) => [check.name, check.ok])).toEqual([
      ['dns', true],
      ['connect', true],
      ['tls', true],
      ['auth', true],
      ['read', true],
      ['discovery', true],
    ]);
    const capabilities = await client.discover();
    expect(capabilities.patch.supported).toBe(true);
    expect(capabilities.etag.supported).toBe(false);
    expect(capabilities.schemas?.length).toBeGreaterThan(0);
  });

  it('every user method', async () => {
    const created = await client.users.create({
      userName: 'alice',
      name: { givenName: 'Alice' },
      active: true,
    });
    const id = created.id as string;
    await expect(client.users.get(id)).resolves.toMatchObject({ userName: 'alice' });
    await expect(client.users.replace(id, { ...created, displayName: 'Alice A.' })).resolves.toMatchObject({
      displayName: 'Alice A.',
    });
    await expect(
      client.users.patch(id, [{ op: 'replace', path: 'active', value: false }]),
    ).resolves.toMatchObject({
      active: false,
    });
    // Deviation 7: a PATCH that changes nothing answers 204: the client gives undefined.
    await expect(
      client.users.patch(id, [{ op: 'replace', path: 'active', value: false }]),
    ).resolves.toBeUndefined();
    await expect(client.users.findByUserName('alice')).resolves.toMatchObject({ id });
    const conflict = await client.users.create({ userName: 'alice' }).catch((error: unknown) => error);
    expect(isScimConflictError(conflict)).toBe(true);
    expect(conflict).toMatchObject({ status: 409, existing: { id } });
    await client.users.delete(id);
    expect(scimmy.store.users.has(id)).toBe(false);
  });

  it('deviation 5: case-sensitive userName filters are detected and lookups go local', async () => {
    await client.users.create({ userName: 'Bob.Builder' });
    await expect(client.users.findByUserName('bob.builder')).resolves.toMatchObject({
      userName: 'Bob.Builder',
    });
    expect(payloads(events, 'warning').map((warning) => warning.code)).toContain('filterCaseSensitive');
    expect(payloads(events, 'fallback')).toContainEqual(
      expect.objectContaining({ fallback: 'localFilter', resourceType: 'Users', attribute: 'userName' }),
    );
  });

  it('every group method, with displayName compared case-insensitively despite deviation 5', async () => {
    const members = await Promise.all(
      ['g1', 'g2', 'g3'].map((userName) => client.users.create({ userName })),
    );
    const ids = members.map((member) => member.id as string);
    const group = await client.groups.create({ displayName: 'Admins' });
    const groupId = group.id as string;
    await expect(client.groups.findByDisplayName('admins')).resolves.toMatchObject({ id: groupId });
    await client.groups.addMembers(groupId, ids);
    expect(memberIds(scimmy.store.groups.get(groupId)).sort()).toEqual([...ids].sort());
    await client.groups.removeMembers(groupId, [ids[0] as string, 'not-a-member']);
    expect(memberIds(scimmy.store.groups.get(groupId)).sort()).toEqual(ids.slice(1).sort());
    await client.groups.setMembers(groupId, [ids[0] as string]);
    expect(memberIds(scimmy.store.groups.get(groupId))).toEqual([ids[0]]);
    await expect(client.groups.get(groupId)).resolves.toMatchObject({ displayName: 'Admins' });
    await client.groups.replace(groupId, { displayName: 'Admins', members: [] });
    expect(memberIds(scimmy.store.groups.get(groupId))).toEqual([]);
    const listed: string[] = [];
    for await (const each of client.groups.list()) listed.push(each.displayName);
    expect(listed).toContain('Admins');
    await client.groups.delete(groupId);
    expect(scimmy.store.groups.has(groupId)).toBe(false);
  });

  it('deviations 2 and 3: a listing is complete although a page past the end repeats page one', async () => {
    // 100 users in 4 full pages of 25: the client looks one page past the end and gets page one.
    for (let index = scimmy.store.users.size; index < 100; index += 1) {
      await client.users.create({ userName: `page-${index}` });
    }
    const requests = recordEvents(client);
    const ids: string[] = [];
    for await (const user of client.users.list({ pageSize: 25 })) ids.push(user.id as string);
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
    const pages = payloads(requests, 'request').filter((request) => request.url.includes('startIndex'));
    expect(pages.map((request) => new URL(request.url).searchParams.get('startIndex'))).toEqual([
      '1',
      '26',
      '51',
      '76',
      '101',
    ]);
    client.removeAllListeners();
    events = recordEvents(client);
  });

  it('deviation 1 (paging ignored on express 5): an error, never a silently short list', async () => {
    const broken = await startScimmy({ castPagingParameters: false });
    const brokenClient = new ScimClient({
      baseUrl: broken.baseUrl,
      auth: { type: 'bearer', token: broken.token },
    });
    try {
      for (let index = 0; index < 45; index += 1) await brokenClient.users.create({ userName: `p-${index}` });
      const ids: string[] = [];
      const error = await (async () => {
        for await (const user of brokenClient.users.list()) ids.push(user.id as string);
      })().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'ScimIncompleteListError', expected: 45, received: 20 });
      expect(ids).toHaveLength(20);
    } finally {
      brokenClient.close();
      await broken.close();
    }
  });

  it('deviation 8: express ETags are not sent as If-Match when the service says it has no ETags', async () => {
    const emulating = new ScimClient({
      baseUrl: scimmy.baseUrl,
      auth: { type: 'bearer', token: scimmy.token },
      patch: { groups: 'emulate' },
    });
    const member = await emulating.users.create({ userName: 'etag-member' });
    const group = await emulating.groups.create({ displayName: 'ETagged' });
    const requests = recordEvents(emulating);
    await emulating.groups.addMembers(group.id as string, [member.id as string]);
    expect(memberIds(scimmy.store.groups.get(group.id as string))).toEqual([member.id]);
    const put = payloads(requests, 'request').find((request) => request.method === 'PUT');
    expect(put?.headers['If-Match']).toBeUndefined();
    emulating.close();
  });
});

function memberIds(group: Record<string, unknown> | undefined): string[] {
  return ((group?.members ?? []) as { value: string }[]).map((member) => member.value);
}
