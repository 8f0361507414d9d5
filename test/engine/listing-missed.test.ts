/**
 * A full cycle whose target listing leaves out provisioned objects (a target that lists short or
 * lies): each is read by its id before anything is created again, so that a target without
 * unique names does not get a second account.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ScimClient } from '../../src/client/ScimClient';
import type { EngineWarning } from '../../src/engine/operations';
import { count, type Harness, harness, person } from './helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The harness's client, but whose user and group listings hold nothing. */
function emptyListings(client: ScimClient): ScimClient {
  const empty = async function* () {};
  const wrap = <T extends object>(resource: T): T =>
    new Proxy(resource, {
      get: (target, key, receiver) => (key === 'list' ? empty : Reflect.get(target, key, receiver)),
    });
  return new Proxy(client, {
    get: (target, key, receiver) => {
      if (key === 'users') return wrap(target.users);
      if (key === 'groups') return wrap(target.groups);
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('a full listing that leaves out provisioned objects', () => {
  it('creates nothing again: each is read by its id, linked, and reported', async () => {
    h = await harness({ users: [person(1), person(2), person(3)] });
    h.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    await h.engine().sync();
    const before = h.server.snapshot();
    h.mark();

    const warnings: EngineWarning[] = [];
    const engine = h.engine({ client: emptyListings(h.client) });
    engine.on('warning', (warning) => warnings.push(warning));
    const report = await engine.sync({ full: true });

    expect(count(h.since(), 'POST')).toBe(0);
    expect(count(h.since(), 'DELETE')).toBe(0);
    expect(report.users.created).toBe(0);
    expect(h.server.snapshot().users).toEqual(before.users);
    expect(h.server.snapshot().groups.map((group) => group.id)).toEqual(
      before.groups.map((group) => group.id),
    );
    expect(warnings.filter((warning) => warning.code === 'listingMissedObject')).toHaveLength(4);
  });

  it('still re-creates a user the target really lost (404 by its id)', async () => {
    h = await harness({ users: [person(1), person(2)] });
    await h.engine().sync();
    const lost = h.usersByName().get('user2');
    await h.client.users.delete(String(lost?.id));
    h.mark();
    const report = await h.engine({ client: emptyListings(h.client) }).sync({ full: true });
    expect(report.users.created).toBe(1);
    expect(count(h.since(), 'POST')).toBe(1);
    expect([...h.usersByName().keys()].sort()).toEqual(['user1', 'user2']);
  });
});
