/**
 * Cycles: full reconciliation against the target, request economy when linking, dry runs and
 * plans, provisionOne, deprovisionAll and the scheduler.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDatastore } from '../../src/datastore/memory/InMemoryDatastore';
import type { ProvisioningTarget } from '../../src/engine/target';
import { count, type Harness, harness, memberIds, person, USER_MAPPING, writes } from './helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(options: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  h = await harness(options);
  return h;
}

/** The SCIM user the engine writes for `person(index)`. */
function mappedPerson(index: number): Record<string, unknown> {
  return {
    userName: `user${index}`,
    displayName: `User ${index}`,
    name: { givenName: 'User', familyName: `Number${index}` },
    title: 'Engineer',
    emails: [{ type: 'work', value: `user${index}@example.com` }],
    externalId: `E${1000 + index}`,
    active: true,
  };
}

describe('full cycles reconcile the state against the target', () => {
  it('repairs deleted users, drifted attributes and status, from one listing and a read of the missing user', async () => {
    const t = await start({ users: [person(1), person(2), person(3), person(4)] });
    const engine = t.engine();
    await engine.sync();
    const users = t.usersByName();
    await t.client.users.delete(String(users.get('user1')?.id));
    const user2 = users.get('user2') as { id: string; userName: string };
    await t.client.users.replace(user2.id, { ...user2, title: 'Changed by hand' });
    const user3 = users.get('user3') as { id: string; userName: string };
    await t.client.users.replace(user3.id, { ...user3, active: false });

    t.mark();
    const incremental = await engine.sync();
    expect(incremental.mode).toBe('incremental');
    expect(t.since().totalRequests).toBe(0);

    const full = await engine.sync({ full: true });
    expect(full.mode).toBe('full');
    expect(full.users).toMatchObject({ created: 1, updated: 2, unchanged: 1, failed: 0 });
    const after = t.usersByName();
    expect(after.get('user1')).toMatchObject(mappedPerson(1));
    expect(after.get('user2')?.title).toBe('Engineer');
    expect(after.get('user3')?.active).toBe(true);
    const stats = t.since();
    // The drifted users are compared with the listing; the one missing from it is read by its id
    // (a listing can be short) and, answered 404, created again.
    expect(stats.byRoute['GET /Users/:id']).toBe(1);
    expect(stats.byRoute['GET /Users']).toBe(1);
    expect(writes(stats)).toBe(3);
  });

  it('sends only the listings when nothing changed, groups included', async () => {
    const t = await start({ users: Array.from({ length: 30 }, (_, index) => person(index)) });
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    t.datastore.addGroup({ id: 'g2', name: 'Empty' });
    const engine = t.engine();
    await engine.sync();
    t.mark();
    const report = await engine.sync({ full: true });
    expect(report.users.unchanged).toBe(30);
    expect(report.groups.unchanged).toBe(2);
    expect(t.since().byRoute).toEqual({ 'GET /Users': 1, 'GET /Groups': 1 });
  });

  it('runs a full cycle after the mapping or an option changed, so that the change reaches everyone', async () => {
    const t = await start({ users: [person(1), person(2)] });
    await t.engine().sync();
    expect((await t.engine().sync()).mode).toBe('incremental');
    const remapped = t.engine({
      mapping: { users: { ...USER_MAPPING, title: { from: 'title', transform: 'upper' } } },
    });
    const report = await remapped.sync();
    expect(report.mode).toBe('full');
    expect(report.users.updated).toBe(2);
    expect(t.usersByName().get('user2')?.title).toBe('ENGINEER');
    expect((await remapped.sync()).mode).toBe('incremental');
  });

  it('forgets a disabled user deleted in the target instead of re-creating it', async () => {
    const t = await start({ users: [person(1), person(2)] });
    const engine = t.engine();
    await engine.sync();
    t.datastore.disableUser('u1');
    await engine.sync();
    await t.client.users.delete(String(t.usersByName().get('user1')?.id));
    const report = await engine.sync({ full: true });
    expect(report.users.created).toBe(0);
    expect(report.warnings.map((warning) => warning.code)).toEqual(['missingInTarget']);
    expect(t.usersByName().has('user1')).toBe(false);
  });
});

describe('request economy when linking', () => {
  it('links 250 identical existing users with a listing and no write', async () => {
    const t = await start({ users: Array.from({ length: 250 }, (_, index) => person(index)) });
    for (let index = 0; index < 250; index += 1) t.server.addUser(mappedPerson(index));
    const report = await t.engine().sync();
    expect(report.users).toMatchObject({ linked: 250, created: 0 });
    const stats = t.since();
    expect(writes(stats)).toBe(0);
    expect(stats.byRoute['GET /Users']).toBe(3);
    expect(stats.totalRequests).toBeLessThanOrEqual(8);
  });

  it('lists a small target once for a batch of new users instead of one lookup each', async () => {
    const t = await start({ users: [person(0)] });
    for (let index = 100; index < 350; index += 1) t.server.addUser({ userName: `other${index}` });
    const engine = t.engine();
    await engine.sync();
    for (let index = 1; index <= 20; index += 1) t.datastore.addUser(person(index));
    t.server.addUser({ userName: 'user20' });
    t.mark();
    const report = await engine.sync();
    expect(report.users).toMatchObject({ created: 19, linked: 1 });
    const stats = t.since();
    // One `count=1` request sizes the target, then three pages list it: 4 reads, not 20 lookups.
    expect(stats.byRoute['GET /Users']).toBe(4);
    expect(stats.byRoute['POST /Users']).toBe(19);
  });

  it('looks a few new users up one by one in a large target', async () => {
    const t = await start({ users: [person(0)] });
    for (let index = 100; index < 1100; index += 1) t.server.addUser({ userName: `other${index}` });
    const engine = t.engine();
    await engine.sync({ allowRemovals: true });
    t.datastore.addUser(person(1));
    t.datastore.addUser(person(2));
    t.mark();
    const report = await engine.sync();
    expect(report.users.created).toBe(2);
    // One page within the budget, then one filtered lookup per user (plus the client's one-off
    // case-sensitivity check, two requests): far from an 11-page listing.
    expect(t.since().byRoute['GET /Users']).toBeLessThanOrEqual(1 + 2 + 2);
  });

  it('looks new users up without listing when the state already knows the target is large', async () => {
    const t = await start({ users: Array.from({ length: 250 }, (_, index) => person(index)) });
    const engine = t.engine();
    await engine.sync();
    t.datastore.addUser(person(1000));
    t.datastore.addUser(person(1001));
    const urls: string[] = [];
    t.client.on('request', (event) => urls.push(decodeURIComponent(event.url)));
    expect((await engine.sync()).users.created).toBe(2);
    // 250 provisioned users make a 3-page listing: two lookups are cheaper, and no page is read.
    expect(urls.filter((url) => url.includes('count=100'))).toEqual([]);
    expect(urls.filter((url) => /filter=userName eq "user100[01]"/.test(url))).toHaveLength(2);
  });

  it('uses a count when the target offers one, to choose lookups', async () => {
    const t = await start({ users: [person(0)] });
    for (let index = 100; index < 1100; index += 1) t.server.addUser({ userName: `other${index}` });
    let counted = 0;
    const client = t.client;
    const target: ProvisioningTarget = {
      baseUrl: client.baseUrl,
      groups: client.groups,
      discover: (options) => client.discover(options),
      users: {
        create: (user, options) => client.users.create(user, options),
        get: (id, options) => client.users.get(id, options),
        replace: (id, user, options) => client.users.replace(id, user, options),
        delete: (id, options) => client.users.delete(id, options),
        findByUserName: (userName, options) => client.users.findByUserName(userName, options),
        list: (options) => client.users.list(options),
        count: async () => {
          counted += 1;
          const response = await fetch(`${client.baseUrl}/Users?count=1`);
          return ((await response.json()) as { totalResults: number }).totalResults;
        },
      },
    };
    const engine = t.engine({ client: target });
    await engine.sync();
    for (let index = 1; index <= 5; index += 1) t.datastore.addUser(person(index));
    t.mark();
    expect((await engine.sync()).users.created).toBe(5);
    expect(counted).toBe(1);
    // The count (1) and five lookups (plus the client's one-off case-sensitivity check, two
    // requests); an 11-page listing would have cost more.
    expect(t.since().byRoute['GET /Users']).toBe(1 + 5 + 2);
  });
});

describe('dry runs and plans', () => {
  it('plan() lists exactly what sync() then does, and writes nothing', async () => {
    const t = await start({ users: [person(1), person(2), person(3), person(4)] });
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    const engine = t.engine({ users: { removeAction: 'delete' } });
    await engine.sync();
    t.datastore.updateUser('u1', { attributes: { title: 'Lead' } });
    t.datastore.disableUser('u2');
    t.datastore.addUser(person(5));
    t.datastore.removeUser('u3');
    t.datastore.addGroup({ id: 'g2', name: 'New', memberIds: ['u5', 'u4'] });
    t.datastore.updateGroup('g1', { name: 'Personnel', memberIds: ['u1', 'u4'] });
    t.server.addUser({ userName: 'user4-unrelated' });

    t.mark();
    const plan = await engine.plan();
    const dry = await engine.sync({ dryRun: true });
    expect(writes(t.since())).toBe(0);
    expect(dry.dryRun).toBe(true);

    const applied: string[] = [];
    engine.on('userOperation', (event) => applied.push(`user ${event.op} ${event.sourceId}`));
    engine.on('groupOperation', (event) => applied.push(`group ${event.op} ${event.sourceId}`));
    const report = await engine.sync();
    const planned = [
      ...plan.users.map((operation) => `user ${operation.op} ${operation.sourceId}`),
      ...plan.groups.map((operation) => `group ${operation.op} ${operation.sourceId}`),
    ];
    expect(applied.sort()).toEqual(planned.sort());
    expect(planned.sort()).toEqual([
      'group create g2',
      'group members g1',
      'group rename g1',
      'user create u5',
      'user delete u2',
      'user delete u3',
      'user update u1',
    ]);
    expect(dry.users).toEqual(report.users);
    expect(dry.groups).toEqual(report.groups);
    expect(dry.skipped).toEqual(report.skipped);
    expect(report.watermarkAdvanced).toBe(true);
    expect(dry.watermarkAdvanced).toBe(false);
  });

  it('the dryRun option makes every cycle a dry run', async () => {
    const t = await start({ users: [person(1)] });
    const report = await t.engine({ dryRun: true }).sync();
    expect(report).toMatchObject({ dryRun: true, users: { created: 1 } });
    expect(writes(t.since())).toBe(0);
    expect(t.server.snapshot().users).toEqual([]);
  });
});

describe('provisionOne and deprovisionAll', () => {
  it('provisionOne provisions one user on demand, and removes one that left', async () => {
    const t = await start({ users: [person(1), person(2), person(3)] });
    const engine = t.engine();
    const report = await engine.provisionOne('u2');
    expect(report).toMatchObject({ mode: 'single', users: { created: 1 } });
    expect([...t.usersByName().keys()]).toEqual(['user2']);
    t.datastore.updateUser('u2', { attributes: { title: 'Lead' } });
    expect((await engine.provisionOne('u2')).users.updated).toBe(1);
    t.datastore.removeUser('u2');
    expect((await engine.provisionOne('u2')).users.disabled).toBe(1);
    expect(t.usersByName().get('user2')?.active).toBe(false);
    // The others are left to the next cycle.
    expect((await engine.sync()).users.created).toBe(2);
  });

  it('deprovisionAll disables (or deletes) every provisioned user and deletes every group', async () => {
    const t = await start({ users: [person(1), person(2)] });
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] });
    const foreign = t.server.addUser({ userName: 'not-ours' });
    const engine = t.engine();
    await engine.sync();
    const report = await engine.deprovisionAll();
    expect(report.users.disabled).toBe(2);
    expect(report.groups.deleted).toBe(1);
    const users = t.usersByName();
    expect(users.get('user1')?.active).toBe(false);
    expect(users.get('user2')?.active).toBe(false);
    expect(t.server.getUser(String(foreign.id))?.active).toBeUndefined();
    expect(t.groupsByName().size).toBe(0);

    const deleting = t.engine({ users: { removeAction: 'delete' } });
    expect((await deleting.deprovisionAll()).users.deleted).toBe(2);
    expect([...t.usersByName().keys()]).toEqual(['not-ours']);
  });
});

describe('scheduler', () => {
  it('runs cycles on a schedule, never two at once, and stop() waits for the one in flight', async () => {
    const datastore = new InMemoryDatastore({ users: [person(1)] });
    const t = await start({ datastore });
    const engine = t.engine();
    let running = 0;
    let overlap = false;
    let ends = 0;
    engine.on('cycleStart', () => {
      running += 1;
      if (running > 1) overlap = true;
    });
    const enough = new Promise<void>((resolve) => {
      engine.on('cycleEnd', () => {
        running -= 1;
        ends += 1;
        datastore.addUser(person(100 + ends));
        if (ends === 3) resolve();
      });
    });
    expect(() => engine.start(0)).toThrow(/intervalMs/);
    engine.start(10);
    expect(() => engine.start(10)).toThrow(/twice/);
    // A manual call while the schedule runs is queued, not run alongside.
    const manual = engine.sync();
    await Promise.race([
      enough,
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 10_000)),
    ]);
    await manual;
    await engine.stop();
    const endsAtStop = ends;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ends).toBe(endsAtStop);
    expect(running).toBe(0);
    expect(overlap).toBe(false);
    expect(t.server.snapshot().users.length).toBeGreaterThanOrEqual(3);
  });
});

describe('request counting', () => {
  it('counts every request a cycle sends in report.requests', async () => {
    const t = await start({ users: [person(1), person(2)] });
    t.datastore.addGroup({ id: 'g1', name: 'Staff', memberIds: ['u1'] });
    const report = await t.engine({ mapping: { users: USER_MAPPING } }).sync();
    expect(report.requests).toBe(t.since().totalRequests);
    expect(count(t.since(), 'POST')).toBe(3);
    expect(memberIds(t.groupsByName().get('Staff'))).toHaveLength(1);
  });
});
