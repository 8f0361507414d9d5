/**
 * User provisioning end to end: InMemoryDatastore -> ProvisioningEngine -> ScimTestServer over
 * loopback HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDatastore } from '../../src/datastore/memory/InMemoryDatastore';
import type { ObjectOperationEvent } from '../../src/engine/events';
import { isMappingError } from '../../src/engine/mapping/MappingError';
import { count, type Harness, harness, person, USER_MAPPING, writes } from './helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(options: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  h = await harness(options);
  return h;
}

describe('initial provisioning', () => {
  it('creates every user with its mapped attributes: N POSTs and a handful of GETs', async () => {
    const users = Array.from({ length: 25 }, (_, index) => person(index));
    const t = await start({ users });
    const report = await t.engine().sync();

    expect(report.mode).toBe('full');
    expect(report.users.created).toBe(25);
    expect(report.failures).toEqual([]);
    const stats = t.since();
    expect(stats.byRoute['POST /Users']).toBe(25);
    expect(writes(stats)).toBe(25);
    expect(count(stats, 'GET')).toBeLessThanOrEqual(6);
    expect(report.requests).toBe(stats.totalRequests);

    const user7 = t.usersByName().get('user7');
    expect(user7).toMatchObject({
      userName: 'user7',
      displayName: 'User 7',
      name: { givenName: 'User', familyName: 'Number7' },
      title: 'Engineer',
      externalId: 'E1007',
      active: true,
    });
    expect(user7?.emails).toEqual([{ type: 'work', value: 'user7@example.com' }]);
  });

  it('sends no request at all in a cycle with no change', async () => {
    const t = await start({ users: [person(1), person(2)] });
    const engine = t.engine();
    await engine.sync();
    t.mark();
    const report = await engine.sync();
    expect(report.mode).toBe('incremental');
    expect(t.since().totalRequests).toBe(0);
    expect(report.requests).toBe(0);
    expect(report.users.created + report.users.updated).toBe(0);
  });

  it('also sends nothing from a new engine (a restarted process) when nothing changed', async () => {
    const t = await start({ users: [person(1), person(2)] });
    await t.engine().sync();
    t.mark();
    await t.engine().sync();
    expect(t.since().totalRequests).toBe(0);
  });

  it('links existing target users by userName instead of creating them', async () => {
    const t = await start({ users: [person(1), person(2)] });
    const existing = t.server.addUser({ userName: 'USER1', displayName: 'Old name', nickName: 'kept' });
    const report = await t.engine().sync();
    expect(report.users).toMatchObject({ linked: 1, created: 1 });
    expect(t.since().byRoute['POST /Users']).toBe(1);
    const linked = t.server.getUser(String(existing.id));
    // Linked, then written: mapped attributes replaced, unmapped ones kept.
    expect(linked).toMatchObject({ displayName: 'User 1', nickName: 'kept', active: true });
    expect(t.server.snapshot().users).toHaveLength(2);
  });
});

describe('updates', () => {
  it('updates only when a mapped attribute changed, with a PUT that keeps unmapped attributes', async () => {
    const t = await start({ users: [person(1), person(2)] });
    const engine = t.engine();
    await engine.sync();
    const target = t.usersByName().get('user1') as Record<string, unknown>;
    await t.client.users.replace(String(target.id), { ...(target as { userName: string }), nickName: 'Bee' });

    t.datastore.updateUser('u2', { attributes: { description: 'not mapped' } });
    t.mark();
    const unmappedChange = await engine.sync();
    expect(unmappedChange.users.updated).toBe(0);
    expect(writes(t.since())).toBe(0);

    t.datastore.updateUser('u1', { attributes: { title: 'Manager' } });
    t.mark();
    const report = await engine.sync();
    expect(report.users.updated).toBe(1);
    expect(t.since().byRoute['PUT /Users/:id']).toBe(1);
    expect(writes(t.since())).toBe(1);
    expect(t.usersByName().get('user1')).toMatchObject({ title: 'Manager', nickName: 'Bee' });
  });

  it('clears an emptied attribute with null on a target that accepts it (RFC 7643 2.5)', async () => {
    const t = await start({ users: [person(1)] });
    const engine = t.engine();
    const warnings: string[] = [];
    engine.on('warning', (warning) => warnings.push(warning.code));
    await engine.sync();
    t.datastore.updateUser('u1', { attributes: { title: null, mail: null } });
    t.mark();
    expect((await engine.sync()).users).toMatchObject({ updated: 1, failed: 0 });
    const user = t.usersByName().get('user1');
    expect(user?.title ?? undefined).toBeUndefined();
    expect(user?.emails ?? []).toEqual([]);
    expect(warnings).toEqual([]);
    expect(t.since().byRoute['PUT /Users/:id']).toBe(1);
  });

  it('clears in the target an attribute emptied in the source', async () => {
    const t = await start({ users: [person(1), person(2)], server: { nullValues: 'reject' } });
    const engine = t.engine();
    const warnings: string[] = [];
    engine.on('warning', (warning) => warnings.push(warning.code));
    await engine.sync();
    t.datastore.updateUser('u1', { attributes: { title: null, mail: null } });
    const report = await engine.sync();
    expect(report.users).toMatchObject({ updated: 1, failed: 0 });
    const user = t.usersByName().get('user1');
    expect(user?.title ?? undefined).toBeUndefined();
    expect(user?.emails ?? []).toEqual([]);
    // This (strict) target refuses `null` in a PUT: the engine clears by omission from then on.
    expect(warnings).toEqual(['nullRejected']);
    t.datastore.updateUser('u2', { attributes: { title: null } });
    t.mark();
    expect((await engine.sync()).users.updated).toBe(1);
    expect(t.since().byRoute['PUT /Users/:id']).toBe(1);
    expect(t.usersByName().get('user2')?.title ?? undefined).toBeUndefined();
  });

  it('re-creates a user deleted in the target (404 on update) when creates are on', async () => {
    const t = await start({ users: [person(1)] });
    const engine = t.engine();
    await engine.sync();
    const before = t.usersByName().get('user1');
    await t.client.users.delete(String(before?.id));
    t.datastore.updateUser('u1', { attributes: { title: 'Lead' } });
    const report = await engine.sync();
    expect(report.users.created).toBe(1);
    expect(report.failures).toEqual([]);
    const after = t.usersByName().get('user1');
    expect(after?.id).not.toBe(before?.id);
    expect(after?.title).toBe('Lead');
    // The state follows the new id: the next change is an update, not another create.
    t.datastore.updateUser('u1', { attributes: { title: 'Head' } });
    expect((await engine.sync()).users).toMatchObject({ updated: 1, created: 0 });
  });
});

describe('removals', () => {
  it("disables a user disabled in the source (removeAction 'disable') and re-enables it", async () => {
    const t = await start({ users: [person(1), person(2)] });
    const engine = t.engine();
    await engine.sync();
    t.datastore.disableUser('u1');
    const disabled = await engine.sync();
    expect(disabled.users.disabled).toBe(1);
    expect(t.usersByName().get('user1')?.active).toBe(false);
    expect(t.usersByName().get('user2')?.active).toBe(true);

    t.datastore.enableUser('u1');
    const enabled = await engine.sync();
    expect(enabled.users.enabled).toBe(1);
    expect(t.usersByName().get('user1')?.active).toBe(true);
  });

  it("deletes a user disabled in the source (removeAction 'delete') and never re-creates it", async () => {
    const t = await start({ users: [person(1), person(2)] });
    const engine = t.engine({ users: { removeAction: 'delete', provisionDisabled: true } });
    await engine.sync();
    t.datastore.disableUser('u1');
    expect((await engine.sync()).users.deleted).toBe(1);
    expect(t.usersByName().has('user1')).toBe(false);
    // PingFederate re-creates it here (provisionDisabled); the engine does not, in either mode.
    t.mark();
    expect((await engine.sync()).users.created).toBe(0);
    expect((await engine.sync({ full: true })).users.created).toBe(0);
    expect(t.since().byRoute['POST /Users']).toBeUndefined();
    expect(t.usersByName().has('user1')).toBe(false);
  });

  it('removes users deleted from the source, per removeAction', async () => {
    for (const removeAction of ['disable', 'delete'] as const) {
      const t = await start({ users: [person(1), person(2)] });
      const engine = t.engine({ users: { removeAction } });
      await engine.sync();
      t.datastore.removeUser('u1');
      const report = await engine.sync();
      if (removeAction === 'disable') {
        expect(report.users.disabled).toBe(1);
        expect(t.usersByName().get('user1')?.active).toBe(false);
      } else {
        expect(report.users.deleted).toBe(1);
        expect(t.usersByName().has('user1')).toBe(false);
      }
      // Done once: the next cycle has nothing to remove.
      t.mark();
      await engine.sync();
      expect(writes(t.since())).toBe(0);
      await t.close();
      h = undefined;
    }
  });

  it('removes users that leave the scope (a filter or group), and restores those that come back', async () => {
    const datastore = new InMemoryDatastore({
      users: [person(1), person(2)],
      userScope: (user) => user.attributes.title !== 'Contractor',
    });
    const t = await start({ datastore });
    const engine = t.engine();
    await engine.sync();
    datastore.updateUser('u2', { attributes: { title: 'Contractor' } });
    expect((await engine.sync()).users.disabled).toBe(1);
    expect(t.usersByName().get('user2')?.active).toBe(false);
    datastore.updateUser('u2', { attributes: { title: 'Engineer' } });
    expect((await engine.sync()).users.enabled).toBe(1);
    expect(t.usersByName().get('user2')).toMatchObject({ active: true, title: 'Engineer' });
  });
});

describe('provisionDisabled', () => {
  it('off (default): a disabled source user is not created', async () => {
    const t = await start({ users: [person(1), person(2, { disabled: true })] });
    const report = await t.engine().sync();
    expect(report.users.created).toBe(1);
    expect(t.usersByName().has('user2')).toBe(false);
  });

  it('on: a disabled source user is created inactive, and only then', async () => {
    const t = await start({ users: [person(1), person(2, { disabled: true })] });
    const engine = t.engine({ users: { provisionDisabled: true } });
    const report = await engine.sync();
    expect(report.users.created).toBe(2);
    expect(t.usersByName().get('user2')?.active).toBe(false);
    expect(t.usersByName().get('user1')?.active).toBe(true);
    t.datastore.enableUser('u2');
    expect((await engine.sync()).users.enabled).toBe(1);
    expect(t.usersByName().get('user2')?.active).toBe(true);
  });
});

describe('toggles', () => {
  it('users.create off: new users are skipped, existing ones still linked', async () => {
    const t = await start({ users: [person(1), person(2)] });
    t.server.addUser({ userName: 'user2' });
    const report = await t.engine({ users: { create: false } }).sync();
    expect(report.users).toMatchObject({ created: 0, linked: 1, skipped: 1 });
    expect(report.skipped).toEqual([
      { kind: 'user', op: 'create', sourceId: 'u1', because: 'users.create is off' },
    ]);
    expect(t.since().byRoute['POST /Users']).toBeUndefined();
  });

  it('users.update off: changes and re-enables are skipped', async () => {
    const t = await start({ users: [person(1), person(2)] });
    await t.engine().sync();
    const engine = t.engine({ users: { update: false } });
    t.datastore.disableUser('u2');
    await engine.sync();
    t.datastore.updateUser('u1', { attributes: { title: 'Manager' } });
    t.datastore.enableUser('u2');
    t.mark();
    const report = await engine.sync();
    expect(report.users).toMatchObject({ updated: 0, enabled: 0, skipped: 2 });
    expect(writes(t.since())).toBe(0);
    expect(t.usersByName().get('user1')?.title).toBe('Engineer');
  });

  it('users.disable off: disables are skipped; users.delete off: deletes are skipped', async () => {
    const t = await start({ users: [person(1), person(2)] });
    await t.engine().sync();
    t.datastore.disableUser('u1');
    t.datastore.removeUser('u2');
    t.mark();
    const noDisable = await t.engine({ users: { disable: false } }).sync();
    expect(noDisable.users).toMatchObject({ disabled: 0, skipped: 2 });
    expect(writes(t.since())).toBe(0);
    const noDelete = await t.engine({ users: { removeAction: 'delete', delete: false } }).sync();
    expect(noDelete.users).toMatchObject({ deleted: 0, skipped: 2 });
    expect(writes(t.since())).toBe(0);
    expect(t.server.snapshot().users.every((user) => user.active === true)).toBe(true);
  });
});

describe('matching', () => {
  it('links by a filter template (\'externalId eq "{employeeNumber}"\')', async () => {
    const t = await start({ users: [person(1), person(2)] });
    const existing = t.server.addUser({ userName: 'legacy-name', externalId: 'E1002' });
    const report = await t.engine({ match: { users: 'externalId eq "{employeeNumber}"' } }).sync();
    expect(report.users).toMatchObject({ linked: 1, created: 1 });
    expect(t.server.getUser(String(existing.id))?.userName).toBe('user2');
  });

  it("links by work email ('emails.work'), and links on a 409 when the userName is taken", async () => {
    const t = await start({ users: [person(1), person(2)] });
    const byEmail = t.server.addUser({
      userName: 'someone',
      emails: [{ type: 'work', value: 'USER1@example.com' }],
    });
    const byName = t.server.addUser({
      userName: 'user2',
      emails: [{ type: 'home', value: 'x@example.org' }],
    });
    const report = await t.engine({ match: { users: 'emails.work' } }).sync();
    expect(report.users).toMatchObject({ linked: 2, created: 0, failed: 0 });
    expect(t.server.snapshot().users).toHaveLength(2);
    expect(t.server.getUser(String(byEmail.id))?.userName).toBe('user1');
    expect(t.server.getUser(String(byName.id))?.emails).toEqual([
      { type: 'home', value: 'x@example.org' },
      { type: 'work', value: 'user2@example.com' },
    ]);
  });
});

describe("the target's schemas", () => {
  const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
  const mapping = { ...USER_MAPPING, [`${ACME}:costCenter`]: 'departmentNumber' };

  it('writes a custom extension attribute the target publishes', async () => {
    const t = await start({
      users: [person(1, { attributes: { ...person(1).attributes, departmentNumber: 'CC-42' } })],
      server: {
        schemaExtensions: [
          {
            resourceType: 'User',
            schema: {
              id: ACME,
              name: 'AcmeUser',
              attributes: [
                {
                  name: 'costCenter',
                  type: 'string',
                  multiValued: false,
                  required: false,
                  caseExact: false,
                  mutability: 'readWrite',
                  returned: 'default',
                  uniqueness: 'none',
                },
              ],
            },
          },
        ],
      },
    });
    const report = await t.engine({ mapping: { users: mapping } }).sync();
    expect(report.failures).toEqual([]);
    expect(t.usersByName().get('user1')?.[ACME]).toEqual({ costCenter: 'CC-42' });
  });

  it('refuses, before anything is written, a mapping to an attribute the target does not have', async () => {
    const t = await start({ users: [person(1), person(2)] });
    let thrown: unknown;
    try {
      await t.engine({ mapping: { users: mapping } }).sync();
    } catch (error) {
      thrown = error;
    }
    expect(isMappingError(thrown) && thrown.code).toBe('unknownSchema');
    expect(writes(t.since())).toBe(0);
  });
});

describe('events', () => {
  it('reports each operation with before and after, and never a password', async () => {
    const t = await start({ users: [person(1)] });
    t.server.addUser({ userName: 'user1', password: 'S3cret!pass' });
    const engine = t.engine();
    const operations: ObjectOperationEvent[] = [];
    const phases = new Set<string>();
    let ends = 0;
    engine.on('userOperation', (event) => operations.push(event));
    engine.on('progress', (event) => phases.add(event.phase));
    engine.on('cycleEnd', () => {
      ends += 1;
    });
    engine.on('userOperation', () => {
      throw new Error('a failing listener does not fail the cycle');
    });
    await engine.sync();
    expect(operations.map((event) => event.op)).toEqual(['link']);
    expect(operations[0]?.after).toMatchObject({ userName: 'user1', displayName: 'User 1' });
    expect(JSON.stringify(operations)).not.toContain('S3cret');
    expect(phases).toContain('users');
    expect(ends).toBe(1);
  });
});
