/**
 * Issue 9, "Directory side": one deployment (a real slapd with a few thousand users, read in pages
 * by LdapDatastore, provisioned through the engine to a ScimTestServer) lives through a series of
 * directory incidents: a base DN that finds nobody, a filter or scope that suddenly excludes
 * everyone or most, a bind that starts failing, and slapd killed in the middle of a paged search.
 * Each time: no removal beyond the deletion threshold, a clear typed error or a held-removals
 * report, and the next good cycle converges with nothing lost. Assertions are on the SCIM target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient } from '../../src/client/ScimClient';
import { isLdapDatastoreError } from '../../src/datastore/errors/LdapDatastoreError';
import { LdapDatastore } from '../../src/datastore/ldap/LdapDatastore';
import type { LdapDatastoreOptions } from '../../src/datastore/ldap/options';
import { LDAPV3_USER_MAPPING } from '../../src/engine/mapping/defaults';
import type { HeldRemovals } from '../../src/engine/operations';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import type { SyncReport } from '../../src/engine/report';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import { companyGroups, companyLdifChunks, ldifLine } from '../support/ldap/ldif';
import { type SlapdHandle, startSlapd } from '../support/ldap/slapd';
import { activeUsers, pictureOf, type TargetPicture } from './support/faults/picture';
import { SearchTrap } from './support/faults/search-trap';
import { SlapdOutage } from './support/faults/slapd-outage';

const FULL = process.env.RELIABILITY_SCALE === 'full';
const COMPANY = { users: FULL ? 10_000 : 2000, hostile: false, disabledEvery: 0, departments: 6 } as const;
/** The deployment's deletion threshold: a count well under what the incidents would remove. */
const THRESHOLD = 100;
/** vitest timeout of one test: a full cycle over 10,000 entries takes minutes on a shared machine. */
const TEST_TIMEOUT = FULL ? 900_000 : 60_000;

let slapd: SlapdHandle;
let outage: SlapdOutage;
let server: ScimTestServer;
let client: ScimClient;
const trap = new SearchTrap();
const store = new MemoryStateStore();
const datastores: LdapDatastore[] = [];
/** What the target must hold: the picture after the first cycle, plus what tests add since. */
let expected: TargetPicture;

function datastore(overrides: Partial<LdapDatastoreOptions> = {}): LdapDatastore {
  const made = new LdapDatastore({
    urls: slapd.url,
    bindDn: slapd.readerDn,
    bindPassword: slapd.readerPassword,
    users: { baseDn: `ou=people,${slapd.suffix}` },
    groups: { baseDn: `ou=groups,${slapd.suffix}` },
    connector: trap.connector,
    reconnectAttempts: 1,
    connectTimeout: 2000,
    operationTimeout: 10_000,
    ...overrides,
  });
  datastores.push(made);
  return made;
}

/** An engine of the deployment (its one state store, its target) reading `source`. */
function engine(source: LdapDatastore): ProvisioningEngine {
  return new ProvisioningEngine({
    datastore: source,
    client,
    state: store,
    mapping: { users: LDAPV3_USER_MAPPING },
    users: { removeAction: 'disable' },
    safety: { deletionThreshold: THRESHOLD },
  });
}

/** Runs one cycle and returns its report and the `removalsHeld` events it emitted. */
async function cycle(source: LdapDatastore, options: { full?: boolean } = {}) {
  const run = engine(source);
  const held: HeldRemovals[] = [];
  run.on('removalsHeld', (event) => held.push(event));
  const report = await run.sync(options);
  return { report, held };
}

/** The error a cycle on `source` fails with; the cycle must fail. */
async function failingCycle(source: LdapDatastore, options: { full?: boolean } = {}): Promise<Error> {
  try {
    await engine(source).sync(options);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the cycle to fail');
}

/** The good configuration converges: one cycle, no failure, no removal, the expected target. */
async function expectConverges(): Promise<SyncReport> {
  const { report, held } = await cycle(datastore());
  expect(report.failures).toEqual([]);
  expect(held).toEqual([]);
  expect(report.users.disabled + report.users.deleted + report.groups.deleted).toBe(0);
  expect(pictureOf(server)).toEqual(expected);
  return report;
}

function printFigures(label: string, figures: Record<string, unknown>): void {
  console.log(`[reliability:directory:${FULL ? 'full' : 'ci'}] ${label} ${JSON.stringify(figures)}`);
}

beforeAll(async () => {
  const empty = `${ldifLine('dn', `ou=empty,dc=example,dc=com`)}\nobjectClass: organizationalUnit\nou: empty\n\n`;
  slapd = await startSlapd({ bulkLdif: [...companyLdifChunks(COMPANY), empty] });
  outage = new SlapdOutage(slapd);
  server = await ScimTestServer.start({ maxPageSize: 1000 });
  client = new ScimClient({ baseUrl: server.baseUrl, concurrency: 8, retry: { limit: 2, baseDelay: 5 } });
  const started = Date.now();
  const { report } = await cycle(datastore());
  expect(report.failures).toEqual([]);
  expected = pictureOf(server);
  expect(activeUsers(expected)).toBe(COMPANY.users);
  // The LDAPv3 defaults read groupOfNames groups (the company's other styles need other settings).
  const groupOfNames = companyGroups(COMPANY).filter((group) => group.style === 'groupOfNames');
  expect(Object.keys(expected.groups).sort()).toEqual(groupOfNames.map((group) => group.cn).sort());
  expect(expected.duplicates).toEqual([]);
  printFigures('initial', { users: COMPANY.users, wallMs: Date.now() - started });
}, 600_000);

afterAll(async () => {
  await Promise.all(datastores.map((made) => made.close().catch(() => undefined)));
  client?.close();
  await server?.close();
  await outage?.stop();
  await slapd?.stop();
});

describe('a search that finds nobody', () => {
  it.each([
    ['a wrong base DN (an empty OU)', { users: { baseDn: 'ou=empty,dc=example,dc=com' } }],
    [
      'a filter that excludes everyone',
      { users: { baseDn: 'ou=people,dc=example,dc=com', filter: '(employeeType=nobody-has-this)' } },
    ],
  ] as const)(
    '%s: every removal held (emptySource), nothing removed, the next good cycle converges',
    async (_label, overrides) => {
      for (const full of [false, true]) {
        const { report, held } = await cycle(datastore(overrides), { full });
        expect(report.held?.because).toBe('emptySource');
        expect(report.held?.users).toHaveLength(COMPANY.users);
        expect(held).toHaveLength(1);
        expect(report.users.disabled + report.users.deleted + report.groups.deleted).toBe(0);
        expect(report.watermarkAdvanced).toBe(false);
        expect(pictureOf(server)).toEqual(expected);
      }
      await expectConverges();
    },
    TEST_TIMEOUT,
  );
});

describe('a base DN that does not exist', () => {
  it(
    'fails the cycle with a typed error before anything is written; the next good cycle converges',
    async () => {
      for (const full of [false, true]) {
        const error = await failingCycle(datastore({ users: { baseDn: 'ou=gone,dc=example,dc=com' } }), {
          full,
        });
        expect(isLdapDatastoreError(error), `${error.name}: ${error.message}`).toBe(true);
        expect(error.message).toMatch(/ou=gone/i);
        expect(pictureOf(server)).toEqual(expected);
      }
      await expectConverges();
    },
    TEST_TIMEOUT,
  );
});

describe('a scope that suddenly excludes most users', () => {
  it(
    'holds every removal past the threshold (threshold), memberships kept, the next good cycle converges',
    async () => {
      // uid=user000* keeps user00000 to user00099: everyone else leaves the scope.
      const narrowed = datastore({
        users: { baseDn: `ou=people,dc=example,dc=com`, filter: '(uid=user000*)' },
      });
      for (const full of [false, true]) {
        const { report, held } = await cycle(narrowed, { full });
        expect(report.held?.because).toBe('threshold');
        expect(report.held?.count).toBe(COMPANY.users - 100);
        expect(report.held?.limit).toBe(THRESHOLD);
        expect(held).toHaveLength(1);
        expect(report.users.disabled + report.users.deleted + report.groups.deleted).toBe(0);
        expect(report.groups.membersRemoved).toBe(0);
        expect(pictureOf(server)).toEqual(expected);
      }
      await expectConverges();
    },
    TEST_TIMEOUT,
  );
});

describe('a bind that starts failing', () => {
  it(
    'a wrong password in the configuration: LdapAuthenticationError, nothing written, the password never shown',
    async () => {
      const wrong = 'not-the-reader-password-0001';
      const error = await failingCycle(datastore({ bindPassword: wrong }));
      expect(error.name).toBe('LdapAuthenticationError');
      expect(error.message).not.toContain(wrong);
      expect(error.message).not.toContain(slapd.readerPassword);
      expect(pictureOf(server)).toEqual(expected);
      await expectConverges();
    },
    TEST_TIMEOUT,
  );

  it(
    'the password changed in the directory between cycles: LdapAuthenticationError, then converges once fixed',
    async () => {
      const rotated = `rotated-${slapd.readerPassword}`;
      const source = datastore();
      await cycle(source);
      await slapd.modify(
        `${ldifLine('dn', slapd.readerDn)}\nchangetype: modify\nreplace: userPassword\n${ldifLine('userPassword', rotated)}\n-\n\n`,
      );
      try {
        // The open connection stays bound; the next connection (a new run, a dropped link) binds again.
        await source.close();
        const error = await failingCycle(source);
        expect(error.name).toBe('LdapAuthenticationError');
        expect(error.message).not.toContain(slapd.readerPassword);
        expect(error.message).not.toContain(rotated);
        expect(pictureOf(server)).toEqual(expected);
        const { report } = await cycle(datastore({ bindPassword: rotated }));
        expect(report.failures).toEqual([]);
        expect(pictureOf(server)).toEqual(expected);
      } finally {
        await slapd.modify(
          `${ldifLine('dn', slapd.readerDn)}\nchangetype: modify\nreplace: userPassword\n${ldifLine('userPassword', slapd.readerPassword)}\n-\n\n`,
        );
      }
      await expectConverges();
    },
    TEST_TIMEOUT,
  );
});

describe('slapd killed in the middle of a paged search', () => {
  it.each([
    ['a full cycle', true],
    ['an incremental cycle (the listing of ids in scope)', false],
  ] as const)(
    '%s: a typed error, nothing removed, then restarted: the next cycle converges',
    async (_label, full) => {
      const source = datastore();
      await cycle(source);
      // SIGKILL as the third page of the users' search is requested: two pages read, the rest lost.
      trap.arm(`ou=people,${slapd.suffix}`, 3, () => outage.kill());
      const error = await failingCycle(source, { full });
      expect(trap.fired).toBe(true);
      const searchesInFailedCycle = trap.searches.length;
      expect(isLdapDatastoreError(error), `${error.name}: ${error.message}`).toBe(true);
      expect(['LdapConnectionError', 'LdapDatastoreError', 'LdapTimeoutError']).toContain(error.name);
      expect(pictureOf(server)).toEqual(expected);

      await outage.restart();
      // A change made while it was down and a new user: the next cycle carries both.
      const uid = `rehired-${full ? 'full' : 'incremental'}`;
      await slapd.add(
        `${ldifLine('dn', `uid=${uid},ou=people,${slapd.suffix}`)}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\n\n`,
      );
      expected = { ...expected, users: { ...expected.users, [uid]: 'active' } };
      const report = await expectConverges();
      expect(report.users.created).toBe(1);
      printFigures('slapdKilled', { full, searchesInFailedCycle, recovery: report.users });
    },
    TEST_TIMEOUT,
  );
});
