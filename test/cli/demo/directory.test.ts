/**
 * The demo's in-process LDAP directory, checked with a plain ldapjs client and with the SDK's
 * LdapDatastore (which is what the demo points at it).
 */
import ldap from 'ldapjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DemoDirectory } from '../../../src/cli/demo/directory';
import { isLdapAuthenticationError } from '../../../src/datastore/errors/LdapAuthenticationError';
import { LdapDatastore } from '../../../src/datastore/ldap/LdapDatastore';

const SUFFIX = 'dc=test,dc=example';
const BIND_DN = `cn=reader,${SUFFIX}`;
const PASSWORD = 'directory-test-password';

const LDIF = `# a small directory
dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: test
o: Test

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${SUFFIX}
objectClass: organizationalUnit
ou: groups

${Array.from(
  { length: 12 },
  (_, index) => `dn: uid=user${index},ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: user${index}
cn: User ${index}
sn:: ${Buffer.from(`Surname ${index}`).toString('base64')}
title: ${index % 2 === 0 ? 'Engineer' : 'Analyst'}
mail: user${index}@test.example
${index === 3 ? 'pwdAccountLockedTime: 000001010000Z\n' : ''}`,
).join('\n')}
dn: cn=evens,ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: evens
member: uid=user0,ou=people,${SUFFIX}
member: uid=user2,ou=people,${SUFFIX}

dn: cn=everyone,ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: everyone
member: cn=evens,ou=groups,${SUFFIX}
member: uid=user1,ou=people,${SUFFIX}
`;

interface Found {
  dn: string;
  attributes: Record<string, string[]>;
}

let directory: DemoDirectory;
const clients: ldap.Client[] = [];

beforeAll(async () => {
  directory = await DemoDirectory.start({ ldif: LDIF, bindDn: BIND_DN, bindPassword: PASSWORD });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

afterAll(async () => {
  await directory?.close();
});

async function client(bind = true): Promise<ldap.Client> {
  const created = ldap.createClient({ url: directory.url });
  created.on('error', () => {});
  clients.push(created);
  if (bind) {
    await new Promise<void>((resolve, reject) =>
      created.bind(BIND_DN, PASSWORD, (error) => (error ? reject(error) : resolve())),
    );
  }
  return created;
}

function search(
  connection: ldap.Client,
  base: string,
  options: ldap.SearchOptions,
  controls: ldap.Control[] = [],
): Promise<Found[]> {
  return new Promise((resolve, reject) => {
    connection.search(base, options, controls, (error, response) => {
      if (error) {
        reject(error);
        return;
      }
      const found: Found[] = [];
      response.on('searchEntry', (entry) => {
        const attributes: Record<string, string[]> = {};
        for (const attribute of entry.attributes) {
          const values = attribute.values;
          attributes[attribute.type] = typeof values === 'string' ? [values] : values.map(String);
        }
        found.push({ dn: entry.objectName ?? '', attributes });
      });
      response.on('error', reject);
      response.on('end', () => resolve(found));
    });
  });
}

function datastore(options: { password?: string; pageSize?: number } = {}): LdapDatastore {
  return new LdapDatastore({
    urls: directory.url,
    bindDn: BIND_DN,
    bindPassword: options.password ?? PASSWORD,
    users: { baseDn: `ou=people,${SUFFIX}` },
    groups: { baseDn: `ou=groups,${SUFFIX}` },
    pageSize: options.pageSize ?? 5,
  });
}

describe('DemoDirectory', () => {
  it('publishes a rootDSE to anyone, and answers other searches only after a bind', async () => {
    const anonymous = await client(false);
    const [root] = await search(anonymous, '', {
      scope: 'base',
      attributes: ['namingContexts', 'supportedControl', 'currentTime'],
    });
    expect(root?.attributes.namingContexts).toEqual([SUFFIX]);
    expect(root?.attributes.supportedControl).toContain('1.2.840.113556.1.4.319');
    expect(root?.attributes.currentTime?.[0]).toMatch(/^\d{14}Z$/);
    await expect(search(anonymous, SUFFIX, { scope: 'sub' })).rejects.toThrow(/Insufficient Access Rights/);
  });

  it('refuses a wrong password, as the SDK reports it', async () => {
    const error = await datastore({ password: 'not-the-password' })
      .connect()
      .catch((caught: unknown) => caught);
    expect(isLdapAuthenticationError(error)).toBe(true);
    expect(String(error)).not.toContain('not-the-password');
  });

  it('searches with base, one and sub scope, and returns operational attributes only when asked', async () => {
    const connection = await client();
    expect(await search(connection, `ou=people,${SUFFIX}`, { scope: 'base' })).toHaveLength(1);
    expect(await search(connection, `ou=people,${SUFFIX}`, { scope: 'one' })).toHaveLength(12);
    expect(await search(connection, `ou=people,${SUFFIX}`, { scope: 'sub' })).toHaveLength(13);
    expect(await search(connection, SUFFIX, { scope: 'one' })).toHaveLength(2);

    const [plain] = await search(connection, `uid=user0,ou=people,${SUFFIX}`, { scope: 'base' });
    expect(plain?.attributes).toHaveProperty('cn');
    expect(plain?.attributes).not.toHaveProperty('entryUUID');
    const [operational] = await search(connection, `uid=user0,ou=people,${SUFFIX}`, {
      scope: 'base',
      attributes: ['entryuuid', 'memberOf', 'modifyTimestamp'],
    });
    expect(operational?.attributes.entryUUID?.[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab]/);
    expect(operational?.attributes.memberOf).toEqual([`cn=evens,ou=groups,${SUFFIX}`]);
    expect(operational?.attributes).not.toHaveProperty('cn');
  });

  it('evaluates equality (ignoring case), presence, substring, ordering, and, or and not', async () => {
    const connection = await client();
    const uids = async (filter: string) =>
      (await search(connection, `ou=people,${SUFFIX}`, { scope: 'sub', filter, attributes: ['uid'] }))
        .map((entry) => entry.attributes.uid?.[0])
        .sort();

    expect(await uids('(TITLE=engineer)')).toEqual(['user0', 'user10', 'user2', 'user4', 'user6', 'user8']);
    expect(await uids('(pwdAccountLockedTime=*)')).toEqual(['user3']);
    expect(await uids('(sn=Surname 1*)')).toEqual(['user1', 'user10', 'user11']);
    expect(await uids('(mail=*@test.example)')).toHaveLength(12);
    expect(await uids('(&(title=Analyst)(|(uid=user1)(uid=user5)(uid=user2)))')).toEqual(['user1', 'user5']);
    expect(await uids('(&(objectClass=inetOrgPerson)(!(title=Engineer)))')).toHaveLength(6);
    expect(await uids('(uid>=user8)')).toEqual(['user8', 'user9']);
  });

  it('pages results with the simple paged results control, as LdapDatastore reads them', async () => {
    const store = datastore({ pageSize: 5 });
    try {
      const users = [];
      for await (const user of store.users()) users.push(user);
      expect(users).toHaveLength(12);
      expect(new Set(users.map((user) => user.id)).size).toBe(12);
      expect(users.filter((user) => user.disabled).map((user) => user.attributes.uid)).toEqual(['user3']);
      const groups = [];
      for await (const group of store.groups()) groups.push(group);
      const everyone = groups.find((group) => group.name === 'everyone');
      const evens = groups.find((group) => group.name === 'evens');
      expect(everyone?.memberIds).toHaveLength(2);
      expect(everyone?.memberIds).toContain(evens?.id);
      expect(directory.stats().searches).toBeGreaterThan(4);
    } finally {
      await store.close();
    }
  });

  it('stamps changes, so that an incremental read finds them; renames keep the id and the memberships', async () => {
    const store = datastore();
    try {
      const first = await store.changes(undefined);
      for await (const _ of first.users);
      for await (const _ of first.groups);
      const watermark = await first.nextWatermark();
      const known = await store.ids();
      const before = new Map<string, string>();
      for await (const user of store.users()) before.set(String(user.attributes.uid), user.id);

      directory.modify(`uid=user5,ou=people,${SUFFIX}`, { title: 'Principal Analyst' });
      const renamed = directory.rename(`uid=user2,ou=people,${SUFFIX}`, 'uid=user2b');

      const delta = await store.changes(watermark, { known: { users: known.users, groups: known.groups } });
      const changedUsers = [];
      for await (const user of delta.users) changedUsers.push(user);
      const changedGroups = [];
      for await (const group of delta.groups) changedGroups.push(group);

      expect(changedUsers.map((user) => user.attributes.uid).sort()).toEqual(['user2b', 'user5']);
      expect(changedUsers.find((user) => user.attributes.uid === 'user2b')?.id).toBe(before.get('user2'));
      expect(changedGroups.map((group) => group.name)).toEqual(['evens']);
      expect(changedGroups[0]?.memberIds).toContain(before.get('user2'));
      expect(directory.get(`cn=evens,ou=groups,${SUFFIX}`)?.attributes.member).toContain(renamed);
      expect((await delta.removed()).users).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('removes every reference to a deleted entry', async () => {
    directory.add(`uid=temp,ou=people,${SUFFIX}`, {
      objectClass: 'inetOrgPerson',
      uid: 'temp',
      cn: 'Temp',
      sn: 'T',
    });
    directory.addValues(`cn=everyone,ou=groups,${SUFFIX}`, 'member', [`uid=temp,ou=people,${SUFFIX}`]);
    expect(directory.get(`cn=everyone,ou=groups,${SUFFIX}`)?.attributes.member).toHaveLength(3);

    directory.delete(`uid=temp,ou=people,${SUFFIX}`);

    expect(directory.get(`uid=temp,ou=people,${SUFFIX}`)).toBeUndefined();
    expect(directory.get(`cn=everyone,ou=groups,${SUFFIX}`)?.attributes.member).toHaveLength(2);
    expect(() => directory.delete(`ou=people,${SUFFIX}`)).toThrow(/has children/);
  });
});
