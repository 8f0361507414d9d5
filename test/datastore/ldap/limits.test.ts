/**
 * LdapDatastore against a server that enforces Active Directory's limits (MaxPageSize 1000,
 * MaxValRange 1500) and can drop connections mid-search: 20,000 users and a 20,000-member group
 * read in pages and ranges, streaming, retries after a drop, a clear error when drops persist.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isLdapConnectionError } from '../../../src/datastore/errors/LdapConnectionError';
import { formatGuid } from '../../../src/datastore/ldap/guid';
import { LdapDatastore } from '../../../src/datastore/ldap/LdapDatastore';
import type { LdapDatastoreOptions } from '../../../src/datastore/ldap/options';
import { type LimitsServerHandle, startLimitsServer } from '../../support/ldap/limits-server';

const USERS = 20_000;

let server: LimitsServerHandle;
const opened: LdapDatastore[] = [];

beforeAll(async () => {
  server = await startLimitsServer({ users: USERS });
});

afterAll(async () => {
  await Promise.all(opened.map((datastore) => datastore.close()));
  await server?.close();
});

beforeEach(() => {
  server.setDrop(undefined);
  server.resetStats();
});

function datastore(overrides: Partial<LdapDatastoreOptions> = {}): LdapDatastore {
  const created = new LdapDatastore({
    urls: server.url,
    bindDn: server.userPrincipalName,
    bindPassword: server.password,
    users: { baseDn: server.directory.peopleDn },
    groups: { baseDn: server.directory.groupsDn },
    ...overrides,
  });
  opened.push(created);
  return created;
}

function expectedId(index: number): string {
  return formatGuid(server.directory.guidAt(server.directory.userPosition(index)));
}

describe('LdapDatastore against AD limits', () => {
  it('reads 20,000 users in pages the server accepts, with AD GUIDs as ids and userAccountControl status', async () => {
    const adapter = datastore();
    expect(await adapter.connect()).toMatchObject({ directory: 'active-directory', detected: true });
    let count = 0;
    let disabled = 0;
    const ids = new Set<string>();
    for await (const user of adapter.users({ attributes: ['sAMAccountName'] })) {
      if (count % 4999 === 0) {
        const index = Number(String(user.attributes.sAMAccountName).slice(4));
        expect(user.id).toBe(expectedId(index));
        expect(user.disabled).toBe(server.directory.userDisabled(index));
      }
      ids.add(user.id);
      if (user.disabled) disabled += 1;
      count += 1;
    }
    expect(count).toBe(USERS);
    expect(ids.size).toBe(USERS);
    expect(disabled).toBe(USERS / 10);
    expect(server.stats.sizeLimitExceeded).toBe(0);
    expect(server.stats.largestResponse).toBeLessThanOrEqual(500);
    expect(server.stats.pagedSearches).toBeGreaterThanOrEqual(USERS / 500);
  });

  it('streams: the server sends at most one page ahead of the reader', async () => {
    const adapter = datastore();
    await adapter.connect();
    server.resetStats();
    let read = 0;
    for await (const _user of adapter.users({ attributes: ['sAMAccountName'] })) {
      read += 1;
      if (read === 1) expect(server.stats.entriesSent).toBeLessThanOrEqual(2 * 500);
      if (read === 1200) break;
    }
    // Reading page 3 (entries 1001-1500) has page 4 on its way, no more.
    expect(server.stats.entriesSent).toBeLessThanOrEqual(4 * 500);
    expect(server.stats.entriesSent).toBeLessThan(USERS);
  });

  it('keeps reading when the page size asked for is above the server limit', async () => {
    const adapter = datastore({ pageSize: 5000 });
    expect((await adapter.ids()).users.size).toBe(USERS);
    expect(server.stats.largestResponse).toBeLessThanOrEqual(server.pageSizeLimit);
    expect(server.stats.sizeLimitExceeded).toBe(0);
  });

  it('reads a 20,000-member group through ranged retrieval (member;range=...)', async () => {
    const adapter = datastore();
    let big: { memberIds: readonly string[] } | undefined;
    for await (const group of adapter.groups({ attributes: ['cn'] })) {
      if (group.name === 'Big Group') big = group;
    }
    expect(big?.memberIds.length).toBe(USERS);
    expect(new Set(big?.memberIds).size).toBe(USERS);
    expect(big?.memberIds).toContain(expectedId(USERS - 1));
    expect(server.stats.largestValueCount).toBeLessThanOrEqual(server.rangeLimit);
    expect(server.stats.rangedAttributes).toBeGreaterThanOrEqual(Math.ceil(USERS / server.rangeLimit));
  });

  it('finds a user by its binary objectGUID (escaped bytes in the filter)', async () => {
    const adapter = datastore();
    for (const index of [0, 7, 12_345]) {
      const user = await adapter.user(expectedId(index), { attributes: ['sAMAccountName'] });
      expect(user?.attributes.sAMAccountName).toBe(server.directory.userSamAccountName(index));
    }
  });

  it('scopes users to a group with LDAP_MATCHING_RULE_IN_CHAIN when nested', async () => {
    const scoped = async (nested: boolean): Promise<string[]> => {
      const adapter = datastore({
        users: { baseDn: server.directory.peopleDn, groupDn: server.directory.nestedGroupDn, nested },
      });
      const ids: string[] = [];
      for await (const user of adapter.users()) ids.push(user.id);
      return ids.sort();
    };
    expect(await scoped(false)).toEqual([expectedId(3)]);
    expect(await scoped(true)).toEqual([0, 1, 2, 3].map(expectedId).sort());
  });

  it('uses the DC highestCommittedUSN and invocationId as the watermark (usn algorithm)', async () => {
    const adapter = datastore();
    const first = await adapter.changes(undefined);
    expect(first.full).toBe(true);
    const watermark = await first.nextWatermark();
    expect(watermark).toMatchObject({ kind: 'ldap-usn', usn: String(server.directory.highestCommittedUsn) });
    const delta = await adapter.changes(watermark);
    expect(delta.full).toBe(false);
    let changed = 0;
    for await (const _user of delta.users) changed += 1;
    expect(changed).toBe(0);
    const restored = await adapter.changes({
      ...(watermark as Record<string, string>),
      invocationId: 'another-database',
    });
    expect(restored.full).toBe(true);
  });

  it('resumes after the connection drops mid-search, without losing or repeating users', async () => {
    const adapter = datastore();
    await adapter.connect();
    server.setDrop(1500, 1);
    const ids = new Set<string>();
    let count = 0;
    for await (const user of adapter.users()) {
      ids.add(user.id);
      count += 1;
    }
    expect(server.stats.droppedConnections).toBe(1);
    expect(count).toBe(USERS);
    expect(ids.size).toBe(USERS);
  });

  it('ends in a clear error, never a hang, when the connection keeps dropping', async () => {
    const adapter = datastore({ reconnectAttempts: 2 });
    await adapter.connect();
    server.setDrop(700);
    const started = Date.now();
    let count = 0;
    const error = await (async () => {
      for await (const _user of adapter.users()) count += 1;
    })().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(isLdapConnectionError(error)).toBe(true);
    expect((error as Error).message).toContain(`search users on ${server.url}`);
    expect(count).toBeLessThan(USERS);
    expect(server.stats.droppedConnections).toBe(3);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
