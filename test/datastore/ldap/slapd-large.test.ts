/**
 * LdapDatastore against OpenLDAP holding 20,000 users (bulk-loaded offline) and a group with all
 * of them as members: everything is read in pages, as a reader limited like AD (500 entries without
 * paging, pages of at most 1000) must, and the group's 20,000 members are all resolved to ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWithLdapjs } from '../../../src/datastore/ldap/connection';
import { LdapDatastore } from '../../../src/datastore/ldap/LdapDatastore';
import type { LdapConnector, LdapSearchRequest } from '../../../src/datastore/ldap/transport';
import { type CompanyOptions, companyLdifChunks, companyUsers } from '../../support/ldap/ldif';
import { type SlapdHandle, startSlapd } from '../../support/ldap/slapd';

const COMPANY: CompanyOptions = { users: 20_000, hostile: false };

let slapd: SlapdHandle;
let datastore: LdapDatastore;
const requests: LdapSearchRequest[] = [];

/** The package's ldapjs connector, recording every search request (the `connector` seam). */
const recordingConnector: LdapConnector = async (request) => {
  const connection = await connectWithLdapjs(request);
  return {
    startTls: (tls) => connection.startTls(tls),
    bind: (dn, password) => connection.bind(dn, password),
    search: (search) => {
      requests.push(search);
      return connection.search(search);
    },
    close: () => connection.close(),
    destroy: () => connection.destroy(),
    onClose: (listener) => connection.onClose(listener),
  };
};

beforeAll(async () => {
  slapd = await startSlapd({ bulkLdif: companyLdifChunks(COMPANY) });
  datastore = new LdapDatastore({
    urls: slapd.url,
    bindDn: slapd.readerDn,
    bindPassword: slapd.readerPassword,
    users: { baseDn: `ou=people,${slapd.suffix}` },
    groups: { baseDn: `ou=groups,${slapd.suffix}` },
    connector: recordingConnector,
  });
}, 180_000);

afterAll(async () => {
  await datastore?.close();
  await slapd?.stop();
});

describe('LdapDatastore on OpenLDAP with 20,000 users', () => {
  it('streams 20,000 users page by page (the reader may not read more than 500 without paging)', async () => {
    requests.length = 0;
    let count = 0;
    let disabled = 0;
    const ids = new Set<string>();
    for await (const user of datastore.users({ attributes: ['uid', 'mail', 'cn'] })) {
      count += 1;
      ids.add(user.id);
      if (user.disabled) disabled += 1;
    }
    expect(count).toBe(20_000);
    expect(ids.size).toBe(20_000);
    expect(disabled).toBe([...companyUsers(COMPANY)].filter((user) => user.disabled).length);
    const userSearches = requests.filter((request) => request.base === `ou=people,${slapd.suffix}`);
    // 40 pages of 500; a server that cannot tell the last page is full sends one more, empty.
    expect(userSearches.length).toBeGreaterThanOrEqual(20_000 / 500);
    expect(userSearches.length).toBeLessThanOrEqual(20_000 / 500 + 1);
    expect(userSearches.every((request) => request.paged?.size === 500)).toBe(true);
  });

  it('resolves the 20,000 members of a group to user ids', async () => {
    const ids = await datastore.ids();
    let allStaff: readonly string[] | undefined;
    for await (const group of datastore.groups({ attributes: ['cn'] })) {
      if (group.name === 'all-staff') allStaff = group.memberIds;
    }
    expect(allStaff?.length).toBe(20_000);
    expect(new Set(allStaff)).toEqual(ids.users);
  });
});
