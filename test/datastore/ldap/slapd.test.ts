/**
 * LdapDatastore against a real OpenLDAP (throwaway slapd on loopback, seeded with the generated
 * test company): the contract suite, hostile names, the three group member styles, group scopes
 * (direct, nested, cycles), account status algorithms, the timestamp algorithms, TLS, failures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLdapAuthenticationError } from '../../../src/datastore/errors/LdapAuthenticationError';
import { isLdapConnectionError } from '../../../src/datastore/errors/LdapConnectionError';
import { isLdapSearchError } from '../../../src/datastore/errors/LdapSearchError';
import { escapeFilterValue } from '../../../src/datastore/ldap/filter/escape';
import { LdapDatastore } from '../../../src/datastore/ldap/LdapDatastore';
import type { LdapDatastoreOptions } from '../../../src/datastore/ldap/options';
import type { SourceGroup, SourceUser } from '../../../src/datastore/types';
import {
  ADMIN_LOCKED_TIME,
  type CompanyOptions,
  companyGroupDn,
  companyGroups,
  companyLdif,
  companyUsers,
  escapeDnValue,
  HOSTILE_GROUP_CN,
  ldifLine,
} from '../../support/ldap/ldif';
import { findFreePort } from '../../support/ldap/processes';
import { type SlapdHandle, startSlapd } from '../../support/ldap/slapd';
import { createTestCertificates } from '../../support/ldap/test-certificates';
import { type ContractSource, describeDatastoreContract } from '../contract';

const COMPANY: CompanyOptions = { users: 30 };
const ATTRIBUTES = ['uid', 'cn', 'title', 'mail', 'description', 'jpegPhoto'];

let slapd: SlapdHandle;
const opened: LdapDatastore[] = [];

beforeAll(async () => {
  slapd = await startSlapd({ tls: true, seedLdif: companyLdif(COMPANY) });
  await slapd.add(`dn: ou=outside,${slapd.suffix}\nobjectClass: organizationalUnit\nou: outside\n\n`);
});

afterAll(async () => {
  await Promise.all(opened.map((datastore) => datastore.close()));
  await slapd?.stop();
});

function datastore(overrides: Partial<LdapDatastoreOptions> = {}): LdapDatastore {
  const created = new LdapDatastore({
    urls: slapd.url,
    bindDn: slapd.readerDn,
    bindPassword: slapd.readerPassword,
    users: { baseDn: `ou=people,${slapd.suffix}` },
    groups: { baseDn: `ou=groups,${slapd.suffix}` },
    ...overrides,
  });
  opened.push(created);
  return created;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** Users by uid, groups by name, and the DN → id map tests derive expectations with. */
async function snapshot(adapter: LdapDatastore): Promise<{
  users: Map<string, SourceUser>;
  groups: Map<string, SourceGroup>;
  idByUid: (uid: string) => string;
}> {
  const users = new Map<string, SourceUser>();
  for (const user of await collect(adapter.users({ attributes: ATTRIBUTES }))) {
    users.set(String(first(user.attributes.uid)), user);
  }
  const groups = new Map<string, SourceGroup>();
  for (const group of await collect(adapter.groups({ attributes: ['cn'] }))) groups.set(group.name, group);
  const idByUid = (uid: string): string => {
    const user = users.get(uid);
    if (user === undefined) throw new Error(`no user ${uid}`);
    return user.id;
  };
  return { users, groups, idByUid };
}

/** The contract source: users in ou=people, groups in ou=groups, disabled = pwdAccountLockedTime. */
function slapdSource(): ContractSource {
  const people = (): string => `ou=people,${slapd.suffix}`;
  const userDn = (handle: string): string => `uid=${escapeDnValue(handle)},${people()}`;
  const groupDn = (name: string): string => companyGroupDn(name, slapd.suffix);
  // groupOfNames needs a member: a placeholder that is no user keeps emptied groups valid.
  const placeholder = `cn=nobody,${slapd.suffix}`;
  return {
    handleAttribute: 'uid',
    modifiableAttribute: 'title',
    attributes: ATTRIBUTES,
    async addUser(handle, options) {
      const lines = [
        ldifLine('dn', userDn(handle)),
        'objectClass: inetOrgPerson',
        ldifLine('uid', handle),
        ldifLine('cn', handle),
        ldifLine('sn', handle),
        ldifLine('title', options?.value ?? 'Engineer'),
      ];
      if (options?.disabled === true) lines.push(`pwdAccountLockedTime: ${ADMIN_LOCKED_TIME}`);
      await slapd.add(`${lines.join('\n')}\n\n`);
    },
    async modifyUser(handle, value) {
      await slapd.modify(
        `${ldifLine('dn', userDn(handle))}\nchangetype: modify\nreplace: title\n${ldifLine('title', value)}\n-\n\n`,
      );
    },
    async disableUser(handle) {
      await slapd.modify(
        `${ldifLine('dn', userDn(handle))}\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: ${ADMIN_LOCKED_TIME}\n-\n\n`,
      );
    },
    async enableUser(handle) {
      await slapd.modify(
        `${ldifLine('dn', userDn(handle))}\nchangetype: modify\ndelete: pwdAccountLockedTime\n-\n\n`,
      );
    },
    async renameUser(handle, newHandle) {
      await slapd.modify(
        `${ldifLine('dn', userDn(handle))}\nchangetype: modrdn\n${ldifLine('newrdn', `uid=${escapeDnValue(newHandle)}`)}\ndeleteoldrdn: 1\n\n`,
      );
    },
    async moveUserOutOfScope(handle) {
      await slapd.modify(
        `${ldifLine('dn', userDn(handle))}\nchangetype: modrdn\n${ldifLine('newrdn', `uid=${escapeDnValue(handle)}`)}\ndeleteoldrdn: 1\nnewsuperior: ou=outside,${slapd.suffix}\n\n`,
      );
    },
    async deleteUser(handle) {
      await slapd.delete(userDn(handle));
    },
    async addGroup(name, members) {
      const lines = [
        ldifLine('dn', groupDn(name)),
        'objectClass: groupOfNames',
        ldifLine('cn', name),
        `member: ${placeholder}`,
      ];
      for (const member of members) lines.push(ldifLine('member', userDn(member)));
      await slapd.add(`${lines.join('\n')}\n\n`);
    },
    async addMember(group, handle) {
      await slapd.modify(
        `${ldifLine('dn', groupDn(group))}\nchangetype: modify\nadd: member\n${ldifLine('member', userDn(handle))}\n-\n\n`,
      );
    },
    async removeMember(group, handle) {
      await slapd.modify(
        `${ldifLine('dn', groupDn(group))}\nchangetype: modify\ndelete: member\n${ldifLine('member', userDn(handle))}\n-\n\n`,
      );
    },
    async deleteGroup(name) {
      await slapd.delete(groupDn(name));
    },
  };
}

let contractAdapter: LdapDatastore | undefined;
describeDatastoreContract('LdapDatastore on OpenLDAP (timestamp algorithm)', () => {
  contractAdapter ??= datastore();
  return { adapter: contractAdapter, source: slapdSource(), exactChanges: false };
});

describe('LdapDatastore on OpenLDAP', () => {
  const users = [...companyUsers(COMPANY)];
  const groups = companyGroups(COMPANY);

  it('detects an LDAPv3 directory and reads every generated user with the right status', async () => {
    const adapter = datastore();
    expect(await adapter.connect()).toMatchObject({
      directory: 'ldapv3',
      detected: true,
      supportsPaging: true,
    });
    const { users: read } = await snapshot(adapter);
    for (const user of users) {
      const found = read.get(user.uid);
      expect(found, user.uid).toBeDefined();
      expect(found?.disabled, user.uid).toBe(user.disabled);
      expect(found?.attributes.cn, user.uid).toBe(user.cn);
    }
    expect(users.filter((user) => user.disabled).length).toBeGreaterThan(0);
  });

  it('reads hostile names and values exactly: quotes, * ( ) \\ , + ; < > #, NUL, non-ASCII, non-UTF-8 bytes', async () => {
    const { users: read, groups: readGroups, idByUid } = await snapshot(datastore());
    for (const user of users.filter((candidate) => candidate.hostile)) {
      const found = read.get(user.uid);
      expect(found, JSON.stringify(user.uid)).toBeDefined();
      expect(found?.attributes.cn).toBe(user.cn);
      if (user.description !== undefined) expect(found?.attributes.description).toBe(user.description);
      if (user.jpegPhoto !== undefined)
        expect(found?.attributes.jpegPhoto).toEqual(Buffer.from(user.jpegPhoto));
    }
    const hostileGroup = readGroups.get(HOSTILE_GROUP_CN);
    expect(hostileGroup?.dn).toBe(companyGroupDn(HOSTILE_GROUP_CN, slapd.suffix));
    expect([...(hostileGroup?.memberIds ?? [])].sort()).toEqual(
      users
        .filter((user) => user.hostile)
        .map((user) => idByUid(user.uid))
        .sort(),
    );
  });

  it('puts hostile values into filters and group DNs without changing their meaning', async () => {
    const { idByUid } = await snapshot(datastore());
    for (const user of users.filter((candidate) => candidate.hostile)) {
      const filtered = datastore({
        users: { baseDn: `ou=people,${slapd.suffix}`, filter: `(uid=${escapeFilterValue(user.uid)})` },
      });
      const found = await collect(filtered.users({ attributes: ['uid'] }));
      expect(
        found.map((candidate) => candidate.id),
        JSON.stringify(user.uid),
      ).toEqual([idByUid(user.uid)]);
      expect((await datastore().user(idByUid(user.uid)))?.attributes.uid).toBe(user.uid);
    }
    const members = datastore({
      users: { baseDn: `ou=people,${slapd.suffix}`, groupDn: companyGroupDn(HOSTILE_GROUP_CN, slapd.suffix) },
    });
    expect((await collect(members.users())).length).toBe(users.filter((user) => user.hostile).length);
  });

  it('maps members of each style (member, uniqueMember, memberUid) to user ids', async () => {
    const { idByUid } = await snapshot(datastore());
    const uidOfDn = new Map(users.map((user) => [user.dn.toLowerCase(), user.uid]));
    const expected = (cn: string): string[] => {
      const group = groups.find((candidate) => candidate.cn === cn);
      if (group === undefined) throw new Error(cn);
      return [
        ...group.userMemberDns.map((dn) => idByUid(uidOfDn.get(dn.toLowerCase()) ?? '')),
        ...group.memberUids.map(idByUid),
      ].sort();
    };
    const byStyle = async (attribute: string, cn: string): Promise<string[]> => {
      const adapter = datastore({ groupMemberAttribute: attribute });
      const group = (await collect(adapter.groups())).find((candidate) => candidate.name === cn);
      return [...(group?.memberIds ?? [])].sort();
    };
    expect(await byStyle('member', 'engineering')).toEqual(expected('engineering'));
    expect(await byStyle('uniqueMember', 'project-apollo')).toEqual(expected('project-apollo'));
    expect(await byStyle('memberUid', 'developers')).toEqual(expected('developers'));
    expect(expected('developers').length).toBeGreaterThan(0);
  });

  it('lists nested groups among the members, by group id', async () => {
    const { groups: readGroups } = await snapshot(datastore());
    const company = readGroups.get('company');
    const allDepartments = readGroups.get('all-departments');
    expect(company?.memberIds).toContain(allDepartments?.id);
  });

  it('scopes users to a group: direct members only, or nested members too, cycles included', async () => {
    const { idByUid } = await snapshot(datastore());
    const scoped = async (cn: string, nested: boolean, memberOf?: string): Promise<string[]> => {
      const adapter = datastore({
        users: { baseDn: `ou=people,${slapd.suffix}`, groupDn: companyGroupDn(cn, slapd.suffix), nested },
        ...(memberOf === undefined ? {} : { memberOfGroupAttribute: memberOf }),
      });
      return (await collect(adapter.users())).map((user) => user.id).sort();
    };
    const regular = users.filter((user) => !user.hostile);
    const inDepartments = regular.map((user) => idByUid(user.uid)).sort();
    expect(await scoped('all-departments', false)).toEqual([]);
    expect(await scoped('all-departments', true)).toEqual(inDepartments);
    expect(await scoped('company', false)).toEqual([idByUid('user00000')]);
    expect(await scoped('company', true)).toEqual(inDepartments);
    expect(await scoped('cycle-a', true)).toEqual([idByUid('user00000'), idByUid('user00001')].sort());
    // The memberOf attribute (kept by slapd's memberof overlay) gives the same direct members.
    expect(await scoped('engineering', false, 'memberOf')).toEqual(await scoped('engineering', false));
    expect((await scoped('engineering', false)).length).toBeGreaterThan(0);
  });

  it('refuses a scope group that does not exist instead of reading an empty scope', async () => {
    const adapter = datastore({
      users: { baseDn: `ou=people,${slapd.suffix}`, groupDn: `cn=no such group,ou=groups,${slapd.suffix}` },
    });
    await expect(collect(adapter.users())).rejects.toSatisfy(isLdapSearchError);
  });

  it('reads the account status from a flag attribute compared with a value', async () => {
    const adapter = datastore({
      accountStatus: { algorithm: 'flag', attribute: 'nsAccountLock', value: 'TRUE' },
    });
    const read = await collect(adapter.users({ attributes: ['uid'] }));
    const disabled = new Set(read.filter((user) => user.disabled).map((user) => String(user.attributes.uid)));
    expect(disabled).toEqual(new Set(users.filter((user) => user.disabled).map((user) => user.uid)));
  });

  it.each(['timestamp', 'timestamp-no-negation'] as const)(
    'finds exactly the users changed since the watermark with the %s algorithm',
    async (algorithm) => {
      const adapter = datastore({ changedUsersAlgorithm: algorithm, clockSkewAllowance: 0 });
      const source = slapdSource();
      const prefix = `ts${algorithm.length}`;
      await source.addUser(`${prefix}-old`);
      await source.addUser(`${prefix}-mod`);
      // Timestamps have one-second resolution: let the second of these changes pass.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const start = await adapter.changes(undefined);
      const watermark = await start.nextWatermark();
      await source.modifyUser(`${prefix}-mod`, 'Changed');
      const delta = await adapter.changes(watermark, { attributes: ['uid', 'title'] });
      expect(delta.full).toBe(false);
      const changed = await collect(delta.users);
      expect(changed.map((user) => user.attributes.uid)).toEqual([`${prefix}-mod`]);
      expect(changed[0]?.attributes.title).toBe('Changed');
    },
  );

  it('reads users under LDAPS and StartTLS with the CA verified', async () => {
    const viaLdaps = datastore({ urls: slapd.ldapsUrl ?? '', ca: slapd.caPem ?? '' });
    expect((await viaLdaps.connect()).url).toBe(slapd.ldapsUrl);
    expect((await collect(viaLdaps.users())).length).toBe(users.length + (await countContractUsers()));
    const viaStartTls = datastore({ startTls: true, ca: slapd.caPem ?? '' });
    expect((await viaStartTls.connect()).url).toBe(slapd.url);
    expect((await viaStartTls.ids()).users.size).toBeGreaterThanOrEqual(users.length);
  });

  it('refuses a server whose certificate is not signed by the configured CA (LDAPS and StartTLS)', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'wrong-ca-'));
    try {
      const wrong = await createTestCertificates(folder);
      for (const options of [
        { urls: slapd.ldapsUrl ?? '', ca: wrong.caPem },
        { startTls: true, ca: wrong.caPem },
        { urls: slapd.ldapsUrl ?? '' },
      ]) {
        const error = await datastore(options)
          .connect()
          .then(
            () => undefined,
            (failure: unknown) => failure,
          );
        expect(isLdapConnectionError(error), JSON.stringify(options.urls)).toBe(true);
        if (isLdapConnectionError(error)) expect(error.tls).toBe(true);
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses a wrong password with an authentication error that does not contain it', async () => {
    const password = `wrong-${slapd.readerPassword}`;
    const error = await datastore({ bindPassword: password })
      .connect()
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(isLdapAuthenticationError(error)).toBe(true);
    if (!isLdapAuthenticationError(error)) return;
    expect(error.resultCode).toBe(49);
    expect(error.message).toContain(`bind as ${slapd.readerDn} on ${slapd.url}`);
    expect(`${error.message}\n${error.stack}`).not.toContain(password);
  });

  it('skips a server that does not answer and uses the next URL', async () => {
    const closedPort = await findFreePort();
    const adapter = datastore({ urls: [`ldap://127.0.0.1:${closedPort}`, slapd.url] });
    expect((await adapter.connect()).url).toBe(slapd.url);
    const alone = datastore({ urls: [`ldap://127.0.0.1:${closedPort}`] });
    const error = await alone.connect().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(isLdapConnectionError(error)).toBe(true);
    if (isLdapConnectionError(error)) expect(error.code).toBe('ECONNREFUSED');
  });
});

/** Users the contract cases added to ou=people (they share the directory with the company). */
async function countContractUsers(): Promise<number> {
  const entries = await slapd.search(`ou=people,${slapd.suffix}`, '(objectClass=inetOrgPerson)', ['uid']);
  return entries.length - [...companyUsers(COMPANY)].length;
}
