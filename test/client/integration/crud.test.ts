import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isScimConflictError } from '../../../src/client/errors/ScimConflictError';
import { ScimClient } from '../../../src/client/ScimClient';
import { ScimTestServer } from '../../../src/testing/ScimTestServer';
import { payloads, recordEvents } from '../helpers/events';

const TOKEN = 'crud-token-0123456789';
let server: ScimTestServer;
let client: ScimClient;

beforeAll(async () => {
  server = await ScimTestServer.start({ auth: { type: 'bearer', token: TOKEN } });
  client = new ScimClient({ baseUrl: server.baseUrl, auth: { type: 'bearer', token: TOKEN } });
});

afterEach(() => {
  server.clear();
  server.resetStats();
});

afterAll(async () => {
  client.close();
  await server.close();
});

describe('users against ScimTestServer', () => {
  it('create, get, replace, patch, delete', async () => {
    const created = await client.users.create({
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
      active: true,
    });
    expect(created.id).toEqual(expect.any(String));
    expect(created.schemas).toContain('urn:ietf:params:scim:schemas:core:2.0:User');
    const id = created.id as string;
    await expect(client.users.get(id)).resolves.toMatchObject({ userName: 'bjensen', active: true });
    const replaced = await client.users.replace(
      id,
      { ...created, title: 'Guide' },
      { etag: created.meta?.version as string },
    );
    expect(replaced.title).toBe('Guide');
    const patched = await client.users.patch(id, [{ op: 'replace', path: 'active', value: false }]);
    expect(patched?.active).toBe(false);
    expect(server.getUser(id)).toMatchObject({ title: 'Guide', active: false });
    await client.users.delete(id);
    expect(server.counts().users).toBe(0);
    expect(await client.users.get(id).catch((error: unknown) => error)).toMatchObject({
      name: 'ScimHttpError',
      status: 404,
    });
  });

  it('a stale etag on replace is refused with 412', async () => {
    const created = await client.users.create({ userName: 'etag-user' });
    await client.users.patch(created.id as string, [{ op: 'replace', path: 'title', value: 'x' }]);
    const error = await client.users
      .replace(created.id as string, { ...created, title: 'y' }, { etag: created.meta?.version as string })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 412 });
  });

  it('findByUserName compares case-insensitively with one request, and finds nothing without error', async () => {
    const created = await client.users.create({ userName: 'Alice.Smith@example.com' });
    server.resetStats();
    await expect(client.users.findByUserName('alice.smith@EXAMPLE.com')).resolves.toMatchObject({
      id: created.id,
    });
    expect(server.stats().byRoute['GET /Users']).toBe(1);
    await expect(client.users.findByUserName('nobody@example.com')).resolves.toBeUndefined();
  });

  it('a 409 on create carries the existing user so that the caller can link it', async () => {
    const existing = await client.users.create({ userName: 'taken' });
    const error = await client.users.create({ userName: 'TAKEN' }).catch((caught: unknown) => caught);
    expect(isScimConflictError(error)).toBe(true);
    expect(error).toMatchObject({ status: 409, scimType: 'uniqueness', existing: { id: existing.id } });
    expect(server.counts().users).toBe(1);
  });

  it('list() yields every user once, and filters on the service and locally', async () => {
    for (let index = 0; index < 12; index += 1)
      server.addUser({ userName: `list-${index}`, active: index % 2 === 0 });
    const all: string[] = [];
    for await (const user of client.users.list({ pageSize: 5 })) all.push(user.userName);
    expect(all).toHaveLength(12);
    const active: string[] = [];
    for await (const user of client.users.list({ filter: 'active eq true' })) active.push(user.userName);
    expect(active).toEqual(['list-0', 'list-2', 'list-4', 'list-6', 'list-8', 'list-10']);
  });
});

describe('groups against ScimTestServer', () => {
  it('create, members add/remove/set, rename, delete', async () => {
    const users = await Promise.all(
      ['u1', 'u2', 'u3', 'u4'].map((userName) => client.users.create({ userName })),
    );
    const ids = users.map((user) => user.id as string);
    const group = await client.groups.create({ displayName: 'Tour Guides' });
    const groupId = group.id as string;
    await client.groups.addMembers(groupId, [ids[0] as string, { value: ids[1] as string, type: 'User' }]);
    expect(memberIds(server.getGroup(groupId))).toEqual([ids[0], ids[1]]);
    await client.groups.removeMembers(groupId, [ids[0] as string]);
    expect(memberIds(server.getGroup(groupId))).toEqual([ids[1]]);
    await client.groups.setMembers(groupId, [ids[2] as string, ids[3] as string]);
    expect(memberIds(server.getGroup(groupId)).sort()).toEqual([ids[2], ids[3]].sort());
    await client.groups.patch(groupId, [{ op: 'replace', path: 'displayName', value: 'Guides' }]);
    await expect(client.groups.findByDisplayName('guides')).resolves.toMatchObject({ id: groupId });
    await client.groups.setMembers(groupId, []);
    expect(memberIds(server.getGroup(groupId))).toEqual([]);
    await client.groups.delete(groupId);
    expect(server.counts().groups).toBe(0);
  });

  it('splits large membership changes within the configured limits', async () => {
    const limited = new ScimClient({
      baseUrl: server.baseUrl,
      auth: { type: 'bearer', token: TOKEN },
      groups: { maxOperationsPerRequest: 2, maxMembersPerOperation: 5 },
    });
    const ids = Array.from(
      { length: 23 },
      (_, index) => server.addUser({ userName: `m${index}` }).id as string,
    );
    const group = await limited.groups.create({ displayName: 'Big' });
    server.resetStats();
    await limited.groups.addMembers(group.id as string, ids);
    // 23 members, 5 per operation, 2 operations per request: 5 operations, 3 requests.
    expect(server.stats().byRoute['PATCH /Groups/:id']).toBe(3);
    expect(memberIds(server.getGroup(group.id as string))).toHaveLength(23);
    server.resetStats();
    await limited.groups.removeMembers(group.id as string, ids.slice(0, 7));
    // valuePath form: one member per operation, 2 operations per request.
    expect(server.stats().byRoute['PATCH /Groups/:id']).toBe(4);
    expect(memberIds(server.getGroup(group.id as string))).toHaveLength(16);
    limited.close();
  });

  it('removing a member that is not in the group is not an error', async () => {
    const [a, b] = [server.addUser({ userName: 'a' }), server.addUser({ userName: 'b' })];
    const group = await client.groups.create({ displayName: 'G', members: [{ value: a.id as string }] });
    await client.groups.removeMembers(group.id as string, [b.id as string, a.id as string]);
    expect(memberIds(server.getGroup(group.id as string))).toEqual([]);
  });
});

describe('events', () => {
  it('reports each request and response, redacted', async () => {
    const events = recordEvents(client);
    await client.users.create({ userName: 'evented', password: 'Secret-Password-1' });
    const requests = payloads(events, 'request');
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(request.headers.Authorization).toBe('[REDACTED]');
    expect(payloads(events, 'response').at(-1)).toMatchObject({ method: 'POST', status: 201 });
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect(JSON.stringify(events)).not.toContain('Secret-Password-1');
    client.removeAllListeners();
  });
});

function memberIds(group: Record<string, unknown> | undefined): string[] {
  const members = (group?.members ?? []) as { value: string }[];
  return members.map((member) => member.value);
}
