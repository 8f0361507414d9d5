/**
 * End to end, users: a real OpenLDAP (slapd, changed with the OpenLDAP tools) -> LdapDatastore ->
 * ProvisioningEngine -> ScimClient -> ScimTestServer over loopback HTTP. Initial provisioning, the
 * no-change cycle, attribute changes (and emptied attributes), renames, lookups of hostile names,
 * disable (both slapd status flags) with each remove action, re-enable, delete, a delete and re-add
 * with the same uid, leaving the scope, provisionDisabled, and each user toggle turned off.
 *
 * One slapd and one server for the file; each test seeds its own subtree (a small generated company)
 * and the server is emptied between tests. Expectations come from the generated company.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DisabledMarker, HOSTILE_USERS } from '../support/ldap/ldif';
import { expectedUser, groupsOf, memberIds, usersOf, workEmail, writesIn } from './support/pipeline';
import { type Scene, Stage } from './support/stage';

let stage: Stage;

beforeAll(async () => {
  stage = await Stage.open();
});
afterEach(() => stage?.reset());
afterAll(() => stage?.close());

/** The account status setting that reads `marker` (the LDAPv3 default reads pwdAccountLockedTime). */
function statusFor(marker: DisabledMarker) {
  return marker === 'nsAccountLock'
    ? { accountStatus: { algorithm: 'flag' as const, attribute: 'nsAccountLock', value: 'true' } }
    : {};
}

/** Uids of the generated users that are enabled in the directory. */
function enabledUids(scene: Scene): string[] {
  return scene.tenant.users.filter((user) => !user.disabled).map((user) => user.uid);
}

function targetUser(scene: Scene, uid: string): Record<string, unknown> | undefined {
  return usersOf(scene.server).get(uid);
}

describe('initial provisioning and quiet cycles', () => {
  it('creates every enabled user in scope with the LDAPv3 mapping, hostile names included: N POSTs and a handful of GETs', async () => {
    const scene = await stage.scene({ users: 20, hostile: true });
    const report = await scene.engine().sync();
    const enabled = scene.tenant.users.filter((user) => !user.disabled);
    expect(report.failures).toEqual([]);
    expect(report.mode).toBe('full');
    expect(report.users.created).toBe(enabled.length);
    const users = usersOf(scene.server);
    expect([...users.keys()].sort()).toEqual(enabled.map((user) => user.uid).sort());
    for (const user of enabled) {
      expect(users.get(user.uid), JSON.stringify(user.uid)).toMatchObject({
        ...expectedUser(user),
        active: true,
      });
    }
    // Disabled users are not created (provisionDisabled is off by default).
    expect(scene.tenant.users.some((user) => user.disabled)).toBe(true);
    const stats = scene.server.stats();
    expect(stats.byRoute['POST /Users']).toBe(enabled.length);
    expect(stats.byRoute['PUT /Users/:id']).toBeUndefined();
    // Discovery (3) and one listing per resource type: no lookup per user.
    expect(stats.byMethod.GET).toBeLessThanOrEqual(5);
  });

  it('sends no request in an incremental cycle with no change, and only the two listings in a full one', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    const first = await engine.sync();
    expect(first.failures).toEqual([]);
    scene.server.resetStats();
    const quiet = await engine.sync();
    expect(quiet.mode).toBe('incremental');
    expect(quiet.requests).toBe(0);
    expect(scene.server.stats().totalRequests).toBe(0);
    expect(quiet.users.unchanged).toBe(enabledUids(scene).length);
    expect(quiet.groups.unchanged).toBe(first.groups.created);
    const full = await engine.sync({ full: true });
    expect(full.mode).toBe('full');
    expect(full.users.unchanged).toBe(enabledUids(scene).length);
    expect(scene.server.stats().byRoute).toEqual({ 'GET /Users': 1, 'GET /Groups': 1 });
  });
});

describe('changes in the directory', () => {
  it('writes attributes changed with ldapmodify (one GET and one PUT each), clears emptied ones, keeps unmapped ones', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    const warnings: string[] = [];
    engine.on('warning', (warning) => warnings.push(warning.code));
    await engine.sync();
    const before = targetUser(scene, 'user00003');
    // Someone sets an attribute the mapping does not own: a PUT built from the target keeps it.
    await scene.client.users.patch(String(before?.id), [{ op: 'add', path: 'nickName', value: 'Eddie' }]);
    await scene.tenant.setAttribute('user00003', 'title', 'Director');
    await scene.tenant.setAttribute('user00005', 'mail', null);
    await scene.tenant.setAttribute('user00006', 'title', null);
    await scene.tenant.setAttribute('user00007', 'sn', 'Hopper-Turing');
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.users).toMatchObject({ updated: 4, created: 0, unchanged: enabledUids(scene).length - 4 });
    expect(scene.server.stats().byRoute).toEqual({ 'GET /Users/:id': 4, 'PUT /Users/:id': 4 });
    expect(targetUser(scene, 'user00003')).toMatchObject({
      id: before?.id,
      title: 'Director',
      nickName: 'Eddie',
    });
    expect(workEmail(targetUser(scene, 'user00005'))).toBeUndefined();
    expect(targetUser(scene, 'user00006')).not.toHaveProperty('title');
    expect(targetUser(scene, 'user00007')?.name).toEqual({
      givenName: scene.tenant.user('user00007').givenName,
      familyName: 'Hopper-Turing',
    });
    // The target clears on null (RFC 7643 section 2.5): no fallback to omission was needed.
    expect(warnings).toEqual([]);
    // Written once: the next cycle is quiet again.
    scene.server.resetStats();
    await engine.sync();
    expect(scene.server.stats().totalRequests).toBe(0);
  });

  it('creates a user added with ldapadd in an incremental cycle', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    await scene.tenant.addUser('newcomer', {
      givenName: 'New',
      sn: 'Comer',
      mail: 'newcomer@example.com',
      title: 'Intern',
    });
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.mode).toBe('incremental');
    expect(report.users.created).toBe(1);
    expect(targetUser(scene, 'newcomer')).toMatchObject({
      active: true,
      title: 'Intern',
      name: { givenName: 'New', familyName: 'Comer' },
      emails: [{ type: 'work', value: 'newcomer@example.com' }],
    });
    expect(scene.server.stats().byRoute['POST /Users']).toBe(1);
  });

  it('renames the target user of a user renamed with modrdn (new uid, same entryUUID)', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    const before = targetUser(scene, 'user00003');
    await scene.tenant.renameUser('user00003', 'edsger.renamed');
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.users).toMatchObject({ updated: 1, created: 0, disabled: 0, failed: 0 });
    expect(targetUser(scene, 'user00003')).toBeUndefined();
    expect(targetUser(scene, 'edsger.renamed')).toMatchObject({ id: before?.id, active: true });
    expect(scene.server.counts().users).toBe(enabledUids(scene).length);
  });

  it('looks up users with hostile names by filter in an incremental cycle: links those the target has, creates the others', async () => {
    const scene = await stage.scene();
    // A large target, so that looking each new user up costs less than listing it.
    for (let index = 0; index < 1200; index += 1) scene.server.addUser({ userName: `filler${index}` });
    const engine = scene.engine();
    await engine.sync();
    const hostile = HOSTILE_USERS.map((spec) => spec.uid);
    const existing = hostile.filter((_, index) => index % 2 === 0);
    const ids = new Map(
      existing.map((uid) => [uid, String(scene.server.addUser({ userName: uid, nickName: 'Keep' }).id)]),
    );
    for (const uid of hostile)
      await scene.tenant.addUser(uid, { mail: `${hostile.indexOf(uid)}@example.com` });
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.users).toMatchObject({
      linked: existing.length,
      created: hostile.length - existing.length,
    });
    // Lookups by filter, not a listing of the large target.
    expect(scene.server.stats().byRoute['GET /Users']).toBeLessThan(
      Math.ceil(scene.server.counts().users / 100),
    );
    expect(scene.server.stats().byStatus['409']).toBeUndefined();
    for (const uid of hostile) {
      const user = targetUser(scene, uid);
      expect(user, JSON.stringify(uid)).toMatchObject({ active: true, userName: uid });
      if (ids.has(uid))
        expect(user, JSON.stringify(uid)).toMatchObject({ id: ids.get(uid), nickName: 'Keep' });
    }
  });

  it.each(['pwdAccountLockedTime', 'nsAccountLock'] as const)(
    "disables a user locked with %s (removeAction 'disable'), and re-enables it when unlocked",
    async (marker) => {
      const scene = await stage.scene({ disabledMarkers: [marker] });
      const engine = scene.engine({ datastore: scene.datastore(statusFor(marker)) });
      await engine.sync();
      for (const user of scene.tenant.users)
        expect(targetUser(scene, user.uid) !== undefined).toBe(!user.disabled);
      const id = targetUser(scene, 'user00002')?.id;

      await scene.tenant.disable('user00002', marker);
      scene.server.resetStats();
      const disabling = await engine.sync();
      expect(disabling.users).toMatchObject({ disabled: 1, deleted: 0, failed: 0 });
      expect(targetUser(scene, 'user00002')).toMatchObject({
        id,
        active: false,
        ...expectedUser(scene.tenant.user('user00002')),
      });
      expect(writesIn(scene.server.stats().byMethod)).toBe(1);
      expect(scene.server.stats().byRoute['PUT /Users/:id']).toBe(1);

      await scene.tenant.enable('user00002', marker);
      const enabling = await engine.sync();
      expect(enabling.users).toMatchObject({ enabled: 1, created: 0, failed: 0 });
      expect(targetUser(scene, 'user00002')).toMatchObject({ id, active: true });
    },
  );

  it.each(['pwdAccountLockedTime', 'nsAccountLock'] as const)(
    "deletes a user locked with %s (removeAction 'delete'), creates no disabled user, and creates it again once unlocked",
    async (marker) => {
      const scene = await stage.scene({ disabledMarkers: [marker] });
      const engine = scene.engine({
        datastore: scene.datastore(statusFor(marker)),
        users: { removeAction: 'delete', provisionDisabled: true },
      });
      await engine.sync();
      // With removeAction 'delete', a disabled user is one to remove: never created.
      expect([...usersOf(scene.server).keys()].sort()).toEqual(enabledUids(scene).sort());
      const before = targetUser(scene, 'user00002')?.id;

      await scene.tenant.disable('user00002', marker);
      const deleting = await engine.sync();
      expect(deleting.users).toMatchObject({ deleted: 1, disabled: 0, failed: 0 });
      expect(targetUser(scene, 'user00002')).toBeUndefined();
      scene.server.resetStats();
      expect((await engine.sync({ full: true })).users.created).toBe(0);
      expect(scene.server.stats().byRoute['POST /Users']).toBeUndefined();

      await scene.tenant.enable('user00002', marker);
      const back = await engine.sync();
      expect(back.users.created).toBe(1);
      expect(targetUser(scene, 'user00002')).toMatchObject({ active: true });
      expect(targetUser(scene, 'user00002')?.id).not.toBe(before);
    },
  );

  it.each(['disable', 'delete'] as const)(
    "handles a user deleted with ldapdelete (removeAction '%s'), and drops it from its groups",
    async (removeAction) => {
      const scene = await stage.scene();
      const engine = scene.engine({ users: { removeAction } });
      await engine.sync();
      const id = String(targetUser(scene, 'user00001')?.id);
      expect(memberIds(groupsOf(scene.server).get('all-staff'))).toContain(id);

      await scene.tenant.deleteUser('user00001');
      const report = await engine.sync();
      expect(report.failures).toEqual([]);
      if (removeAction === 'disable') {
        expect(report.users).toMatchObject({ disabled: 1, deleted: 0 });
        expect(targetUser(scene, 'user00001')).toMatchObject({ id, active: false });
      } else {
        expect(report.users).toMatchObject({ deleted: 1, disabled: 0 });
        expect(targetUser(scene, 'user00001')).toBeUndefined();
      }
      for (const group of scene.server.snapshot().groups) expect(memberIds(group)).not.toContain(id);
      // Done once.
      scene.server.resetStats();
      await engine.sync();
      expect(scene.server.stats().totalRequests).toBe(0);
    },
  );
});

describe('a user deleted and added again with the same uid (a new entryUUID: a re-hire)', () => {
  it("removeAction 'delete': the old target user is deleted and the new entry created, within two cycles", async () => {
    const scene = await stage.scene();
    const engine = scene.engine({ users: { removeAction: 'delete' } });
    await engine.sync();
    const before = targetUser(scene, 'user00003');
    await scene.tenant.deleteUser('user00003');
    await scene.tenant.addUser('user00003', { title: 'Rehired', mail: 'rehired@example.com' });
    await engine.sync();
    const second = await engine.sync();
    expect(second.failures).toEqual([]);
    const after = targetUser(scene, 'user00003');
    expect(after).toMatchObject({ active: true, title: 'Rehired' });
    expect(after?.id).not.toBe(before?.id);
    expect((await engine.sync({ full: true })).failures).toEqual([]);
  });

  // A re-hire gets a new entryUUID: the departed source id's (disabled) target user is taken over
  // by the newcomer, re-enabled and updated, instead of a conflict (PingFederate links by userName).
  it("removeAction 'disable': the re-hired user gets the target user back, active, within two cycles", async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    await scene.tenant.deleteUser('user00003');
    await scene.tenant.addUser('user00003', { title: 'Rehired', mail: 'rehired@example.com' });
    await engine.sync();
    const second = await engine.sync({ full: true });
    expect(second.failures).toEqual([]);
    expect(targetUser(scene, 'user00003')).toMatchObject({ active: true, title: 'Rehired' });
  });
});

describe('leaving the scope', () => {
  it('disables a user moved out of the base DN (modrdn newsuperior), and re-enables it when moved back', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    const id = targetUser(scene, 'user00005')?.id;
    await scene.tenant.moveOut('user00005');
    const leaving = await engine.sync();
    expect(leaving.users).toMatchObject({ disabled: 1, failed: 0 });
    expect(targetUser(scene, 'user00005')).toMatchObject({ id, active: false });
    await scene.tenant.moveBack('user00005');
    const back = await engine.sync();
    expect(back.users).toMatchObject({ enabled: 1, created: 0 });
    expect(targetUser(scene, 'user00005')).toMatchObject({ id, active: true });
  });

  it('removes a user who leaves the scope group, and restores one who joins it', async () => {
    const scene = await stage.scene();
    const scopeGroup = scene.tenant.group('engineering');
    const datastore = scene.datastore({
      users: { baseDn: scene.tenant.peopleDn, groupDn: scopeGroup.dn },
    });
    const engine = scene.engine({ datastore, users: { removeAction: 'delete' } });
    await engine.sync();
    const members = scene.tenant.users.filter(
      (user) => !user.disabled && scopeGroup.userMemberDns.includes(user.dn),
    );
    expect([...usersOf(scene.server).keys()].sort()).toEqual(members.map((user) => user.uid).sort());
    const [leaver] = members;
    const joiner = scene.tenant.users.find(
      (user) => !user.disabled && !scopeGroup.userMemberDns.includes(user.dn),
    );
    if (leaver === undefined || joiner === undefined) throw new Error('the company has no leaver or joiner');

    await scene.tenant.removeMember('engineering', leaver.uid);
    await scene.tenant.addMember('engineering', joiner.uid);
    const report = await engine.sync();
    expect(report.mode).toBe('incremental');
    expect(report.users).toMatchObject({ deleted: 1, created: 1, failed: 0 });
    expect(targetUser(scene, leaver.uid)).toBeUndefined();
    expect(targetUser(scene, joiner.uid)).toMatchObject({ active: true, ...expectedUser(joiner) });
  });
});

describe('provisionDisabled', () => {
  it('on: users disabled in the directory are created inactive, and enabled when unlocked', async () => {
    const scene = await stage.scene();
    const engine = scene.engine({ users: { provisionDisabled: true } });
    const report = await engine.sync();
    expect(report.users.created).toBe(scene.tenant.users.length);
    const disabled = scene.tenant.users.filter((user) => user.disabled);
    expect(disabled.length).toBeGreaterThan(0);
    for (const user of scene.tenant.users) {
      expect(targetUser(scene, user.uid), user.uid).toMatchObject({
        active: !user.disabled,
        ...expectedUser(user),
      });
    }
    const [locked] = disabled;
    if (locked === undefined) throw new Error('no disabled user');
    await scene.tenant.enable(locked.uid, 'pwdAccountLockedTime');
    expect((await engine.sync()).users.enabled).toBe(1);
    expect(targetUser(scene, locked.uid)?.active).toBe(true);
  });

  it('off: a user created disabled in the directory is not created, and is created once unlocked', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    await scene.tenant.addUser('locked', {
      pwdAccountLockedTime: '000001010000Z',
      mail: 'locked@example.com',
    });
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.users.created).toBe(0);
    expect(scene.server.stats().totalRequests).toBe(0);
    expect(targetUser(scene, 'locked')).toBeUndefined();
    await scene.tenant.enable('locked', 'pwdAccountLockedTime');
    expect((await engine.sync()).users.created).toBe(1);
    expect(targetUser(scene, 'locked')?.active).toBe(true);
  });
});

describe('user toggles turned off', () => {
  it('users.create off: no user is created (each reported skipped), an existing one is still linked', async () => {
    const scene = await stage.scene();
    const existing = scene.server.addUser({ userName: 'user00001', title: 'Old title' });
    const report = await scene.engine({ users: { create: false } }).sync();
    const enabled = enabledUids(scene);
    expect(report.users).toMatchObject({ created: 0, linked: 1, skipped: enabled.length - 1, failed: 0 });
    expect(report.skipped.filter((skip) => skip.kind === 'user').every((skip) => skip.op === 'create')).toBe(
      true,
    );
    expect(scene.server.stats().byRoute['POST /Users']).toBeUndefined();
    expect([...usersOf(scene.server).keys()]).toEqual(['user00001']);
    expect(targetUser(scene, 'user00001')).toMatchObject({
      id: existing.id,
      title: scene.tenant.user('user00001').title,
    });
  });

  it('users.update off: an attribute change is skipped and nothing is written', async () => {
    const scene = await stage.scene();
    const engine = scene.engine({ users: { update: false } });
    await engine.sync();
    await scene.tenant.setAttribute('user00003', 'title', 'Director');
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.users).toMatchObject({ updated: 0, skipped: 1 });
    expect(report.skipped).toEqual([expect.objectContaining({ kind: 'user', op: 'update' })]);
    expect(writesIn(scene.server.stats().byMethod)).toBe(0);
    expect(targetUser(scene, 'user00003')?.title).toBe(scene.tenant.user('user00003').title);
  });

  it('users.disable off: a user locked in the directory stays active in the target', async () => {
    const scene = await stage.scene();
    const engine = scene.engine({ users: { disable: false } });
    await engine.sync();
    await scene.tenant.disable('user00002', 'pwdAccountLockedTime');
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.users).toMatchObject({ disabled: 0, skipped: 1 });
    expect(report.skipped).toEqual([expect.objectContaining({ kind: 'user', op: 'disable' })]);
    expect(writesIn(scene.server.stats().byMethod)).toBe(0);
    expect(targetUser(scene, 'user00002')?.active).toBe(true);
  });

  it("users.delete off: a user deleted in the directory stays in the target (removeAction 'delete')", async () => {
    const scene = await stage.scene();
    const engine = scene.engine({ users: { delete: false, removeAction: 'delete' } });
    await engine.sync();
    await scene.tenant.deleteUser('user00002');
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.users).toMatchObject({ deleted: 0, skipped: 1 });
    expect(report.skipped).toEqual([expect.objectContaining({ kind: 'user', op: 'delete' })]);
    expect(scene.server.stats().byRoute['DELETE /Users/:id']).toBeUndefined();
    expect(targetUser(scene, 'user00002')).toMatchObject({ active: true });
  });
});
