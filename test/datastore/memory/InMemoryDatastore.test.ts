import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isDatastoreError } from '../../../src/datastore/errors/DatastoreError';
import { InMemoryDatastore } from '../../../src/datastore/memory/InMemoryDatastore';
import type { SourceUser } from '../../../src/datastore/types';
import { type ContractSource, describeDatastoreContract } from '../contract';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function inScope(user: SourceUser): boolean {
  return user.attributes.ou !== 'outside';
}

/** A contract source over an InMemoryDatastore: handles are `uid` values. */
function memorySubject(): { store: InMemoryDatastore; source: ContractSource } {
  const store = new InMemoryDatastore({ userScope: inScope });
  const users = new Map<string, string>();
  const groups = new Map<string, string>();
  const userId = (handle: string): string => {
    const id = users.get(handle);
    if (id === undefined) throw new Error(`no user ${handle}`);
    return id;
  };
  const groupId = (name: string): string => {
    const id = groups.get(name);
    if (id === undefined) throw new Error(`no group ${name}`);
    return id;
  };
  const source: ContractSource = {
    handleAttribute: 'uid',
    modifiableAttribute: 'title',
    attributes: ['uid', 'title'],
    async addUser(handle, options) {
      const id = randomUUID();
      users.set(handle, id);
      store.addUser({
        id,
        disabled: options?.disabled ?? false,
        attributes: { uid: handle, title: options?.value ?? 'Engineer', ou: 'people' },
      });
    },
    async modifyUser(handle, value) {
      store.updateUser(userId(handle), { attributes: { title: value } });
    },
    async disableUser(handle) {
      store.disableUser(userId(handle));
    },
    async enableUser(handle) {
      store.enableUser(userId(handle));
    },
    async renameUser(handle, newHandle) {
      const id = userId(handle);
      users.set(newHandle, id);
      store.updateUser(id, { attributes: { uid: newHandle } });
    },
    async moveUserOutOfScope(handle) {
      store.updateUser(userId(handle), { attributes: { ou: 'outside' } });
    },
    async deleteUser(handle) {
      store.removeUser(userId(handle));
    },
    async addGroup(name, members) {
      const id = randomUUID();
      groups.set(name, id);
      store.addGroup({ id, name, memberIds: members.map(userId) });
    },
    async addMember(group, handle) {
      store.addMembers(groupId(group), [userId(handle)]);
    },
    async removeMember(group, handle) {
      store.removeMembers(groupId(group), [userId(handle)]);
    },
    async deleteGroup(name) {
      store.removeGroup(groupId(name));
    },
  };
  return { store, source };
}

const shared = memorySubject();
describeDatastoreContract('InMemoryDatastore', () => ({
  adapter: shared.store,
  source: shared.source,
  exactChanges: true,
}));

describe('InMemoryDatastore', () => {
  it('copies what it is given and hands out frozen copies', async () => {
    const attributes = { mail: ['a@example.com'], photo: Buffer.from([1, 2, 3]) };
    const store = new InMemoryDatastore({ users: [{ id: 'u1', attributes }] });
    attributes.mail.push('b@example.com');
    attributes.photo[0] = 9;
    const [user] = await collect(store.users());
    expect(user?.attributes.mail).toEqual(['a@example.com']);
    expect(user?.attributes.photo).toEqual(Buffer.from([1, 2, 3]));
    expect(Object.isFrozen(user)).toBe(true);
    expect(Object.isFrozen(user?.attributes)).toBe(true);
  });

  it('merges attribute updates and removes attributes set to null', async () => {
    const store = new InMemoryDatastore({ users: [{ id: 'u1', attributes: { mail: 'a@x', title: 'Dev' } }] });
    store.updateUser('u1', { attributes: { title: null, sn: 'Lovelace' } });
    expect((await store.user('u1'))?.attributes).toEqual({ mail: 'a@x', sn: 'Lovelace' });
  });

  it('projects the attributes asked for, case-insensitively, under the name asked for', async () => {
    const store = new InMemoryDatastore({ users: [{ id: 'u1', attributes: { givenName: 'Ada', sn: 'L' } }] });
    expect((await store.user('u1', { attributes: ['givenname', 'missing'] }))?.attributes).toEqual({
      givenname: 'Ada',
    });
  });

  it('refuses duplicate ids and unknown ids with a DatastoreError', () => {
    const store = new InMemoryDatastore({ users: [{ id: 'u1' }], groups: [{ id: 'g1', name: 'g' }] });
    expect(() => store.addUser({ id: 'u1' })).toThrow(/already exists/);
    expect(() => store.addGroup({ id: 'g1', name: 'again' })).toThrow(/already exists/);
    for (const action of [() => store.updateUser('nope', {}), () => store.removeGroup('nope')]) {
      let caught: unknown;
      try {
        action();
      } catch (error) {
        caught = error;
      }
      expect(isDatastoreError(caught)).toBe(true);
    }
  });

  it('removes a deleted user from its groups and counts the group as changed', async () => {
    const store = new InMemoryDatastore({
      users: [{ id: 'u1' }, { id: 'u2' }],
      groups: [{ id: 'g1', name: 'staff', memberIds: ['u1', 'u2'] }],
    });
    const first = await store.changes(undefined);
    const watermark = await first.nextWatermark();
    store.removeUser('u1');
    const delta = await store.changes(watermark);
    expect((await collect(delta.groups)).map((group) => group.memberIds)).toEqual([['u2']]);
    expect(await delta.removed()).toEqual({ users: ['u1'], groups: [] });
  });

  it('reports removals by itself, without known ids, and forgets an object that came back', async () => {
    const store = new InMemoryDatastore({
      users: [
        { id: 'u1', attributes: { ou: 'people' } },
        { id: 'u2', attributes: { ou: 'people' } },
      ],
      userScope: inScope,
    });
    const watermark = await (await store.changes(undefined)).nextWatermark();
    store.updateUser('u1', { attributes: { ou: 'outside' } });
    store.updateUser('u2', { attributes: { ou: 'outside' } });
    store.updateUser('u2', { attributes: { ou: 'people' } });
    const delta = await store.changes(watermark);
    expect(await delta.removed()).toEqual({ users: ['u1'], groups: [] });
    expect((await collect(delta.users)).map((user) => user.id)).toEqual(['u2']);
  });

  it('treats a watermark of another store as unknown (full read)', async () => {
    const one = new InMemoryDatastore({ users: [{ id: 'u1' }] });
    const other = new InMemoryDatastore({ users: [{ id: 'x' }] });
    const watermark = await (await one.changes(undefined)).nextWatermark();
    const delta = await other.changes(watermark);
    expect(delta.full).toBe(true);
    expect((await collect(delta.users)).map((user) => user.id)).toEqual(['x']);
  });

  it('reports in-scope objects the consumer does not know, even without a recorded change', async () => {
    const store = new InMemoryDatastore({ users: [{ id: 'u1' }, { id: 'u2' }] });
    const watermark = await (await store.changes(undefined)).nextWatermark();
    const delta = await store.changes(watermark, { known: { users: ['u1', 'ghost'], groups: [] } });
    expect((await collect(delta.users)).map((user) => user.id)).toEqual(['u2']);
    expect(await delta.removed()).toEqual({ users: ['ghost'], groups: [] });
  });

  it('without a scope predicate, reports each changed object once with its latest data, and a removed one that came back', async () => {
    const store = new InMemoryDatastore({ users: [{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }] });
    const watermark = await (await store.changes(undefined)).nextWatermark();
    store.updateUser('u1', { attributes: { title: 'a' } });
    store.updateUser('u1', { attributes: { title: 'b' } });
    store.removeUser('u2');
    store.removeUser('u3');
    store.addUser({ id: 'u3', attributes: { title: 'back' } });
    const delta = await store.changes(watermark, { known: { users: ['u1', 'u2', 'u3'], groups: [] } });
    const users = await collect(delta.users);
    expect(users.map((user) => [user.id, user.attributes.title])).toEqual([
      ['u1', 'b'],
      ['u3', 'back'],
    ]);
    expect(await delta.removed()).toEqual({ users: ['u2'], groups: [] });
    expect(await store.ids()).toEqual({ users: new Set(['u1', 'u3']), groups: new Set() });
    const next = await delta.nextWatermark();
    const quiet = await store.changes(next, { known: { users: ['u1', 'u3'], groups: [] } });
    expect(await collect(quiet.users)).toEqual([]);
    expect(await quiet.removed()).toEqual({ users: [], groups: [] });
  });

  it('leaves out-of-scope members out of memberIds', async () => {
    const store = new InMemoryDatastore({
      users: [
        { id: 'in', attributes: { ou: 'people' } },
        { id: 'out', attributes: { ou: 'outside' } },
      ],
      groups: [{ id: 'g', name: 'g', memberIds: ['in', 'out', 'not-yet'] }],
      userScope: inScope,
    });
    expect((await collect(store.groups()))[0]?.memberIds).toEqual(['in']);
    store.addUser({ id: 'not-yet' });
    expect((await collect(store.groups()))[0]?.memberIds).toEqual(['in', 'not-yet']);
  });
});
