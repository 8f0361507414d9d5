/**
 * A target that silently drops a mapped attribute (answers a POST or PUT without it): the engine
 * learns it does not retain it, warns once, and full cycles stop seeing it as drift.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineWarning } from '../../src/engine/operations';
import { type Harness, harness, person, writes } from './helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A harness whose client strips `title` from every user it creates or replaces (the target never sees it). */
async function droppingTitle(): Promise<Harness> {
  h = await harness({ users: [person(1), person(2)] });
  const users = h.client.users;
  const create = users.create.bind(users);
  const replace = users.replace.bind(users);
  const strip = <T extends Record<string, unknown>>(user: T): T => {
    const { title: _dropped, ...rest } = user;
    return rest as T;
  };
  users.create = (user, options) => create(strip(user), options);
  users.replace = (id, user, options) => replace(id, strip(user), options);
  return h;
}

describe('attributes the target does not retain', () => {
  it('warns once, naming the path and no value, and full cycles then converge', async () => {
    const t = await droppingTitle();
    const engine = t.engine();
    const warnings: EngineWarning[] = [];
    engine.on('warning', (warning) => warnings.push(warning));
    const first = await engine.sync();
    expect(first.users.created).toBe(2);
    const notRetained = warnings.filter((warning) => warning.code === 'attributeNotRetained');
    expect(notRetained).toHaveLength(1);
    expect(notRetained[0]?.message).toContain('title');
    expect(notRetained[0]?.message).not.toContain('Engineer');
    expect(t.usersByName().get('user1')?.title).toBeUndefined();

    t.mark();
    const full = await engine.sync({ full: true });
    expect(full.users).toMatchObject({ updated: 0, failed: 0 });
    expect(writes(t.since())).toBe(0);
    expect(warnings.filter((warning) => warning.code === 'attributeNotRetained')).toHaveLength(1);
  });

  it('still compares the attributes the target keeps, and still writes source changes', async () => {
    const t = await droppingTitle();
    const engine = t.engine();
    await engine.sync();
    // Drift in a retained attribute is repaired by a full cycle.
    const target = t.usersByName().get('user2');
    await t.client.users.replace(String(target?.id), {
      ...(target as Record<string, unknown>),
      userName: 'user2',
      displayName: 'Changed behind the engine',
    });
    expect((await engine.sync({ full: true })).users).toMatchObject({ updated: 1 });
    expect(t.usersByName().get('user2')?.displayName).toBe('User 2');
    // A source change is written as before.
    t.datastore.updateUser('u1', { attributes: { title: 'Lead', cn: 'User One' } });
    expect((await engine.sync()).users).toMatchObject({ updated: 1 });
    expect(t.usersByName().get('user1')?.displayName).toBe('User One');
  });

  it('a new engine (knowledge lost) rewrites once, learns, and converges on the next full cycle', async () => {
    const t = await droppingTitle();
    await t.engine().sync();
    const restarted = t.engine();
    expect((await restarted.sync({ full: true })).users.updated).toBe(2);
    t.mark();
    expect((await restarted.sync({ full: true })).users.updated).toBe(0);
    expect(writes(t.since())).toBe(0);
  });
});
