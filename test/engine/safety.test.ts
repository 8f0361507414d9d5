/**
 * Safety: the deletion threshold, an empty source, failure isolation, the circuit breaker, and
 * refusals before anything is written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isScimHttpError } from '../../src/client/errors/ScimHttpError';
import { InMemoryDatastore } from '../../src/datastore/memory/InMemoryDatastore';
import type { DatastoreAdapter, SourceUser } from '../../src/datastore/types';
import { isMatchConflictError } from '../../src/engine/errors/MatchConflictError';
import { isStateTargetMismatchError } from '../../src/engine/errors/StateTargetMismatchError';
import { isSyncAbortedError, type SyncAbortedError } from '../../src/engine/errors/SyncAbortedError';
import type { HeldRemovals } from '../../src/engine/operations';
import type { SyncReport } from '../../src/engine/report';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import { createProvisioningState } from '../../src/engine/state/types';
import { type Harness, harness, memberIds, person, USER_MAPPING, writes } from './helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(options: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  h = await harness(options);
  return h;
}

const tenUsers = () => Array.from({ length: 10 }, (_, index) => person(index));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('deletion threshold', () => {
  it('holds every removal past the threshold, applies the rest, and lets them through with allowRemovals', async () => {
    const t = await start({ users: tenUsers() });
    const engine = t.engine({ safety: { deletionThreshold: 3 } });
    const held: HeldRemovals[] = [];
    engine.on('removalsHeld', (event) => held.push(event));
    await engine.sync();
    for (const id of ['u1', 'u2', 'u3']) t.datastore.removeUser(id);
    t.datastore.disableUser('u4');
    t.datastore.updateUser('u5', { attributes: { title: 'Lead' } });

    t.mark();
    const report = await engine.sync();
    expect(report.held).toEqual({
      count: 4,
      limit: 3,
      because: 'threshold',
      users: ['u4', 'u1', 'u2', 'u3'],
      groups: [],
      memberRemovals: 0,
    });
    expect(held).toEqual([report.held]);
    expect(report.users).toMatchObject({ disabled: 0, updated: 1 });
    expect(t.since().byRoute['PUT /Users/:id']).toBe(1);
    expect(report.watermarkAdvanced).toBe(false);

    // Held, not lost: the next cycle holds them again, until they are let through.
    expect((await engine.sync()).held?.count).toBe(4);
    const allowed = await engine.sync({ allowRemovals: true });
    expect(allowed.held).toBeUndefined();
    expect(allowed.users.disabled).toBe(4);
    expect(t.server.snapshot().users.filter((user) => user.active === false)).toHaveLength(4);
  });

  it('takes a percentage of the provisioned users, and defaults to 20 %', async () => {
    const t = await start({ users: tenUsers() });
    await t.engine().sync();
    t.datastore.removeUser('u1');
    t.datastore.removeUser('u2');
    t.datastore.removeUser('u3');
    expect((await t.engine({ safety: { deletionThreshold: '30%' } }).plan()).held).toBeUndefined();
    expect((await t.engine({ safety: { deletionThreshold: '20%' } }).plan()).held).toMatchObject({
      count: 3,
      limit: 2,
    });
    expect((await t.engine({ safety: {} }).plan()).held).toMatchObject({ count: 3, limit: 2 });
  });

  it('counts group deletes as removals', async () => {
    const t = await start({ users: tenUsers() });
    for (let index = 0; index < 4; index += 1)
      t.datastore.addGroup({ id: `g${index}`, name: `Group ${index}` });
    const engine = t.engine({ safety: { deletionThreshold: 2 } });
    await engine.sync();
    for (let index = 0; index < 3; index += 1) t.datastore.removeGroup(`g${index}`);
    const report = await engine.sync();
    expect(report.held).toMatchObject({ count: 3, groups: ['g0', 'g1', 'g2'] });
    expect(t.groupsByName().size).toBe(4);
  });

  it('never removes anyone when the source suddenly returns no user, whatever the threshold', async () => {
    const t = await start({ users: tenUsers() });
    const engine = t.engine({ safety: { deletionThreshold: Number.POSITIVE_INFINITY } });
    await engine.sync();
    for (let index = 0; index < 10; index += 1) t.datastore.removeUser(`u${index}`);
    t.mark();
    for (const full of [false, true]) {
      const report = await engine.sync({ full });
      expect(report.held).toMatchObject({ count: 10, because: 'emptySource' });
      expect(writes(t.since())).toBe(0);
    }
    expect((await engine.sync({ allowRemovals: true })).users.disabled).toBe(10);
  });
});

describe('deletion threshold: what follows from a held removal is held too', () => {
  /**
   * 20 users; Staff holds them all, Team A u0-u4, Team B u5-u6, Old u2-u3, and All holds u0 and
   * the group Old. Then users u10-u19 leave (a narrowed scope read in full cycles, or removals read
   * incrementally), Old leaves too, and u1 moves from Team A to Team B (it stays in scope).
   */
  async function scene(how: 'scope' | 'removed') {
    let narrowed = false;
    const datastore = new InMemoryDatastore({
      users: Array.from({ length: 20 }, (_, index) => person(index)),
      userScope: (user) => !narrowed || Number(user.id.slice(1)) < 10,
    });
    const everyone = Array.from({ length: 20 }, (_, index) => `u${index}`);
    datastore.addGroup({ id: 'staff', name: 'Staff', memberIds: everyone });
    datastore.addGroup({ id: 'a', name: 'Team A', memberIds: ['u0', 'u1', 'u2', 'u3', 'u4'] });
    datastore.addGroup({ id: 'b', name: 'Team B', memberIds: ['u5', 'u6'] });
    datastore.addGroup({ id: 'old', name: 'Old', memberIds: ['u2', 'u3'] });
    datastore.addGroup({ id: 'all', name: 'All', memberIds: ['u0', 'old'] });
    const t = await start({ datastore });
    const engine = t.engine({ safety: { deletionThreshold: 5 } });
    const first = await engine.sync();
    expect(first.failures).toEqual([]);
    const before = new Map([...t.groupsByName()].map(([name, group]) => [name, memberIds(group)]));
    const userId = (index: number) => String(t.usersByName().get(`user${index}`)?.id);
    const oldId = String(t.groupsByName().get('Old')?.id);

    const leaving = everyone.slice(10);
    if (how === 'scope') narrowed = true;
    else for (const id of leaving) datastore.removeUser(id);
    datastore.removeGroup('old');
    datastore.removeMembers('a', ['u1']);
    datastore.addMembers('b', ['u1']);
    return { t, engine, before, userId, oldId, leaving, full: how === 'scope' };
  }

  for (const how of ['scope', 'removed'] as const) {
    it(`keeps held users and groups in their groups, applies the other membership changes (${how})`, async () => {
      const { t, engine, before, userId, oldId, leaving, full } = await scene(how);
      const held: HeldRemovals[] = [];
      engine.on('removalsHeld', (event) => held.push(event));

      for (let cycle = 0; cycle < 2; cycle += 1) {
        t.mark();
        const report = await engine.sync({ full });
        // 10 users from Staff, and Old from All: held with the removals they follow from.
        expect(report.held).toMatchObject({
          count: 11,
          because: 'threshold',
          groups: ['old'],
          memberRemovals: 11,
        });
        expect([...(report.held?.users ?? [])].sort()).toEqual([...leaving].sort());
        expect(held.at(-1)).toEqual(report.held);
        expect(report.watermarkAdvanced).toBe(false);
        expect(report.failures).toEqual([]);
        const groups = t.groupsByName();
        expect(memberIds(groups.get('Staff'))).toEqual(before.get('Staff'));
        expect(memberIds(groups.get('Old'))).toEqual(before.get('Old'));
        expect(memberIds(groups.get('All'))).toEqual(before.get('All'));
        expect(memberIds(groups.get('All'))).toContain(oldId);
        // The move does not stem from a removal: it goes through (the first time).
        expect(memberIds(groups.get('Team A'))).not.toContain(userId(1));
        expect(memberIds(groups.get('Team B'))).toContain(userId(1));
        expect(report.groups.membersRemoved).toBe(cycle === 0 ? 1 : 0);
        expect(t.since().byRoute['DELETE /Groups/:id']).toBeUndefined();
        expect(t.server.snapshot().users.filter((user) => user.active === false)).toEqual([]);
      }
      expect(held).toHaveLength(2);

      // Let through: the disables, the delete, and every member removal held with them.
      const allowed = await engine.sync({ full, allowRemovals: true });
      expect(allowed.held).toBeUndefined();
      expect(allowed.failures).toEqual([]);
      expect(allowed.users.disabled).toBe(10);
      expect(allowed.groups.deleted).toBe(1);
      const groups = t.groupsByName();
      expect(groups.has('Old')).toBe(false);
      expect(memberIds(groups.get('Staff'))).toEqual(
        Array.from({ length: 10 }, (_, index) => userId(index)).sort(),
      );
      expect(memberIds(groups.get('All'))).toEqual([userId(0)]);
      expect(t.server.snapshot().users.filter((user) => user.active === false)).toHaveLength(10);

      // Nothing is left over: a full cycle afterwards has nothing to write.
      t.mark();
      const settled = await engine.sync({ full: true });
      expect(settled.held).toBeUndefined();
      expect(writes(t.since())).toBe(0);
    });
  }

  it('reports the held member removals in a dry run, without writing', async () => {
    const { t, engine, full } = await scene('scope');
    t.mark();
    const report = await engine.sync({ full, dryRun: true });
    expect(report.held).toMatchObject({ count: 11, memberRemovals: 11 });
    expect(report.groups.membersRemoved).toBe(1);
    expect(writes(t.since())).toBe(0);
  });
});

describe('failure isolation', () => {
  it('records a failed operation with its typed error, applies the others, and retries it next cycle', async () => {
    const t = await start({ users: [person(1), person(2), person(3)] });
    const engine = t.engine();
    await engine.sync();
    // The target refuses one user's PUT (a userName taken by a user the engine does not manage).
    t.server.addUser({ userName: 'taken' });
    t.datastore.updateUser('u2', { attributes: { uid: 'taken' } });
    t.datastore.updateUser('u1', { attributes: { title: 'Lead' } });
    t.datastore.updateUser('u3', { attributes: { title: 'Lead' } });
    const report = await engine.sync();
    expect(report.users).toMatchObject({ updated: 2, failed: 1 });
    expect(report.failures).toHaveLength(1);
    const failure = report.failures[0];
    expect(failure).toMatchObject({ kind: 'user', op: 'update', sourceId: 'u2' });
    expect(failure?.targetId).toBe(t.usersByName().get('user2')?.id);
    expect(isScimHttpError(failure?.error) && failure.error.status).toBe(409);
    expect(report.watermarkAdvanced).toBe(false);

    // Nothing was recorded for it: the next cycle tries again, and succeeds once the clash is gone.
    expect((await engine.sync()).failures.map((each) => each.sourceId)).toEqual(['u2']);
    await t.client.users.delete(String(t.usersByName().get('taken')?.id));
    const fixed = await engine.sync();
    expect(fixed.failures).toEqual([]);
    expect(fixed.users.updated).toBe(1);
    expect(fixed.watermarkAdvanced).toBe(true);
    expect(t.usersByName().has('taken')).toBe(true);
  });

  it('reports two source users with one userName as a conflict, every cycle, without a request for it', async () => {
    const twin = person(3, { attributes: { ...person(3).attributes, uid: 'USER1' } });
    const t = await start({ users: [person(1), person(2), twin] });
    const engine = t.engine();
    for (let cycle = 0; cycle < 2; cycle += 1) {
      const report = await engine.sync();
      expect(report.failures).toHaveLength(1);
      expect(report.failures[0]).toMatchObject({ kind: 'user', sourceId: 'u3' });
      expect(isMatchConflictError(report.failures[0]?.error) && report.failures[0].error.otherSourceId).toBe(
        'u1',
      );
    }
    expect(t.server.snapshot().users).toHaveLength(2);
    expect(t.since().byStatus['409']).toBeUndefined();
  });

  it('reports a source user that cannot be mapped, without failing the others', async () => {
    const t = await start({ users: [person(1), person(2, { attributes: { cn: 'No uid' } })] });
    const report = await t.engine().sync();
    expect(report.users).toMatchObject({ created: 1, failed: 1 });
    expect(report.failures[0]).toMatchObject({ kind: 'user', op: 'map', sourceId: 'u2' });
    expect(report.failures[0]?.error.name).toBe('MappingError');
  });
});

describe('circuit breaker', () => {
  it('stops at once with one clear error when the credentials are refused', async () => {
    const t = await start({
      users: tenUsers(),
      token: 'wrong-token',
      server: { auth: { type: 'bearer', token: 'right' } },
    });
    const engine = t.engine();
    let ended: SyncReport | undefined;
    engine.on('cycleEnd', (report) => {
      ended = report;
    });
    const error = await rejection(engine.sync());
    expect(isSyncAbortedError(error)).toBe(true);
    const aborted = error as SyncAbortedError;
    expect(aborted.reason).toBe('authentication');
    expect(aborted.message).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(isScimHttpError(aborted.cause) && aborted.cause.status).toBe(401);
    expect(aborted.message).not.toContain('wrong-token');
    expect(t.since().totalRequests).toBeLessThanOrEqual(3);
    expect(ended?.aborted?.reason).toBe('authentication');
  });

  it('opens during the apply phase when most operations fail the same way, after few requests', async () => {
    const t = await start({
      users: [person(0)],
      server: { auth: { type: 'bearer', token: 'first' } },
      token: 'first',
    });
    const engine = t.engine();
    await engine.sync();
    for (let index = 1; index <= 60; index += 1) t.datastore.addUser(person(index));
    let revoked = false;
    engine.on('progress', (event) => {
      // The token is revoked as the users phase begins (after the lookups), once.
      if (event.phase === 'users' && event.done === 0 && !revoked) {
        revoked = true;
        t.server.setAuth({ type: 'bearer', token: 'rotated' });
      }
    });
    t.mark();
    const error = await rejection(engine.sync());
    expect(isSyncAbortedError(error) && error.reason).toBe('authentication');
    const report = (error as SyncAbortedError).report;
    expect(report?.notAttempted).toBeGreaterThan(40);
    expect(t.since().byRoute['POST /Users']).toBeLessThanOrEqual(8 + 5);

    // Nothing was recorded for the failed creates: with the right token, the next cycle does them all.
    t.server.setAuth({ type: 'bearer', token: 'first' });
    const resumed = await engine.sync();
    expect(resumed.users.created).toBe(60);
    expect(t.server.snapshot().users).toHaveLength(61);
  });
});

describe('refusals before anything is written', () => {
  it('refuses a state that belongs to another target', async () => {
    const store = new MemoryStateStore(createProvisioningState({ id: 'another-target' }));
    const t = await start({ users: tenUsers(), store });
    const error = await rejection(t.engine().sync());
    expect(isStateTargetMismatchError(error)).toBe(true);
    expect(t.since().totalRequests).toBe(0);
  });

  it('applies nothing when the source cannot be read completely', async () => {
    const t = await start();
    const broken: DatastoreAdapter = {
      async *users(): AsyncIterable<SourceUser> {
        yield { id: 'u1', disabled: false, attributes: { uid: 'user1' } };
        throw new Error('connection to the directory lost');
      },
      async *groups() {},
    };
    const engine = t.engine({ datastore: broken, mapping: { users: USER_MAPPING } });
    const error = await rejection(engine.sync());
    expect((error as Error).message).toBe('connection to the directory lost');
    expect(writes(t.since())).toBe(0);
  });
});
