/**
 * Group provisioning end to end: create, link, rename, delete, memberships (overwrite), and
 * targets that cannot create or delete groups, filter, or PATCH.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDatastore } from '../../src/datastore/memory/InMemoryDatastore';
import { count, type Harness, harness, memberIds, person, writes } from './helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(options: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  h = await harness({ users: [person(1), person(2), person(3)], ...options });
  return h;
}

/** Target ids of source users by their uid. */
function ids(t: Harness, ...names: string[]): string[] {
  const users = t.usersByName();
  return names.map((name) => String(users.get(name)?.id)).sort();
}

describe('groups', () => {
  it('creates groups with their provisioned members in one POST each', async () => {
    const t = await start();
    t.datastore.addUser(person(4, { disabled: true }));
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2', 'u4'] });
    t.datastore.addGroup({ id: 'g2', name: 'Empty' });
    const report = await t.engine().sync();
    expect(report.groups).toMatchObject({ created: 2, membersAdded: 2, failed: 0 });
    expect(t.since().byRoute['POST /Groups']).toBe(2);
    expect(t.since().byRoute['PATCH /Groups/:id']).toBeUndefined();
    // u4 is disabled and not provisioned: only provisioned users are members.
    expect(memberIds(t.groupsByName().get('Staff'))).toEqual(ids(t, 'user1', 'user2'));
  });

  it('renames a group renamed in the source (same source id), with one PATCH', async () => {
    const t = await start();
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1'] });
    const engine = t.engine();
    await engine.sync();
    const id = t.groupsByName().get('Staff')?.id;
    t.datastore.updateGroup('g1', { name: 'Personnel' });
    t.mark();
    const report = await engine.sync();
    expect(report.groups).toMatchObject({ renamed: 1, created: 0, deleted: 0 });
    expect(t.since().byRoute['PATCH /Groups/:id']).toBe(1);
    expect(writes(t.since())).toBe(1);
    expect(t.groupsByName().get('Personnel')?.id).toBe(id);
    expect(t.groupsByName().has('Staff')).toBe(false);
  });

  it('deletes groups deleted in the source or out of scope', async () => {
    const datastore = new InMemoryDatastore({
      users: [person(1)],
      groupScope: (group) => !group.name.startsWith('tmp-'),
    });
    const t = await start({ datastore });
    datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1'] });
    datastore.addGroup({ id: 'g2', name: 'Sales' });
    datastore.addGroup({ id: 'g3', name: 'Keep' });
    const engine = t.engine();
    await engine.sync();
    datastore.removeGroup('g1');
    datastore.updateGroup('g2', { name: 'tmp-Sales' });
    const report = await engine.sync();
    expect(report.groups.deleted).toBe(2);
    expect([...t.groupsByName().keys()]).toEqual(['Keep']);
    // Users are untouched by group deletes.
    expect(t.usersByName().get('user1')?.active).toBe(true);
  });

  it('adds and removes members as the source changes', async () => {
    const t = await start();
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    const engine = t.engine();
    await engine.sync();
    t.datastore.updateGroup('g1', { memberIds: ['u2', 'u3'] });
    t.mark();
    const report = await engine.sync();
    expect(report.groups).toMatchObject({ membersAdded: 1, membersRemoved: 1 });
    expect(count(t.since(), 'PATCH')).toBe(2);
    expect(memberIds(t.groupsByName().get('Staff'))).toEqual(ids(t, 'user2', 'user3'));
  });

  it('overwrites the target: members added by hand go, members removed by hand come back (full cycle)', async () => {
    const t = await start();
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    const engine = t.engine();
    await engine.sync();
    const group = t.groupsByName().get('Staff');
    const intruder = t.server.addUser({ userName: 'intruder' });
    const [user1] = ids(t, 'user1');
    await t.client.groups.setMembers(String(group?.id), [String(intruder.id), ...ids(t, 'user2')]);
    expect(user1).toBeDefined();
    t.mark();
    const report = await engine.sync({ full: true });
    expect(report.groups).toMatchObject({ membersAdded: 1, membersRemoved: 1 });
    expect(memberIds(t.groupsByName().get('Staff'))).toEqual(ids(t, 'user1', 'user2'));
    // One listing per resource type, no GET per object.
    expect(t.since().byRoute['GET /Groups/:id']).toBeUndefined();
    expect(t.since().byRoute['GET /Users/:id']).toBeUndefined();
  });

  it('links an existing group by displayName and overwrites its members', async () => {
    const t = await start();
    const stranger = t.server.addUser({ userName: 'stranger' });
    const existing = t.server.addGroup({ displayName: 'STAFF', members: [{ value: stranger.id }] });
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1'] });
    const report = await t.engine().sync();
    expect(report.groups).toMatchObject({
      linked: 1,
      created: 0,
      renamed: 1,
      membersAdded: 1,
      membersRemoved: 1,
    });
    const group = t.server.getGroup(String(existing.id));
    expect(group?.displayName).toBe('Staff');
    expect(memberIds(group)).toEqual(ids(t, 'user1'));
  });

  it('provisions nested groups, members that are groups created in the same cycle included', async () => {
    const t = await start();
    t.datastore.addGroup({ id: 'g-outer', name: 'Everyone', memberIds: ['g-inner', 'u3'] });
    t.datastore.addGroup({ id: 'g-inner', name: 'Staff', memberIds: ['u1'] });
    const report = await t.engine().sync();
    expect(report.failures).toEqual([]);
    const groups = t.groupsByName();
    expect(memberIds(groups.get('Everyone'))).toEqual(
      [String(groups.get('Staff')?.id), ...ids(t, 'user3')].sort(),
    );
  });

  it('drops members deleted or gone from the scope, in groups the source did not report as changed', async () => {
    const datastore = new InMemoryDatastore({
      users: [person(1), person(2), person(3)],
      userScope: (user) => user.attributes.title !== 'Contractor',
    });
    const t = await start({ datastore });
    datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2', 'u3'] });
    const engine = t.engine({ users: { removeAction: 'delete' } });
    await engine.sync();
    datastore.updateUser('u2', { attributes: { title: 'Contractor' } });
    const report = await engine.sync();
    expect(report.users.deleted).toBe(1);
    expect(memberIds(t.groupsByName().get('Staff'))).toEqual(ids(t, 'user1', 'user3'));
    t.mark();
    await engine.sync();
    expect(writes(t.since())).toBe(0);
  });

  it('toggles: groups.create, groups.update and groups.delete off are skipped and reported', async () => {
    const t = await start();
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1'] });
    t.datastore.addGroup({ id: 'g2', name: 'Sales' });
    await t.engine().sync();
    t.datastore.updateGroup('g1', { name: 'Personnel', memberIds: ['u1', 'u2'] });
    t.datastore.removeGroup('g2');
    t.datastore.addGroup({ id: 'g3', name: 'New' });
    t.mark();
    const report = await t.engine({ groups: { create: false, update: false, delete: false } }).sync();
    expect(report.groups).toMatchObject({ created: 0, renamed: 0, deleted: 0, membersAdded: 0, skipped: 4 });
    expect(report.skipped.map((skipped) => `${skipped.op} ${skipped.sourceId}`).sort()).toEqual([
      'create g3',
      'delete g2',
      'members g1',
      'rename g1',
    ]);
    expect(writes(t.since())).toBe(0);
  });
});

describe('targets with limits', () => {
  it('a target without filtering: new objects are found with one listing, not a filter per object', async () => {
    const t = await start({ server: { quirks: { filterUnsupported: 'error400' } } });
    t.server.addUser({ userName: 'user2' });
    t.server.addGroup({ displayName: 'Staff' });
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    const engine = t.engine();
    const first = await engine.sync();
    expect(first.users).toMatchObject({ linked: 1, created: 2 });
    expect(first.groups).toMatchObject({ linked: 1, membersAdded: 2 });
    // Incremental cycle with new users: still no filter sent.
    for (let index = 4; index < 10; index += 1) t.datastore.addUser(person(index));
    t.server.addUser({ userName: 'user9' });
    t.mark();
    const second = await engine.sync();
    expect(second.users).toMatchObject({ created: 5, linked: 1 });
    expect(t.since().byStatus['400']).toBeUndefined();
    expect(t.since().byRoute['GET /Users']).toBe(1);
    expect(t.server.snapshot().users).toHaveLength(9);
  });

  it('a target without PATCH: memberships and renames go through PUT', async () => {
    const t = await start({ server: { quirks: { patchUnsupported: 405 } } });
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1'] });
    const engine = t.engine();
    const fallbacks: string[] = [];
    engine.on('fallback', (event) => fallbacks.push(`${event.fallback} ${event.resourceType}`));
    await engine.sync();
    t.datastore.updateGroup('g1', { name: 'Personnel', memberIds: ['u2', 'u3'] });
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    // The client's switch to PUT is re-emitted by the engine.
    expect(fallbacks.some((fallback) => fallback.startsWith('patchEmulation'))).toBe(true);
    expect(report.groups).toMatchObject({ renamed: 1, membersAdded: 2, membersRemoved: 1 });
    expect(t.since().byRoute['PATCH /Groups/:id']).toBeUndefined();
    const group = t.groupsByName().get('Personnel');
    expect(memberIds(group)).toEqual(ids(t, 'user2', 'user3'));
  });

  it('a target that cannot create groups: one warning per group, the existing groups are kept up to date', async () => {
    const t = await start({ server: { quirks: { noGroupCreate: true } } });
    t.server.addGroup({ displayName: 'Existing' });
    t.datastore.addGroup({ id: 'g1', name: 'Existing', memberIds: ['u1'] });
    t.datastore.addGroup({ id: 'g2', name: 'New A', memberIds: ['u1'] });
    t.datastore.addGroup({ id: 'g3', name: 'New B', memberIds: ['u2'] });
    const engine = t.engine();
    const warnings: string[] = [];
    engine.on('warning', (warning) => warnings.push(`${warning.code} ${warning.sourceId}`));
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.users.created).toBe(3);
    expect(report.groups).toMatchObject({ linked: 1, membersAdded: 1, created: 0, skipped: 2 });
    expect(warnings.sort()).toEqual(['groupCreateRefused g2', 'groupCreateRefused g3']);
    // Learned once: one refused POST, not one per group.
    expect(t.since().byRoute['POST /Groups']).toBe(1);
    expect(memberIds(t.groupsByName().get('Existing'))).toEqual(ids(t, 'user1'));
    t.datastore.updateGroup('g1', { memberIds: ['u1', 'u2'] });
    expect((await engine.sync()).groups.membersAdded).toBe(1);
  });

  it('a target that cannot delete groups: a warning, and the cycle carries on', async () => {
    const t = await start({ server: { quirks: { noGroupDelete: 403 } } });
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1'] });
    t.datastore.addGroup({ id: 'g2', name: 'Sales', memberIds: ['u2'] });
    const engine = t.engine({ users: { removeAction: 'delete' } });
    await engine.sync();
    t.datastore.removeGroup('g1');
    t.datastore.removeGroup('g2');
    t.datastore.removeUser('u3');
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.warnings.map((warning) => warning.code)).toEqual([
      'groupDeleteRefused',
      'groupDeleteRefused',
    ]);
    expect(report.users.deleted).toBe(1);
    expect(t.groupsByName().size).toBe(2);
    t.mark();
    await engine.sync();
    expect(writes(t.since())).toBe(0);
  });
});
