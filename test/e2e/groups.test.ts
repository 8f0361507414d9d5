/**
 * End to end, groups: slapd -> LdapDatastore -> ProvisioningEngine -> ScimClient -> ScimTestServer.
 * Create (nested groups and a nesting cycle included, each group member attribute), rename with
 * modrdn, delete, membership add / remove / overwrite, the group toggles, and targets that do not
 * filter, do not PATCH, or cannot create or delete groups.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CompanyGroup } from '../support/ldap/ldif';
import { groupsOf, memberIds, usersOf, writesIn } from './support/pipeline';
import { type Scene, Stage } from './support/stage';

let stage: Stage;

beforeAll(async () => {
  stage = await Stage.open();
});
afterEach(() => stage?.reset());
afterAll(() => stage?.close());

/** The groups a datastore with the default member attribute (`member`) has in scope. */
function scopeGroups(scene: Scene): CompanyGroup[] {
  return scene.tenant.groups.filter((group) => group.style === 'groupOfNames');
}

/**
 * The target ids `group` should have as members, from the generated company and what the target
 * holds: its user members that were provisioned, and its group members that are in `inScope`.
 */
function expectedMemberIds(scene: Scene, group: CompanyGroup, inScope: readonly CompanyGroup[]): string[] {
  const users = usersOf(scene.server);
  const groups = groupsOf(scene.server);
  const ids: string[] = [];
  const userDns = new Set(group.userMemberDns);
  const uids = new Set(group.memberUids);
  for (const user of scene.tenant.users) {
    const target = users.get(user.uid);
    if (target !== undefined && (userDns.has(user.dn) || uids.has(user.uid))) ids.push(String(target.id));
  }
  for (const dn of group.groupMemberDns) {
    const member = inScope.find((candidate) => candidate.dn === dn);
    const target = member === undefined ? undefined : groups.get(member.cn);
    if (target !== undefined) ids.push(String(target.id));
  }
  return ids.sort();
}

function targetIdOf(scene: Scene, uid: string): string {
  const user = usersOf(scene.server).get(uid);
  if (user === undefined) throw new Error(`${uid} is not in the target`);
  return String(user.id);
}

describe('creating groups', () => {
  it('creates every group in scope with its provisioned members, nested groups and a nesting cycle included', async () => {
    const scene = await stage.scene({ users: 16 });
    const report = await scene.engine().sync();
    expect(report.failures).toEqual([]);
    const inScope = scopeGroups(scene);
    expect(report.groups.created).toBe(inScope.length);
    const groups = groupsOf(scene.server);
    expect([...groups.keys()].sort()).toEqual(inScope.map((group) => group.cn).sort());
    for (const group of inScope) {
      expect(memberIds(groups.get(group.cn)), group.cn).toEqual(expectedMemberIds(scene, group, inScope));
    }
    // The generated company nests groups two levels deep and has a cycle; check the test sees them.
    expect(memberIds(groups.get('cycle-a'))).toContain(String(groups.get('cycle-b')?.id));
    expect(memberIds(groups.get('cycle-b'))).toContain(String(groups.get('cycle-a')?.id));
    expect(memberIds(groups.get('company'))).toContain(String(groups.get('all-departments')?.id));
    // Disabled users are not provisioned, so they are nobody's member.
    const disabledDns = new Set(scene.tenant.users.filter((user) => user.disabled).map((user) => user.dn));
    expect(inScope.some((group) => group.userMemberDns.some((dn) => disabledDns.has(dn)))).toBe(true);
  });

  it.each([
    ['uniqueMember', 'groupOfUniqueNames'],
    ['memberUid', 'posixGroup'],
  ] as const)('reads groups by the group member attribute %s (%s)', async (attribute, style) => {
    const scene = await stage.scene();
    const datastore = scene.datastore({ groupMemberAttribute: attribute });
    const report = await scene.engine({ datastore }).sync();
    expect(report.failures).toEqual([]);
    const inScope = scene.tenant.groups.filter((group) => group.style === style);
    expect(inScope.length).toBeGreaterThan(0);
    const groups = groupsOf(scene.server);
    expect([...groups.keys()].sort()).toEqual(inScope.map((group) => group.cn).sort());
    for (const group of inScope) {
      const expected = expectedMemberIds(scene, group, inScope);
      expect(expected.length).toBeGreaterThan(0);
      expect(memberIds(groups.get(group.cn)), group.cn).toEqual(expected);
    }
  });

  it('creates a group added with ldapadd in an incremental cycle, with its members in the POST', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    await scene.tenant.addGroup('new-team', ['user00000', 'user00002']);
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.mode).toBe('incremental');
    expect(report.groups).toMatchObject({ created: 1, failed: 0 });
    // One lookup by displayName (plus the client's one-off case-sensitivity probe, two GETs).
    expect(scene.server.stats().byRoute['POST /Groups']).toBe(1);
    expect(scene.server.stats().byRoute['GET /Groups']).toBeLessThanOrEqual(3);
    expect(writesIn(scene.server.stats().byMethod)).toBe(1);
    expect(memberIds(groupsOf(scene.server).get('new-team'))).toEqual(
      [targetIdOf(scene, 'user00000'), targetIdOf(scene, 'user00002')].sort(),
    );
  });
});

describe('changing groups', () => {
  it('renames a group renamed with modrdn (same entryUUID): one PATCH, same target id, members kept', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    const before = groupsOf(scene.server).get('sales');
    await scene.tenant.renameGroup('sales', 'sales-emea');
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.groups).toMatchObject({ renamed: 1, created: 0, deleted: 0, failed: 0 });
    expect(scene.server.stats().byRoute['PATCH /Groups/:id']).toBe(1);
    expect(writesIn(scene.server.stats().byMethod)).toBe(1);
    const after = groupsOf(scene.server);
    expect(after.has('sales')).toBe(false);
    expect(after.get('sales-emea')).toMatchObject({ id: before?.id });
    expect(memberIds(after.get('sales-emea'))).toEqual(memberIds(before));
  });

  it('deletes a group deleted with ldapdelete and one moved out of the groups base DN, and unnests them', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    const ids = ['support', 'finance'].map((cn) => String(groupsOf(scene.server).get(cn)?.id));
    await scene.tenant.deleteGroup('support');
    await scene.tenant.moveGroupOut('finance');
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.groups.deleted).toBe(2);
    expect(scene.server.stats().byRoute['DELETE /Groups/:id']).toBe(2);
    const groups = groupsOf(scene.server);
    expect(groups.has('support') || groups.has('finance')).toBe(false);
    for (const group of groups.values()) for (const id of ids) expect(memberIds(group)).not.toContain(id);
    const remaining = scopeGroups(scene).filter((group) => group.cn !== 'support' && group.cn !== 'finance');
    const allDepartments = scene.tenant.group('all-departments');
    expect(allDepartments.groupMemberDns).toContain(scene.tenant.groupDn('support'));
    expect(memberIds(groups.get('all-departments'))).toEqual(
      expectedMemberIds(scene, allDepartments, remaining),
    );
    // Users are not touched by group deletes.
    expect([...usersOf(scene.server).values()].every((user) => user.active === true)).toBe(true);
  });

  it('adds and removes members as the directory changes', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    const sales = scene.tenant.group('sales');
    const [leaving] = scene.tenant.users.filter(
      (user) => !user.disabled && sales.userMemberDns.includes(user.dn),
    );
    const [joining] = scene.tenant.users.filter(
      (user) => !user.disabled && !sales.userMemberDns.includes(user.dn),
    );
    if (leaving === undefined || joining === undefined)
      throw new Error('the company has no leaver or joiner');
    const before = memberIds(groupsOf(scene.server).get('sales'));
    await scene.tenant.removeMember('sales', leaving.uid);
    await scene.tenant.addMember('sales', joining.uid);
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.groups).toMatchObject({ membersAdded: 1, membersRemoved: 1, failed: 0 });
    expect(writesIn(scene.server.stats().byMethod)).toBe(scene.server.stats().byRoute['PATCH /Groups/:id']);
    const expected = [
      ...before.filter((id) => id !== targetIdOf(scene, leaving.uid)),
      targetIdOf(scene, joining.uid),
    ];
    expect(memberIds(groupsOf(scene.server).get('sales'))).toEqual(expected.sort());
  });

  it('overwrites the target: a member added by hand is removed, one removed by hand comes back (full cycle)', async () => {
    const scene = await stage.scene();
    const engine = scene.engine();
    await engine.sync();
    const group = groupsOf(scene.server).get('engineering');
    const wanted = memberIds(group);
    const [removedByHand] = wanted;
    if (removedByHand === undefined) throw new Error('engineering has no member');
    const intruder = scene.server.addUser({ userName: 'intruder' });
    await scene.client.groups.addMembers(String(group?.id), [String(intruder.id)]);
    await scene.client.groups.removeMembers(String(group?.id), [removedByHand]);
    scene.server.resetStats();
    const report = await engine.sync({ full: true });
    expect(report.groups).toMatchObject({ membersAdded: 1, membersRemoved: 1, failed: 0 });
    expect(memberIds(groupsOf(scene.server).get('engineering'))).toEqual(wanted);
    // From the listings, without a GET per group.
    expect(scene.server.stats().byRoute['GET /Groups/:id']).toBeUndefined();
    // The intruder stays a user of the target: only its membership was the engine's business.
    expect(usersOf(scene.server).has('intruder')).toBe(true);
  });
});

describe('group toggles turned off', () => {
  it('groups.create off: no group is created, each reported skipped; users are provisioned', async () => {
    const scene = await stage.scene();
    const report = await scene.engine({ groups: { create: false } }).sync();
    expect(report.groups).toMatchObject({ created: 0, skipped: scopeGroups(scene).length });
    expect(scene.server.stats().byRoute['POST /Groups']).toBeUndefined();
    expect(scene.server.counts().groups).toBe(0);
    expect(report.users.created).toBe(scene.tenant.users.filter((user) => !user.disabled).length);
  });

  it('groups.update off: a rename and a membership change are skipped; nothing is written', async () => {
    const scene = await stage.scene();
    const engine = scene.engine({ groups: { update: false } });
    await engine.sync();
    const before = scene.server.snapshot().groups;
    await scene.tenant.renameGroup('sales', 'sales-emea');
    await scene.tenant.addMember('support', 'user00000');
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.groups).toMatchObject({ renamed: 0, membersAdded: 0 });
    expect(report.groups.skipped).toBeGreaterThanOrEqual(2);
    expect(writesIn(scene.server.stats().byMethod)).toBe(0);
    expect(scene.server.snapshot().groups).toEqual(before);
  });

  it('groups.delete off: a group deleted in the directory stays in the target', async () => {
    const scene = await stage.scene();
    const engine = scene.engine({ groups: { delete: false } });
    await engine.sync();
    await scene.tenant.deleteGroup('cycle-a');
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.groups.deleted).toBe(0);
    expect(report.skipped).toContainEqual(expect.objectContaining({ kind: 'group', op: 'delete' }));
    expect(scene.server.stats().byRoute['DELETE /Groups/:id']).toBeUndefined();
    expect(groupsOf(scene.server).has('cycle-a')).toBe(true);
  });
});

describe('targets with quirks', () => {
  it('a target without filtering: existing objects are linked from one listing, never duplicated', async () => {
    const scene = await stage.scene();
    scene.server.setQuirks({ filterUnsupported: 'ignore' });
    const existing = scene.server.addUser({ userName: 'USER00001', title: 'Old title', nickName: 'Keep' });
    const stranger = scene.server.addUser({ userName: 'stranger' });
    const sales = scene.server.addGroup({ displayName: 'SALES', members: [{ value: stranger.id }] });
    const engine = scene.engine();
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.users).toMatchObject({
      linked: 1,
      created: scene.tenant.users.filter((u) => !u.disabled).length - 1,
    });
    expect(report.groups.linked).toBe(1);
    expect(scene.server.stats().byStatus['409']).toBeUndefined();
    const linked = scene.server.getUser(String(existing.id));
    expect(linked).toMatchObject({ title: scene.tenant.user('user00001').title, nickName: 'Keep' });
    const group = scene.server.getGroup(String(sales.id));
    expect(group?.displayName).toBe('sales');
    expect(memberIds(group)).toEqual(
      expectedMemberIds(scene, scene.tenant.group('sales'), scopeGroups(scene)),
    );

    // New users in an incremental cycle are found with one listing, not one (ignored) filter each.
    for (const uid of ['late1', 'late2', 'late3', 'late4']) await scene.tenant.addUser(uid);
    scene.server.resetStats();
    const later = await engine.sync();
    expect(later.users.created).toBe(4);
    expect(scene.server.stats().byRoute['GET /Users']).toBe(1);
    expect(
      new Set(scene.server.snapshot().users.map((user) => String(user.userName).toLowerCase())).size,
    ).toBe(scene.server.counts().users);
  });

  it('a target without PATCH: renames and memberships go through GET + PUT, no PATCH is sent', async () => {
    const scene = await stage.scene();
    scene.server.setQuirks({ patchUnsupported: 405 });
    const engine = scene.engine();
    await engine.sync();
    const engineering = scene.tenant.group('engineering');
    const leaver = scene.tenant.users.find(
      (user) => !user.disabled && engineering.userMemberDns.includes(user.dn),
    );
    if (leaver === undefined) throw new Error('engineering has no enabled member');
    await scene.tenant.renameGroup('sales', 'sales-emea');
    await scene.tenant.addMember('support', 'user00000');
    await scene.tenant.removeMember('engineering', leaver.uid);
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.groups).toMatchObject({ renamed: 1, membersAdded: 1, membersRemoved: 1 });
    const stats = scene.server.stats();
    expect(stats.byMethod.PATCH).toBeUndefined();
    expect(stats.byRoute['PUT /Groups/:id']).toBeGreaterThanOrEqual(3);
    const groups = groupsOf(scene.server);
    expect(groups.has('sales-emea')).toBe(true);
    expect(memberIds(groups.get('support'))).toContain(targetIdOf(scene, 'user00000'));
    expect(memberIds(groups.get('engineering'))).not.toContain(targetIdOf(scene, leaver.uid));
  });

  it('a target that cannot create or delete groups: one warning per group, users provisioned, the existing group kept up to date', async () => {
    const scene = await stage.scene();
    scene.server.setQuirks({ noGroupCreate: 501, noGroupDelete: 501 });
    const existing = scene.server.addGroup({ displayName: 'sales' });
    const engine = scene.engine();
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(report.users.created).toBe(scene.tenant.users.filter((user) => !user.disabled).length);
    expect(report.groups.linked).toBe(1);
    const refused = report.warnings.filter((warning) => warning.code === 'groupCreateRefused');
    expect(refused).toHaveLength(scopeGroups(scene).length - 1);
    // The first refused create teaches the engine; the others are not sent.
    expect(scene.server.stats().byRoute['POST /Groups']).toBe(1);
    expect(memberIds(scene.server.getGroup(String(existing.id)))).toEqual(
      expectedMemberIds(scene, scene.tenant.group('sales'), []),
    );

    await scene.tenant.addMember('sales', 'user00000');
    const updated = await engine.sync();
    expect(updated.groups.membersAdded).toBe(1);
    expect(memberIds(scene.server.getGroup(String(existing.id)))).toContain(targetIdOf(scene, 'user00000'));

    await scene.tenant.deleteGroup('sales');
    const deleting = await engine.sync();
    expect(deleting.failures).toEqual([]);
    expect(deleting.warnings.map((warning) => warning.code)).toContain('groupDeleteRefused');
    expect(scene.server.getGroup(String(existing.id))).toBeDefined();
  });
});
