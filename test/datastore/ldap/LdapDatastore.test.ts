import { describe, expect, it } from 'vitest';
import { isLdapConfigError } from '../../../src/datastore/errors/LdapConfigError';
import { formatLdapFilter } from '../../../src/datastore/ldap/filter/format';
import { LdapDatastore } from '../../../src/datastore/ldap/LdapDatastore';
import type { LdapDatastoreOptions } from '../../../src/datastore/ldap/options';
import { FakeDirectory, people } from './fake-connector';

const rootDse = {
  dn: '',
  attributes: { namingContexts: ['dc=test'], supportedControl: ['1.2.840.113556.1.4.319'] },
};

function setup(overrides: Partial<LdapDatastoreOptions> = {}): {
  directory: FakeDirectory;
  adapter: LdapDatastore;
} {
  const directory = new FakeDirectory({ entries: [rootDse, ...people(3)] });
  const adapter = new LdapDatastore({
    urls: 'ldap://fake.test',
    bindDn: 'cn=reader,dc=test',
    bindPassword: 'secret',
    users: { baseDn: 'ou=people,dc=test' },
    connector: directory.connector,
    ...overrides,
  });
  return { directory, adapter };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('LdapDatastore (through the connector seam)', () => {
  it.each([
    ['timestamp', /^\(&\(objectClass=inetOrgPerson\)\(!\(modifyTimestamp<=\d{14}Z\)\)\)$/],
    ['timestamp-no-negation', /^\(&\(objectClass=inetOrgPerson\)\(modifyTimestamp>=\d{14}Z\)\)$/],
  ] as const)('asks for changed users with the %s filter', async (algorithm, expected) => {
    const { directory, adapter } = setup({ changedUsersAlgorithm: algorithm });
    const first = await adapter.changes(undefined);
    await collect(first.users);
    const watermark = await first.nextWatermark();
    directory.log.searches.length = 0;
    await collect((await adapter.changes(watermark)).users);
    const userSearch = directory.log.searches.find((request) => request.base === 'ou=people,dc=test');
    expect(formatLdapFilter(userSearch?.filter ?? { type: 'and', filters: [] })).toMatch(expected);
  });

  it('looks back by the clock skew allowance from the start of the read', async () => {
    const { adapter } = setup({ clockSkewAllowance: 3_600_000 });
    const before = Date.now();
    const watermark = (await (await adapter.changes(undefined)).nextWatermark()) as { since: string };
    const since = Date.UTC(
      Number(watermark.since.slice(0, 4)),
      Number(watermark.since.slice(4, 6)) - 1,
      Number(watermark.since.slice(6, 8)),
      Number(watermark.since.slice(8, 10)),
      Number(watermark.since.slice(10, 12)),
      Number(watermark.since.slice(12, 14)),
    );
    expect(before - 3_600_000 - since).toBeGreaterThanOrEqual(0);
    expect(before - 3_600_000 - since).toBeLessThan(2000);
  });

  it('reads no groups when no groups location is configured', async () => {
    const { adapter } = setup();
    expect(await collect(adapter.groups())).toEqual([]);
    expect((await adapter.ids()).groups.size).toBe(0);
    expect((await adapter.ids()).users.size).toBe(3);
  });

  it('refuses the usn algorithm once the server turns out not to be Active Directory', async () => {
    const { adapter } = setup({ changedUsersAlgorithm: 'usn' });
    await expect(adapter.connect()).rejects.toSatisfy(isLdapConfigError);
  });

  it('finds a user by an id that merely looks like hex as text', async () => {
    const directory = new FakeDirectory({
      entries: [
        rootDse,
        {
          dn: 'uid=a,ou=people,dc=test',
          attributes: { objectClass: ['inetOrgPerson'], entryUUID: ['abcd'] },
        },
      ],
    });
    const adapter = new LdapDatastore({
      urls: 'ldap://fake.test',
      bindDn: 'cn=reader,dc=test',
      bindPassword: 'secret',
      users: { baseDn: 'ou=people,dc=test' },
      connector: directory.connector,
    });
    expect((await adapter.user('abcd'))?.dn).toBe('uid=a,ou=people,dc=test');
  });
});
