/**
 * Re-hires: a source object deleted and added again with the same key under a new source id
 * (a new entryUUID). The newcomer takes over the target object of the departed one instead of
 * clashing with it; two live source objects with one key still clash.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isMatchConflictError } from '../../src/engine/errors/MatchConflictError';
import type { ProvisioningState } from '../../src/engine/state/types';
import { count, type Harness, harness, memberIds, person, writes } from './helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(): Promise<Harness> {
  h = await harness({ users: [person(1), person(2)] });
  return h;
}

/** The state the engine saved. */
async function saved(t: Harness): Promise<ProvisioningState> {
  const state = await t.store.load();
  if (state === undefined) throw new Error('no state saved');
  return state;
}

/** A re-hire of source user `u1`: the same uid under a new source id, with a new title. */
function rehire(t: Harness, newId = 'u1-rehired'): void {
  t.datastore.addUser(person(1, { id: newId, attributes: { ...person(1).attributes, title: 'Rehired' } }));
}

describe("a re-hired user (removeAction 'disable')", () => {
  it('takes over the target user in the cycle that sees the delete and the add: re-enabled, updated, relinked', async () => {
    const t = await start();
    const engine = t.engine();
    await engine.sync();
    const targetId = t.usersByName().get('user1')?.id;
    t.datastore.removeUser('u1');
    rehire(t);
    t.mark();
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.users).toMatchObject({ linked: 1, created: 0, disabled: 0, failed: 0 });
    expect(count(t.since(), 'POST')).toBe(0);
    expect(t.usersByName().get('user1')).toMatchObject({ id: targetId, active: true, title: 'Rehired' });
    const state = await saved(t);
    expect(state.users.has('u1')).toBe(false);
    expect(state.users.get('u1-rehired')).toMatchObject({ targetId, status: 'active' });
    // Converged: neither an incremental nor a full cycle writes anything.
    t.mark();
    expect((await engine.sync()).failures).toEqual([]);
    expect((await engine.sync({ full: true })).failures).toEqual([]);
    expect(writes(t.since())).toBe(0);
  });

  it('takes over a target user disabled in an earlier cycle, in an incremental cycle', async () => {
    const t = await start();
    const engine = t.engine();
    await engine.sync();
    const targetId = t.usersByName().get('user1')?.id;
    t.datastore.removeUser('u1');
    expect((await engine.sync()).users.disabled).toBe(1);
    rehire(t);
    const report = await engine.sync();
    expect(report.mode).toBe('incremental');
    expect(report.failures).toEqual([]);
    expect(report.users).toMatchObject({ linked: 1, created: 0 });
    expect(t.usersByName().get('user1')).toMatchObject({ id: targetId, active: true, title: 'Rehired' });
    expect((await saved(t)).users.get('u1-rehired')?.targetId).toBe(targetId);
  });

  it('keeps the target user in the groups of the departed user', async () => {
    const t = await start();
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    const engine = t.engine();
    await engine.sync();
    const before = memberIds(t.groupsByName().get('Staff'));
    t.datastore.removeUser('u1');
    rehire(t);
    t.datastore.updateGroup('g1', { memberIds: ['u1-rehired', 'u2'] });
    expect((await engine.sync()).failures).toEqual([]);
    expect(memberIds(t.groupsByName().get('Staff'))).toEqual(before);
  });

  it('still refuses a newcomer whose key belongs to a user that is in the source (disabled there)', async () => {
    const t = await start();
    const engine = t.engine();
    await engine.sync();
    t.datastore.disableUser('u1');
    await engine.sync();
    rehire(t);
    const report = await engine.sync();
    expect(report.failures).toHaveLength(1);
    expect(isMatchConflictError(report.failures[0]?.error)).toBe(true);
    expect(t.usersByName().get('user1')?.active).toBe(false);
    expect((await saved(t)).users.has('u1')).toBe(true);
  });
});

describe("a re-hired user (removeAction 'delete')", () => {
  it('converges without a failure: the old target user deleted, the new one created', async () => {
    const t = await start();
    const engine = t.engine({ users: { removeAction: 'delete' } });
    await engine.sync();
    const before = t.usersByName().get('user1')?.id;
    t.datastore.removeUser('u1');
    rehire(t);
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.users).toMatchObject({ deleted: 1, created: 1, failed: 0 });
    const after = t.usersByName().get('user1');
    expect(after).toMatchObject({ active: true, title: 'Rehired' });
    expect(after?.id).not.toBe(before);
    t.mark();
    expect((await engine.sync({ full: true })).failures).toEqual([]);
    expect(writes(t.since())).toBe(0);
  });
});

describe('a group deleted and re-created with the same name', () => {
  it('hands its target group over to the new group instead of deleting it', async () => {
    const t = await start();
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1'] });
    const engine = t.engine();
    await engine.sync();
    const groupId = t.groupsByName().get('Staff')?.id;
    t.datastore.removeGroup('g1');
    t.datastore.addGroup({ id: 'g1-new', name: 'Staff', memberIds: ['u1', 'u2'] });
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.groups).toMatchObject({ linked: 1, created: 0, deleted: 0, failed: 0 });
    const group = t.groupsByName().get('Staff');
    expect(group?.id).toBe(groupId);
    const users = t.usersByName();
    expect(memberIds(group)).toEqual([String(users.get('user1')?.id), String(users.get('user2')?.id)].sort());
    const state = await saved(t);
    expect(state.groups.has('g1')).toBe(false);
    expect(state.groups.get('g1-new')?.targetId).toBe(groupId);
    t.mark();
    expect((await engine.sync({ full: true })).failures).toEqual([]);
    expect(writes(t.since())).toBe(0);
  });

  it('still refuses two live groups with the same name', async () => {
    const t = await start();
    t.datastore.addGroup({ id: 'g1', name: 'Staff' });
    const engine = t.engine();
    await engine.sync();
    t.datastore.addGroup({ id: 'g2', name: 'staff' });
    const report = await engine.sync();
    expect(report.failures).toHaveLength(1);
    expect(isMatchConflictError(report.failures[0]?.error)).toBe(true);
  });
});
