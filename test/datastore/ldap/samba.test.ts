/**
 * LdapDatastore against a real Active Directory domain controller (Samba AD on loopback, LDAPS
 * with its own CA): the contract suite with the usn algorithm, AD identifiers in their canonical
 * forms, userAccountControl, nested groups through LDAP_MATCHING_RULE_IN_CHAIN, critical system
 * objects left out, TLS checks. Skipped only where a DC cannot run (not root, samba missing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLdapConnectionError } from '../../../src/datastore/errors/LdapConnectionError';
import { escapeDnValue } from '../../../src/datastore/ldap/dn';
import { LdapDatastore } from '../../../src/datastore/ldap/LdapDatastore';
import type { LdapDatastoreOptions } from '../../../src/datastore/ldap/options';
import type { SourceUser } from '../../../src/datastore/types';
import { ldifLine } from '../../support/ldap/ldif';
import { type SambaHandle, sambaAvailable, startSambaDc } from '../../support/ldap/samba';
import { type ContractSource, describeDatastoreContract } from '../contract';

/** userAccountControl: NORMAL_ACCOUNT | PASSWD_NOTREQD, and the same with ACCOUNTDISABLE. */
const ENABLED = '544';
const DISABLED = '546';

let samba: SambaHandle;
const opened: LdapDatastore[] = [];

function ou(name: string): string {
  return `OU=${name},${samba.baseDn}`;
}

function datastore(overrides: Partial<LdapDatastoreOptions> = {}): LdapDatastore {
  const created = new LdapDatastore({
    urls: samba.ldapsUrl,
    ca: samba.caPem,
    servername: samba.servername,
    bindDn: samba.bindDn,
    bindPassword: samba.password,
    users: { baseDn: ou('Staff') },
    groups: { baseDn: ou('Teams') },
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

/** The contract source: users in OU=Staff, groups in OU=Teams, all changes through LDAPS (ldapmodify). */
function sambaSource(): ContractSource {
  const userDn = (handle: string, where = 'Staff'): string => `CN=${escapeDnValue(handle)},${ou(where)}`;
  const groupDn = (name: string): string => `CN=${escapeDnValue(name)},${ou('Teams')}`;
  const change = (dn: string, body: string): Promise<void> =>
    samba.ldapmodify(`${ldifLine('dn', dn)}\n${body}\n\n`);
  return {
    handleAttribute: 'sAMAccountName',
    modifiableAttribute: 'title',
    attributes: ['sAMAccountName', 'title'],
    async addUser(handle, options) {
      await change(
        userDn(handle),
        [
          'changetype: add',
          'objectClass: user',
          ldifLine('sAMAccountName', handle),
          ldifLine('title', options?.value ?? 'Engineer'),
          `userAccountControl: ${options?.disabled === true ? DISABLED : ENABLED}`,
        ].join('\n'),
      );
    },
    async modifyUser(handle, value) {
      await change(userDn(handle), `changetype: modify\nreplace: title\n${ldifLine('title', value)}\n-`);
    },
    async disableUser(handle) {
      await change(
        userDn(handle),
        `changetype: modify\nreplace: userAccountControl\nuserAccountControl: ${DISABLED}\n-`,
      );
    },
    async enableUser(handle) {
      await change(
        userDn(handle),
        `changetype: modify\nreplace: userAccountControl\nuserAccountControl: ${ENABLED}\n-`,
      );
    },
    async renameUser(handle, newHandle) {
      await change(
        userDn(handle),
        `changetype: modify\nreplace: sAMAccountName\n${ldifLine('sAMAccountName', newHandle)}\n-`,
      );
      await change(
        userDn(handle),
        `changetype: modrdn\n${ldifLine('newrdn', `CN=${escapeDnValue(newHandle)}`)}\ndeleteoldrdn: 1`,
      );
    },
    async moveUserOutOfScope(handle) {
      await change(
        userDn(handle),
        `changetype: modrdn\n${ldifLine('newrdn', `CN=${escapeDnValue(handle)}`)}\ndeleteoldrdn: 1\nnewsuperior: ${ou('Outside')}`,
      );
    },
    async deleteUser(handle) {
      await change(userDn(handle), 'changetype: delete');
    },
    async addGroup(name, members) {
      const lines = ['changetype: add', 'objectClass: group', ldifLine('sAMAccountName', name)];
      for (const member of members) lines.push(ldifLine('member', userDn(member)));
      await change(groupDn(name), lines.join('\n'));
    },
    async addMember(group, handle) {
      await change(
        groupDn(group),
        `changetype: modify\nadd: member\n${ldifLine('member', userDn(handle))}\n-`,
      );
    },
    async removeMember(group, handle) {
      await change(
        groupDn(group),
        `changetype: modify\ndelete: member\n${ldifLine('member', userDn(handle))}\n-`,
      );
    },
    async deleteGroup(name) {
      await change(groupDn(name), 'changetype: delete');
    },
  };
}

describe.skipIf(!sambaAvailable())('LdapDatastore on Samba AD', () => {
  beforeAll(async () => {
    samba = await startSambaDc();
    for (const name of ['Staff', 'Teams', 'Outside']) await samba.createOu(`OU=${name}`);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(opened.map((datastore) => datastore.close()));
    await samba?.stop();
  });

  let contractAdapter: LdapDatastore | undefined;
  describeDatastoreContract('LdapDatastore on Samba AD (usn algorithm)', () => {
    contractAdapter ??= datastore();
    return { adapter: contractAdapter, source: sambaSource(), exactChanges: true };
  });

  it('detects Active Directory and gives objectGUID and objectSid in their canonical string forms', async () => {
    const source = sambaSource();
    await source.addUser('ident');
    const adapter = datastore();
    expect(await adapter.connect()).toMatchObject({ directory: 'active-directory', detected: true });
    const user = (
      await collect(adapter.users({ attributes: ['sAMAccountName', 'objectGUID', 'objectSid'] }))
    ).find((candidate) => candidate.attributes.sAMAccountName === 'ident');
    const [shown] = await samba.search(ou('Staff'), '(sAMAccountName=ident)', ['objectGUID', 'objectSid']);
    const show = await samba.tool('user', 'show', 'ident', '--attributes=objectGUID,objectSid');
    expect(show).toContain(`objectGUID: ${user?.id}`);
    expect(show).toContain(`objectSid: ${String(user?.attributes.objectSid)}`);
    expect(user?.attributes.objectGUID).toBe(user?.id);
    expect(String(user?.attributes.objectSid)).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
    expect(shown?.raw.objectGUID?.[0]?.length).toBe(16);
  });

  it('reads the disabled bit of userAccountControl as set by samba-tool', async () => {
    await samba.createUser('toolman', { ou: 'OU=Staff' });
    await samba.disableUser('toolman');
    const adapter = datastore();
    const read = async (): Promise<SourceUser | undefined> =>
      (await collect(adapter.users({ attributes: ['sAMAccountName'] }))).find(
        (user) => user.attributes.sAMAccountName === 'toolman',
      );
    expect((await read())?.disabled).toBe(true);
    await samba.enableUser('toolman');
    expect((await read())?.disabled).toBe(false);
  });

  it('leaves critical system objects out and scopes to nested members with LDAP_MATCHING_RULE_IN_CHAIN', async () => {
    const source = sambaSource();
    for (const handle of ['nest-a', 'nest-b', 'nest-c']) await source.addUser(handle);
    await source.addGroup('inner', ['nest-a']);
    await source.addGroup('outer', ['nest-b']);
    await samba.ldapmodify(
      `${ldifLine('dn', `CN=outer,${ou('Teams')}`)}\nchangetype: modify\nadd: member\nmember: CN=inner,${ou('Teams')}\n-\n\n`,
    );
    const names = async (nested: boolean): Promise<string[]> => {
      const adapter = datastore({
        users: { baseDn: samba.baseDn, groupDn: `CN=outer,${ou('Teams')}`, nested },
      });
      return (await collect(adapter.users({ attributes: ['sAMAccountName'] })))
        .map((user) => String(user.attributes.sAMAccountName))
        .sort();
    };
    expect(await names(false)).toEqual(['nest-b']);
    expect(await names(true)).toEqual(['nest-a', 'nest-b']);

    const everyone = await collect(
      datastore({ users: { baseDn: samba.baseDn } }).users({ attributes: ['sAMAccountName'] }),
    );
    const accounts = everyone.map((user) => String(user.attributes.sAMAccountName));
    expect(accounts).toContain('nest-a');
    expect(accounts).not.toContain('Administrator');
    expect(accounts).not.toContain('krbtgt');
  });

  it('connects with StartTLS on ldap:// and refuses a certificate that does not name the server', async () => {
    const viaStartTls = datastore({ urls: samba.ldapUrl, startTls: true });
    expect((await viaStartTls.connect()).url).toBe(samba.ldapUrl);
    const error = await datastore({ servername: 'wrong.example.test' })
      .connect()
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(isLdapConnectionError(error)).toBe(true);
    if (isLdapConnectionError(error)) {
      expect(error.tls).toBe(true);
      expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    }
  });
});
