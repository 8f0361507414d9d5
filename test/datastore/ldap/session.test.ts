import { describe, expect, it } from 'vitest';
import { isLdapAuthenticationError } from '../../../src/datastore/errors/LdapAuthenticationError';
import {
  isLdapConnectionError,
  type LdapConnectionError,
} from '../../../src/datastore/errors/LdapConnectionError';
import { isLdapSearchError } from '../../../src/datastore/errors/LdapSearchError';
import { isLdapTimeoutError } from '../../../src/datastore/errors/LdapTimeoutError';
import { ldapFilter } from '../../../src/datastore/ldap/filter/build';
import { LdapSession, type LdapSessionSettings } from '../../../src/datastore/ldap/session';
import type { LdapEndpoint } from '../../../src/datastore/ldap/transport';
import { FakeDirectory, people } from './fake-connector';

const PASSWORD = 'S3cret-Pa55word';

function endpoint(url: string): LdapEndpoint {
  const parsed = new URL(url);
  return {
    url,
    secure: parsed.protocol === 'ldaps:',
    host: parsed.hostname,
    port: Number(parsed.port || 389),
  };
}

function session(directory: FakeDirectory, overrides: Partial<LdapSessionSettings> = {}): LdapSession {
  return new LdapSession({
    endpoints: [endpoint('ldap://one.test:389')],
    tls: { rejectUnauthorized: true },
    startTls: false,
    bindDn: 'cn=reader,dc=test',
    bindPassword: PASSWORD,
    connectTimeout: 1000,
    operationTimeout: 1000,
    reconnectAttempts: 2,
    connector: directory.connector,
    ...overrides,
  });
}

const allPeople = {
  base: 'ou=people,dc=test',
  scope: 'sub' as const,
  filter: ldapFilter.eq('objectClass', 'inetOrgPerson'),
  attributes: ['uid'],
  pageSize: 1000,
  label: 'search users',
};

async function caught(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('LdapSession', () => {
  it('reads page by page, keeping exactly one page request ahead of the reader', async () => {
    const directory = new FakeDirectory({ entries: people(3500), password: PASSWORD });
    const ldap = session(directory);
    const iterator = ldap.search(allPeople)[Symbol.asyncIterator]();
    await iterator.next();
    // The first page is being read; the second is on its way; nothing more.
    expect(directory.log.searches).toHaveLength(2);
    let count = 1;
    for (; count < 1500; count += 1) await iterator.next();
    expect(directory.log.searches).toHaveLength(3);
    while (!(await iterator.next()).done) count += 1;
    expect(count).toBe(3500);
    expect(directory.log.searches.map((request) => request.paged?.size)).toEqual([1000, 1000, 1000, 1000]);
    expect(directory.log.binds).toBe(1);
  });

  it('completes attributes the server returns in ranges', async () => {
    const members = Array.from({ length: 3400 }, (_, index) => `uid=user${index},ou=people,dc=test`);
    const directory = new FakeDirectory({
      entries: [
        { dn: 'cn=big,ou=groups,dc=test', attributes: { objectClass: ['groupOfNames'], member: members } },
      ],
      rangeLimit: 1500,
      password: PASSWORD,
    });
    const [group] = await collect(
      session(directory).search({
        ...allPeople,
        base: 'ou=groups,dc=test',
        filter: ldapFilter.present('member'),
        attributes: ['member'],
      }),
    );
    const member = group?.attributes.find((attribute) => attribute.type === 'member');
    expect(member?.values.map(String)).toEqual(members);
    expect(directory.log.searches.slice(1).map((request) => request.attributes)).toEqual([
      ['member;range=1500-*'],
      ['member;range=3000-*'],
    ]);
  });

  it('tries the URLs in order and uses the first that answers', async () => {
    const directory = new FakeDirectory({ entries: people(1), password: PASSWORD });
    directory.refused.add('ldap://one.test:389');
    const ldap = session(directory, {
      endpoints: [endpoint('ldap://one.test:389'), endpoint('ldap://two.test:389')],
    });
    expect(await ldap.connect()).toBe('ldap://two.test:389');
    expect(directory.log.connects).toEqual(['ldap://one.test:389', 'ldap://two.test:389']);
  });

  it('names every URL tried when none answers', async () => {
    const directory = new FakeDirectory({ entries: [], password: PASSWORD });
    directory.refused.add('ldap://one.test:389');
    directory.refused.add('ldap://two.test:389');
    const ldap = session(directory, {
      endpoints: [endpoint('ldap://one.test:389'), endpoint('ldap://two.test:389')],
    });
    const error = (await caught(() => ldap.connect())) as LdapConnectionError;
    expect(isLdapConnectionError(error)).toBe(true);
    expect(error.attempts.map((attempt) => attempt.url)).toEqual([
      'ldap://one.test:389',
      'ldap://two.test:389',
    ]);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toMatch(/one\.test.*two\.test/);
  });

  it('reports a refused bind with the bind DN and the result code, never the password', async () => {
    const directory = new FakeDirectory({
      entries: [],
      password: 'the right one',
      bindDiagnostic: `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error (tried ${PASSWORD}), data 52e`,
    });
    const error = await caught(() => session(directory).connect());
    expect(isLdapAuthenticationError(error)).toBe(true);
    if (!isLdapAuthenticationError(error)) return;
    expect(error.resultCode).toBe(49);
    expect(error.message).toContain('bind as cn=reader,dc=test on ldap://one.test:389');
    expect(error.message).toContain('invalidCredentials');
    expect(
      JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) }),
    ).not.toContain(PASSWORD);
    // An authentication failure is not a reason to try the next server.
    expect(directory.log.connects).toHaveLength(1);
  });

  it('upgrades with StartTLS before binding on ldap:// (not on ldaps://)', async () => {
    const directory = new FakeDirectory({ entries: [], password: PASSWORD });
    await session(directory, { startTls: true }).connect();
    expect(directory.log.startTls).toBe(1);
    await session(directory, { startTls: true, endpoints: [endpoint('ldaps://one.test:636')] }).connect();
    expect(directory.log.startTls).toBe(1);
  });

  it('resumes a search on a new connection after a drop, without repeating entries', async () => {
    const directory = new FakeDirectory({ entries: people(2500), password: PASSWORD });
    directory.dropAfterEntries = 1500;
    directory.drops = 1;
    const entries = await collect(session(directory).search(allPeople));
    expect(entries.map((entry) => entry.dn)).toEqual(people(2500).map((entry) => entry.dn));
    expect(directory.log.binds).toBe(2);
  });

  it('fails with a clear error, not a hang, when the connection keeps dropping', async () => {
    const directory = new FakeDirectory({ entries: people(2500), password: PASSWORD });
    directory.dropAfterEntries = 10;
    directory.drops = 100;
    const error = await caught(() => collect(session(directory, { reconnectAttempts: 2 }).search(allPeople)));
    expect(isLdapConnectionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'search users on ldap://one.test:389: connection lost and not re-established after 2 attempt(s): connection reset by peer',
    );
    expect(directory.log.binds).toBe(3);
  });

  it('gives up on a server that stops answering after the operation timeout', async () => {
    const directory = new FakeDirectory({ entries: people(10), password: PASSWORD });
    directory.hang = true;
    const started = Date.now();
    const error = await caught(() =>
      collect(session(directory, { operationTimeout: 150, reconnectAttempts: 1 }).search(allPeople)),
    );
    expect(isLdapTimeoutError(error)).toBe(true);
    expect((error as Error).message).toContain('no answer within 150 ms');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(directory.log.destroyed).toBeGreaterThanOrEqual(2);
  });

  it('reports a search the server refuses with its result code, base and filter, without retrying', async () => {
    const directory = new FakeDirectory({ entries: people(10), password: PASSWORD });
    directory.failSearchWith = 4;
    const error = await caught(() => collect(session(directory).search(allPeople)));
    expect(isLdapSearchError(error)).toBe(true);
    expect((error as Error).message).toContain('sizeLimitExceeded (result 4)');
    expect((error as Error).message).toContain('base ou=people,dc=test, filter (objectClass=inetOrgPerson)');
    expect(directory.log.searches).toHaveLength(1);
  });

  it('tells the server to release a paged search the reader stopped early', async () => {
    const directory = new FakeDirectory({ entries: people(2500), password: PASSWORD });
    for await (const _entry of session(directory).search(allPeople)) break;
    expect(directory.log.searches.map((request) => request.paged?.size)).toEqual([1000, 1000, 0]);
  });

  it('answers undefined when a read names an entry that does not exist', async () => {
    const directory = new FakeDirectory({ entries: people(1), password: PASSWORD });
    expect(await session(directory).read('uid=nobody,ou=people,dc=test', ['uid'], 'read')).toBeUndefined();
    expect((await session(directory).read('uid=user0,ou=people,dc=test', ['uid'], 'read'))?.dn).toBe(
      'uid=user0,ou=people,dc=test',
    );
  });
});
