/**
 * Incremental cycles and the groups the directory does not report: a user provisioned for the
 * first time may have been a member of an untouched group all along. Such users make the cycle
 * read the groups; updates of provisioned users do not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness, memberIds, person } from './helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Counts the datastore's full group reads. */
function countGroupReads(t: Harness): { reads: number } {
  const counter = { reads: 0 };
  const original = t.datastore.groups.bind(t.datastore);
  t.datastore.groups = (options) => {
    counter.reads += 1;
    return original(options);
  };
  return counter;
}

describe('incremental cycles and untouched groups', () => {
  it('a user enabled after being disabled joins the group it was in, which the directory did not report', async () => {
    h = await harness({ users: [person(1), person(2, { disabled: true })] });
    h.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    await h.engine().sync();
    expect(memberIds(h.groupsByName().get('Staff'))).toHaveLength(1);

    h.datastore.enableUser('u2');
    const report = await h.engine().sync();
    expect(report.mode).toBe('incremental');
    const users = h.usersByName();
    expect(memberIds(h.groupsByName().get('Staff'))).toEqual(
      [String(users.get('user1')?.id), String(users.get('user2')?.id)].sort(),
    );
  });

  it('an incremental cycle that only updates provisioned users reads no group', async () => {
    h = await harness({ users: [person(1), person(2)] });
    h.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    await h.engine().sync();
    const counter = countGroupReads(h);
    h.datastore.updateUser('u1', { attributes: { title: 'Director' } });
    const report = await h.engine().sync();
    expect(report.mode).toBe('incremental');
    expect(report.users.updated).toBe(1);
    expect(counter.reads).toBe(0);
  });

  it('a new user makes the cycle read the groups, and joins an untouched one it is in', async () => {
    h = await harness({ users: [person(1)] });
    h.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u3'] });
    await h.engine().sync();
    const counter = countGroupReads(h);
    // u3 was listed as a member before the user existed: the group does not change when it arrives.
    h.datastore.addUser(person(3));
    await h.engine().sync();
    expect(counter.reads).toBe(1);
    expect(memberIds(h.groupsByName().get('Staff'))).toHaveLength(2);
  });
});
