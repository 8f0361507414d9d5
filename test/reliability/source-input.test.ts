/**
 * Source values that would inject or confuse: SCIM filter syntax in userNames (lookups find the
 * exact user and touch nothing else), LDAP filter syntax in ids (LdapDatastore lookups against a
 * real slapd match nothing extra), NUL bytes, 100 kB values, duplicate userNames and names
 * differing only in case (one provisioned, the other reported as a MatchConflictError, nothing
 * sent for it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient } from '../../src/client/ScimClient';
import { LdapDatastore } from '../../src/datastore/ldap/LdapDatastore';
import { InMemoryDatastore } from '../../src/datastore/memory/InMemoryDatastore';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import { person, USER_MAPPING } from '../engine/helpers';
import { companyLdif } from '../support/ldap/ldif';
import { type SlapdHandle, startSlapd } from '../support/ldap/slapd';

const SCIM_INJECTIONS = [
  'a" or userName pr or "',
  '" or "1" eq "1',
  'back\\slash',
  'trailing\\',
  'quote"inside',
  "apostrophe'o",
  'paren) or (userName pr',
  'user1" or userName eq "user2',
];
const LDAP_INJECTIONS = ['*', '*)(objectClass=*', 'user00001)(|(uid=*', '\\', '\\2a', 'a\u0000b', '(uid=*)'];

let slapd: SlapdHandle;
let server: ScimTestServer;
const clients: ScimClient[] = [];
let inputs = 0;

beforeAll(async () => {
  [slapd, server] = await Promise.all([
    startSlapd({ seedLdif: companyLdif({ users: 5 }) }),
    ScimTestServer.start(),
  ]);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server?.close();
  await slapd?.stop();
  console.info(`source input: ${inputs} hostile values tried`);
});

function newClient(): ScimClient {
  const client = new ScimClient({ baseUrl: server.baseUrl, retry: { limit: 1, baseDelay: 1 } });
  clients.push(client);
  return client;
}

function engine(datastore: InMemoryDatastore, state: MemoryStateStore): ProvisioningEngine {
  return new ProvisioningEngine({
    datastore,
    client: newClient(),
    state,
    mapping: { users: USER_MAPPING },
    users: { removeAction: 'delete' },
    safety: { deletionThreshold: Number.POSITIVE_INFINITY },
  });
}

describe('SCIM filter syntax in source values', () => {
  it('provisions each hostile userName once, and a lookup finds exactly that user', async () => {
    const users = [
      person(1),
      person(2),
      ...SCIM_INJECTIONS.map((uid, index) =>
        person(10 + index, { attributes: { ...person(10 + index).attributes, uid } }),
      ),
    ];
    const datastore = new InMemoryDatastore({ users });
    const state = new MemoryStateStore();
    const report = await engine(datastore, state).sync();
    expect(report.failures).toEqual([]);
    const names = server
      .snapshot()
      .users.map((user) => String(user.userName))
      .sort();
    expect(names).toEqual(['user1', 'user2', ...SCIM_INJECTIONS].sort());

    const client = newClient();
    for (const value of SCIM_INJECTIONS) {
      inputs += 1;
      const found = await client.users.findByUserName(value);
      expect(found?.userName).toBe(value);
    }
    // A value that only matches when the filter is injected finds nothing.
    expect(await client.users.findByUserName('nobody" or userName pr or "')).toBeUndefined();

    // A new engine on an empty state links every one of them (lookups), sending no write but PUTs.
    server.resetStats();
    const relink = await engine(datastore, new MemoryStateStore()).sync();
    expect(relink.failures).toEqual([]);
    expect(server.stats().byMethod.POST ?? 0).toBe(0);
    expect(server.stats().byMethod.DELETE ?? 0).toBe(0);
    expect(server.snapshot().users).toHaveLength(users.length);
  });
});

describe('LDAP filter syntax in lookups against slapd', () => {
  it('user(id) with filter syntax matches nothing, by entryUUID and by uid', async () => {
    for (const entryGuidAttribute of [undefined, 'uid']) {
      const datastore = new LdapDatastore({
        urls: slapd.url,
        bindDn: slapd.readerDn,
        bindPassword: slapd.readerPassword,
        users: { baseDn: `ou=people,${slapd.suffix}` },
        ...(entryGuidAttribute === undefined ? {} : { entryGuidAttribute }),
      });
      try {
        const all: string[] = [];
        for await (const user of datastore.users()) all.push(user.id);
        expect(all.length).toBeGreaterThan(0);
        expect(await datastore.user(all[0] as string)).toMatchObject({ id: all[0] });
        for (const value of LDAP_INJECTIONS) {
          inputs += 1;
          expect(
            await datastore.user(value),
            `${entryGuidAttribute ?? 'entryUUID'} ${JSON.stringify(value)}`,
          ).toBeUndefined();
        }
      } finally {
        await datastore.close();
      }
    }
  });
});

describe('odd source values', () => {
  it('NUL bytes and 100 kB values are written exactly or refused per user, never crash the cycle', async () => {
    const long = 'x'.repeat(100 * 1024);
    const datastore = new InMemoryDatastore({
      users: [
        person(201, { attributes: { ...person(201).attributes, title: 'a\u0000b' } }),
        person(202, { attributes: { ...person(202).attributes, title: long } }),
        person(203, { attributes: { ...person(203).attributes, uid: 'nul\u0000name' } }),
      ],
    });
    inputs += 3;
    const report = await engine(datastore, new MemoryStateStore()).sync();
    for (const failure of report.failures) expect(failure.error.name).toMatch(/^(Scim|Mapping)/);
    const byName = new Map(server.snapshot().users.map((user) => [String(user.userName), user]));
    expect(byName.get('user201')?.title).toBe('a\u0000b');
    expect(byName.get('user202')?.title).toBe(long);
  });

  it('duplicate userNames and names differing only in case: one provisioned, the other a MatchConflictError', async () => {
    const local = await ScimTestServer.start();
    try {
      const client = new ScimClient({ baseUrl: local.baseUrl, retry: { limit: 1, baseDelay: 1 } });
      clients.push(client);
      const same = (id: string, uid: string) =>
        person(300, { id, attributes: { ...person(300).attributes, uid } });
      const datastore = new InMemoryDatastore({
        users: [same('d1', 'twin'), same('d2', 'twin'), same('c1', 'Casey'), same('c2', 'casey'), person(1)],
      });
      inputs += 4;
      const state = new MemoryStateStore();
      const run = () =>
        new ProvisioningEngine({
          datastore,
          client,
          state,
          mapping: { users: USER_MAPPING },
          users: { removeAction: 'delete' },
        });
      for (let cycle = 0; cycle < 2; cycle += 1) {
        const requestsBefore = local.stats().totalRequests;
        const report = await run().sync({ full: true });
        const conflicts = report.failures.filter((failure) => failure.error.name === 'MatchConflictError');
        expect(conflicts.map((failure) => failure.sourceId).sort()).toEqual(
          expect.arrayContaining([expect.stringMatching(/^[dc][12]$/), expect.stringMatching(/^[dc][12]$/)]),
        );
        expect(conflicts).toHaveLength(2);
        expect(local.stats().totalRequests).toBeGreaterThan(requestsBefore);
        const names = local
          .snapshot()
          .users.map((user) => String(user.userName).toLowerCase())
          .sort();
        expect(names).toEqual(['casey', 'twin', 'user1']);
        expect(local.snapshot().users.every((user) => user.active !== false)).toBe(true);
      }
      expect(local.stats().byMethod.DELETE ?? 0).toBe(0);
    } finally {
      await local.close();
    }
  });
});
