/**
 * End to end from Active Directory: a Samba AD DC (LDAPS with its own CA) -> LdapDatastore (AD
 * defaults: objectGUID, userAccountControl, the usn changed-users algorithm) -> ProvisioningEngine
 * with ACTIVE_DIRECTORY_USER_MAPPING -> ScimClient -> ScimTestServer. Short on purpose: the AD
 * default mapping, a disable through userAccountControl, a usn incremental cycle that picks up a
 * modify, and nested group membership (provisioned, and as a scope). Skipped only where a DC cannot
 * run (not root, samba missing); CI runs as root.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScimClient } from '../../src/client/ScimClient';
import { LdapDatastore } from '../../src/datastore/ldap/LdapDatastore';
import type { LdapDatastoreOptions } from '../../src/datastore/ldap/options';
import { ACTIVE_DIRECTORY_USER_MAPPING } from '../../src/engine/mapping/defaults';
import type { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import { escapeDnValue, ldifLine } from '../support/ldap/ldif';
import { type SambaHandle, sambaAvailable, startSambaDc } from '../support/ldap/samba';
import {
  clientFor,
  ENTERPRISE,
  engineFor,
  groupsOf,
  memberIds,
  usersOf,
  workEmail,
} from './support/pipeline';

/** userAccountControl: NORMAL_ACCOUNT | PASSWD_NOTREQD, and the same with ACCOUNTDISABLE (0x2). */
const ENABLED = '544';
const DISABLED = '546';

interface AdUser {
  readonly name: string;
  readonly givenName: string;
  readonly sn: string;
  readonly title: string;
  readonly department: string;
  readonly disabled?: boolean;
}

const PEOPLE: readonly AdUser[] = [
  { name: 'alice', givenName: 'Alice', sn: 'Anders', title: 'Engineer', department: 'R&D' },
  { name: 'bob', givenName: 'Bob', sn: 'Brown', title: 'Engineer', department: 'R&D' },
  { name: 'carol', givenName: 'Carol', sn: 'Clark', title: 'Manager', department: 'Sales' },
  { name: 'dave', givenName: 'Dave', sn: 'Dunn', title: 'Analyst', department: 'Finance' },
  { name: 'erin', givenName: 'Erin', sn: 'Evans', title: 'Intern', department: 'R&D', disabled: true },
];

let samba: SambaHandle;
let server: ScimTestServer;
const cleanups: Array<() => unknown> = [];

/** One test's OU (with Staff and Teams below it), seeded with {@link PEOPLE} and two groups. */
class AdTenant {
  readonly base: string;
  constructor(readonly name: string) {
    this.base = `OU=${name},${samba.baseDn}`;
  }
  ou(name: string): string {
    return `OU=${name},${this.base}`;
  }
  userDn(name: string): string {
    return `CN=${escapeDnValue(name)},${this.ou('Staff')}`;
  }
  groupDn(name: string): string {
    return `CN=${escapeDnValue(name)},${this.ou('Teams')}`;
  }
  upn(name: string): string {
    return `${name}.${this.name.toLowerCase()}@${samba.realm.toLowerCase()}`;
  }
  async change(dn: string, body: string): Promise<void> {
    await samba.ldapmodify(`${ldifLine('dn', dn)}\n${body}\n\n`);
  }
  datastore(overrides: Partial<LdapDatastoreOptions> = {}): LdapDatastore {
    const datastore = new LdapDatastore({
      urls: samba.ldapsUrl,
      ca: samba.caPem,
      servername: samba.servername,
      bindDn: samba.bindDn,
      bindPassword: samba.password,
      users: { baseDn: this.ou('Staff') },
      groups: { baseDn: this.ou('Teams') },
      ...overrides,
    });
    cleanups.push(() => datastore.close());
    return datastore;
  }
  /** sAMAccountName must be unique in the domain: suffix it with the tenant name. */
  account(name: string): string {
    return `${name}-${this.name}`.slice(0, 20);
  }
  async seed(): Promise<void> {
    for (const ou of [this.base, this.ou('Staff'), this.ou('Teams')]) {
      await this.change(ou, 'changetype: add\nobjectClass: organizationalUnit');
    }
    for (const person of PEOPLE) {
      await this.change(
        this.userDn(person.name),
        [
          'changetype: add',
          'objectClass: user',
          ldifLine('sAMAccountName', this.account(person.name)),
          ldifLine('userPrincipalName', this.upn(person.name)),
          ldifLine('givenName', person.givenName),
          ldifLine('sn', person.sn),
          ldifLine('displayName', `${person.givenName} ${person.sn}`),
          ldifLine('mail', `${person.name}@example.test`),
          ldifLine('title', person.title),
          ldifLine('department', person.department),
          `userAccountControl: ${person.disabled === true ? DISABLED : ENABLED}`,
        ].join('\n'),
      );
    }
    // engineers: alice, bob; everyone: the engineers group (nested) and carol.
    await this.addGroup('engineers', [this.userDn('alice'), this.userDn('bob')]);
    await this.addGroup('everyone', [this.groupDn('engineers'), this.userDn('carol')]);
  }
  async addGroup(name: string, memberDns: readonly string[]): Promise<void> {
    const lines = ['changetype: add', 'objectClass: group', ldifLine('sAMAccountName', this.account(name))];
    for (const dn of memberDns) lines.push(ldifLine('member', dn));
    await this.change(this.groupDn(name), lines.join('\n'));
  }
}

let tenants = 0;

async function adTenant(): Promise<AdTenant> {
  tenants += 1;
  const tenant = new AdTenant(`E2e${tenants}${randomBytes(2).toString('hex')}`);
  await tenant.seed();
  return tenant;
}

function clientAndEngine(
  datastore: LdapDatastore,
  overrides = {},
): { client: ScimClient; engine: ProvisioningEngine } {
  const client = clientFor(server.baseUrl);
  cleanups.push(() => client.close());
  return {
    client,
    engine: engineFor(datastore, client, { mapping: { users: ACTIVE_DIRECTORY_USER_MAPPING }, ...overrides }),
  };
}

describe.skipIf(!sambaAvailable())('Samba AD -> engine -> ScimTestServer', () => {
  beforeAll(async () => {
    [samba, server] = await Promise.all([startSambaDc(), ScimTestServer.start()]);
  }, 180_000);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    server?.clear();
    server?.resetStats();
  });
  afterAll(async () => {
    await server?.close();
    await samba?.stop();
  });

  it('provisions with the AD default mapping (userPrincipalName, names, mail, enterprise department); a disabled account is not created', async () => {
    const tenant = await adTenant();
    const { engine } = clientAndEngine(tenant.datastore());
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    const enabled = PEOPLE.filter((person) => person.disabled !== true);
    expect(report.users.created).toBe(enabled.length);
    const users = usersOf(server);
    expect([...users.keys()].sort()).toEqual(enabled.map((person) => tenant.upn(person.name)).sort());
    for (const person of enabled) {
      const user = users.get(tenant.upn(person.name));
      expect(user, person.name).toMatchObject({
        active: true,
        displayName: `${person.givenName} ${person.sn}`,
        name: { givenName: person.givenName, familyName: person.sn },
        title: person.title,
        [ENTERPRISE]: { department: person.department },
      });
      expect(workEmail(user)).toBe(`${person.name}@example.test`);
    }
  });

  it('disables a user whose userAccountControl gets ACCOUNTDISABLE, and re-enables it', async () => {
    const tenant = await adTenant();
    const { engine } = clientAndEngine(tenant.datastore());
    await engine.sync();
    const upn = tenant.upn('bob');
    const id = usersOf(server).get(upn)?.id;
    await tenant.change(
      tenant.userDn('bob'),
      `changetype: modify\nreplace: userAccountControl\nuserAccountControl: ${DISABLED}\n-`,
    );
    const disabling = await engine.sync();
    expect(disabling.mode).toBe('incremental');
    expect(disabling.users).toMatchObject({ disabled: 1, failed: 0 });
    expect(usersOf(server).get(upn)).toMatchObject({ id, active: false });
    await tenant.change(
      tenant.userDn('bob'),
      `changetype: modify\nreplace: userAccountControl\nuserAccountControl: ${ENABLED}\n-`,
    );
    expect((await engine.sync()).users.enabled).toBe(1);
    expect(usersOf(server).get(upn)).toMatchObject({ id, active: true });
  });

  it('an incremental (usn) cycle picks up a modify with one GET and one PUT, and a quiet one sends nothing', async () => {
    const tenant = await adTenant();
    const { engine } = clientAndEngine(tenant.datastore());
    await engine.sync();
    server.resetStats();
    const quiet = await engine.sync();
    expect(quiet.mode).toBe('incremental');
    expect(server.stats().totalRequests).toBe(0);
    await tenant.change(tenant.userDn('dave'), 'changetype: modify\nreplace: title\ntitle: Controller\n-');
    server.resetStats();
    const report = await engine.sync();
    expect(report.mode).toBe('incremental');
    expect(report.watermarkAdvanced).toBe(true);
    expect(report.users).toMatchObject({ updated: 1, unchanged: 0 });
    expect(server.stats().byRoute).toEqual({ 'GET /Users/:id': 1, 'PUT /Users/:id': 1 });
    expect(usersOf(server).get(tenant.upn('dave'))?.title).toBe('Controller');
  });

  it('provisions nested groups (a group member of a group), and scopes users by nested membership', async () => {
    const tenant = await adTenant();
    const { engine } = clientAndEngine(tenant.datastore());
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    const users = usersOf(server);
    const groups = groupsOf(server);
    const idOf = (name: string): string => String(users.get(tenant.upn(name))?.id);
    // AD groups are named by cn (DEFAULT_GROUP_MAPPING).
    expect(memberIds(groups.get('engineers'))).toEqual([idOf('alice'), idOf('bob')].sort());
    expect(memberIds(groups.get('everyone'))).toEqual(
      [String(groups.get('engineers')?.id), idOf('carol')].sort(),
    );

    // Scope: members of everyone, through engineers (LDAP_MATCHING_RULE_IN_CHAIN).
    server.clear();
    const nested = tenant.datastore({
      users: { baseDn: tenant.ou('Staff'), groupDn: tenant.groupDn('everyone'), nested: true },
    });
    const scoped = clientAndEngine(nested).engine;
    await scoped.sync();
    expect([...usersOf(server).keys()].sort()).toEqual(
      ['alice', 'bob', 'carol'].map((name) => tenant.upn(name)).sort(),
    );

    // bob leaves engineers: he is out of the nested scope, and out of the group.
    await tenant.change(
      tenant.groupDn('engineers'),
      `changetype: modify\ndelete: member\n${ldifLine('member', tenant.userDn('bob'))}\n-`,
    );
    const leaving = await scoped.sync();
    expect(leaving.users.disabled).toBe(1);
    expect(usersOf(server).get(tenant.upn('bob'))?.active).toBe(false);
    expect(memberIds(groupsOf(server).get('engineers'))).toEqual([
      String(usersOf(server).get(tenant.upn('alice'))?.id),
    ]);
  });
});
