/**
 * The planner on its own: pure, and the decision table of what a source user should be.
 */
import { describe, expect, it } from 'vitest';
import type { SourceUser } from '../../src/datastore/types';
import { compileMapping } from '../../src/engine/mapping/compile';
import { mapUser } from '../../src/engine/mapping/map';
import { userMatcher } from '../../src/engine/match';
import { desiredUser, planUsers, type UserPlanInput } from '../../src/engine/planner';
import { createProvisioningState } from '../../src/engine/state/types';
import type { TargetUser } from '../../src/engine/target';
import { TargetIndex } from '../../src/engine/target-index';
import { USER_MAPPING } from './helpers';

const defaults = {
  create: true,
  update: true,
  disable: true,
  delete: true,
  removeAction: 'disable',
  provisionDisabled: false,
} as const;

describe('desiredUser', () => {
  it.each([
    // disabled, provisioned, removeAction, provisionDisabled -> desired
    [false, false, 'disable', false, 'active'],
    [false, true, 'delete', false, 'active'],
    [true, true, 'disable', false, 'inactive'],
    [true, false, 'disable', false, 'absent'],
    [true, false, 'disable', true, 'inactive'],
    [true, true, 'delete', false, 'absent'],
    [true, false, 'delete', true, 'absent'],
  ] as const)(
    'disabled=%s provisioned=%s %s provisionDisabled=%s -> %s',
    (disabled, provisioned, removeAction, provisionDisabled, expected) => {
      expect(desiredUser({ disabled }, provisioned, { ...defaults, removeAction, provisionDisabled })).toBe(
        expected,
      );
    },
  );
});

describe('planUsers', () => {
  const compiled = compileMapping(USER_MAPPING);
  const source = (id: string, uid: string, disabled = false): SourceUser => ({
    id,
    disabled,
    attributes: { uid, cn: uid.toUpperCase(), mail: `${uid}@example.com` },
  });

  function input(): UserPlanInput {
    const state = createProvisioningState({ id: 't' });
    const users = [source('a', 'alice'), source('b', 'bob'), source('c', 'carol', true), source('d', 'dave')];
    const mapped = new Map(users.map((user) => [user.id, mapUser(compiled, user)]));
    state.users.set('b', {
      targetId: 'tb',
      userName: 'bob',
      hash: 'stale',
      status: 'active',
      createdAt: 1,
      updatedAt: 1,
    });
    state.users.set('c', {
      targetId: 'tc',
      userName: 'carol',
      hash: mapped.get('c')?.hash ?? '',
      status: 'active',
      createdAt: 1,
      updatedAt: 1,
    });
    state.users.set('gone', {
      targetId: 'tg',
      userName: 'gone',
      hash: 'h',
      status: 'active',
      createdAt: 1,
      updatedAt: 1,
    });
    const listing = new TargetIndex<TargetUser>();
    for (const user of [
      { id: 'tb', userName: 'bob' },
      { id: 'tc', userName: 'carol' },
      { id: 'tg', userName: 'gone' },
      { id: 'td', userName: 'DAVE' },
    ]) {
      listing.add(user, [user.userName.toLowerCase()]);
    }
    listing.complete = true;
    return {
      state,
      users: new Map(users.map((user) => [user.id, user])),
      removed: ['gone'],
      mapped,
      options: defaults,
      matcher: userMatcher({ kind: 'userName' }),
      compiled,
      listing,
      lookups: new Map(),
    };
  }

  it('plans creates, links, updates and removals, upserts before removals', () => {
    const plan = planUsers(input());
    expect(plan.upserts.map((operation) => `${operation.op} ${operation.sourceId}`)).toEqual([
      'create a',
      'update b',
      'link d',
    ]);
    expect(
      plan.removals.map(
        (operation) =>
          `${operation.op} ${operation.sourceId} ${'reason' in operation ? operation.reason : ''}`,
      ),
    ).toEqual(['disable c disabled', 'disable gone removed']);
  });

  it('is pure: the same input gives the same plan, and the input is not modified', () => {
    const given = input();
    const before = JSON.stringify([...given.state.users], null, 0);
    const first = planUsers(given);
    const second = planUsers(given);
    expect(second).toEqual(first);
    expect(JSON.stringify([...given.state.users], null, 0)).toBe(before);
    expect(given.state.pending.users.size).toBe(0);
  });
});
