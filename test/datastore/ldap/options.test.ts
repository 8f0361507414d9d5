import { describe, expect, it } from 'vitest';
import { isLdapConfigError, type LdapConfigError } from '../../../src/datastore/errors/LdapConfigError';
import {
  type LdapDatastoreOptions,
  resolveLdapDatastoreOptions,
  settingsForDirectory,
} from '../../../src/datastore/ldap/options';

const minimal: LdapDatastoreOptions = {
  urls: 'ldap://127.0.0.1:3890',
  users: { baseDn: 'ou=people,dc=example,dc=com' },
};

function configError(options: unknown): LdapConfigError {
  try {
    resolveLdapDatastoreOptions(options as LdapDatastoreOptions);
  } catch (error) {
    if (isLdapConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected an LdapConfigError');
}

describe('resolveLdapDatastoreOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveLdapDatastoreOptions(minimal);
    expect(resolved).toMatchObject({
      endpoints: [{ url: 'ldap://127.0.0.1:3890', secure: false, host: '127.0.0.1', port: 3890 }],
      startTls: false,
      tls: { rejectUnauthorized: true },
      bindDn: '',
      bindPassword: '',
      connectTimeout: 10_000,
      operationTimeout: 30_000,
      reconnectAttempts: 2,
      groupMemberAttribute: 'member',
      memberUidAttribute: 'uid',
      groupNameAttribute: 'cn',
      defaultStatus: 'enabled',
      pageSize: 500,
      clockSkewAllowance: 60_000,
      users: { baseDn: 'ou=people,dc=example,dc=com', scope: 'sub', nested: false },
      groups: undefined,
    });
    expect(resolveLdapDatastoreOptions({ ...minimal, urls: ['ldaps://dc1.example.com'] }).endpoints).toEqual([
      { url: 'ldaps://dc1.example.com', secure: true, host: 'dc1.example.com', port: 636 },
    ]);
  });

  it('applies the defaults of each kind of directory', () => {
    const resolved = resolveLdapDatastoreOptions({
      ...minimal,
      groups: { baseDn: 'ou=groups,dc=example,dc=com' },
    });
    expect(settingsForDirectory(resolved, 'active-directory')).toMatchObject({
      entryGuidAttribute: 'objectGUID',
      memberOfGroupAttribute: 'memberOf',
      changedUsersAlgorithm: 'usn',
      timestampAttribute: 'whenChanged',
      accountStatus: { algorithm: 'active-directory' },
      userObjectClasses: ['user'],
      groupObjectClasses: ['group'],
    });
    expect(settingsForDirectory(resolved, 'ldapv3')).toMatchObject({
      entryGuidAttribute: 'entryUUID',
      memberOfGroupAttribute: null,
      changedUsersAlgorithm: 'timestamp',
      timestampAttribute: 'modifyTimestamp',
      accountStatus: { algorithm: 'flag', attribute: 'pwdAccountLockedTime' },
      userObjectClasses: ['inetOrgPerson'],
      groupObjectClasses: ['groupOfNames'],
    });
    const posix = resolveLdapDatastoreOptions({ ...minimal, groupMemberAttribute: 'memberUid' });
    expect(settingsForDirectory(posix, 'ldapv3').groupObjectClasses).toEqual(['posixGroup']);
  });

  it('refuses the usn algorithm on a directory that is not AD', () => {
    const resolved = resolveLdapDatastoreOptions({ ...minimal, changedUsersAlgorithm: 'usn' });
    expect(() => settingsForDirectory(resolved, 'ldapv3')).toThrow(
      /changedUsersAlgorithm: 'usn' needs Active Directory/,
    );
  });

  it('never writes to the options it is given', () => {
    const options = {
      ...minimal,
      urls: ['ldap://a.test', 'ldap://b.test'],
      users: { baseDn: 'dc=x', attributes: ['mail'], objectClasses: ['person'] },
      binaryAttributes: ['badge'],
    };
    const copy = structuredClone(options);
    const resolved = resolveLdapDatastoreOptions(Object.freeze(options));
    expect(options).toEqual(copy);
    expect(resolved.users.attributes).not.toBe(options.users.attributes);
  });

  it.each([
    [{ ...minimal, urls: [] }, 'urls'],
    [{ ...minimal, urls: ['http://x'] }, 'urls[0]'],
    [{ ...minimal, urls: ['ldap://ok', 'ldap://user:pw@host'] }, 'urls[1]'],
    [{ ...minimal, users: { baseDn: 'not a dn' } }, 'users.baseDn'],
    [{ ...minimal, users: undefined }, 'users'],
    [{ ...minimal, users: { baseDn: 'dc=x', filter: '(cn=a' } }, 'users.filter'],
    [{ ...minimal, users: { baseDn: 'dc=x', scope: 'subtree' } }, 'users.scope'],
    [{ ...minimal, users: { baseDn: 'dc=x', groupDn: 'cn' } }, 'users.groupDn'],
    [{ ...minimal, users: { baseDn: 'dc=x', attributes: ['ok', 'bad name'] } }, 'users.attributes[1]'],
    [{ ...minimal, groups: { baseDn: 'dc=x', objectClasses: [] } }, 'groups.objectClasses'],
    [{ ...minimal, bindPassword: 'x' }, 'bindDn'],
    [{ ...minimal, operationTimeout: 0 }, 'operationTimeout'],
    [{ ...minimal, pageSize: 1.5 }, 'pageSize'],
    [{ ...minimal, changedUsersAlgorithm: 'dirsync' }, 'changedUsersAlgorithm'],
    [{ ...minimal, accountStatus: { algorithm: 'flag' } }, 'accountStatus.attribute'],
    [
      { ...minimal, accountStatus: { algorithm: 'flag', attribute: 'x', statusWhenMatched: 'off' } },
      'accountStatus.statusWhenMatched',
    ],
    [{ ...minimal, ca: 42 }, 'ca'],
    [{ ...minimal, directory: 'openldap' }, 'directory'],
  ])('names the field at fault (%#: %s)', (options, field) => {
    const error = configError(options);
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it('keeps the bind password out of config errors', () => {
    const error = configError({
      ...minimal,
      bindDn: 'cn=x',
      bindPassword: 'hunter2-secret',
      urls: ['ftp://x'],
    });
    expect(error.message).not.toContain('hunter2-secret');
  });
});
