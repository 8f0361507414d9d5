/**
 * Issue 8, item 5: the LDAP side. OpenLDAP (a throwaway slapd on loopback) bulk-loaded with
 * 100,000 users through `slapadd`, read:
 * - through `LdapDatastore.users()` (the attributes the bench mapping reads), against a bare
 *   paged ldapjs search of the same entries (same base, scope, filter, attributes and page size,
 *   taken from the adapter's own request through the `connector` seam), rounds alternating, the
 *   ratio of the medians (goal: within 1.2x);
 * - a timestamp delta read (`changes(watermark)`, `modifyTimestamp`) after 1 % of the users were
 *   modified, alone and as the engine asks for it (with the `known` ids, which makes the adapter
 *   list the ids in scope to find removals);
 * - `ids()` and `groups()` (one group holds every user), for the record.
 *
 * Started from the LDAP helper's `bench/ldap-read.ts` read-rate script.
 */
import ldapjs from 'ldapjs';
import { connectWithLdapjs } from '../../src/datastore/ldap/connection';
import { formatLdapFilter } from '../../src/datastore/ldap/filter/format';
import { LdapDatastore } from '../../src/datastore/ldap/LdapDatastore';
import type { LdapConnector, LdapSearchRequest } from '../../src/datastore/ldap/transport';
import type { Watermark } from '../../src/datastore/types';
import { companyLdifChunks, companyUserDn } from '../../test/support/ldap/ldif';
import { startSlapd } from '../../test/support/ldap/slapd';
import type { Benchmark } from '../lib/cli';
import { profileWhile } from '../lib/inspector-profile';
import { machineInfo } from '../lib/machine';
import { type Measured, measure, median, round, sleep } from '../lib/measure';
import { intSetting, resolveBenchOptions } from '../lib/options';
import { type BenchResult, goal, printTable, writeResult } from '../lib/results';

/** The source attributes of the bench mapping (`BENCH_USER_MAPPING`). */
const MAPPED_ATTRIBUTES = ['uid', 'cn', 'givenName', 'sn', 'title', 'mail', 'employeeNumber'];

/** One timed read. */
export interface LdapRead {
  readonly read: string;
  readonly round: number;
  readonly entries: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly entriesPerSecond: number;
  /** Peak RSS above the RSS at the start of the read. @unit MiB */
  readonly rssGrowthMb: number;
  /** Peak heap above the heap at the start of the read. @unit MiB */
  readonly heapGrowthMb: number;
  /** Search requests (pages) the adapter sent; `null` for the bare search (ldapjs pages by itself). */
  readonly searchRequests: number | null;
}

/** The parts of ldapjs's untyped API the bare search uses. */
interface BareClient {
  on(event: string, listener: (...args: unknown[]) => void): void;
  bind(dn: string, password: string, callback: (error: Error | null) => void): void;
  search(
    base: string,
    options: Record<string, unknown>,
    callback: (error: Error | null, response: BareResponse) => void,
  ): void;
  unbind(callback: () => void): void;
  destroy(): void;
}
interface BareResponse {
  on(
    event: 'searchEntry',
    listener: (entry: { attributes: { type: string; values: string[] }[] }) => void,
  ): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'end', listener: () => void): void;
}

function timed(
  read: string,
  roundIndex: number,
  measured: Measured<number>,
  searchRequests: number | null = null,
): LdapRead {
  return {
    searchRequests,
    read,
    round: roundIndex,
    entries: measured.value,
    wallMs: measured.wallMs,
    cpuMs: measured.cpuMs,
    entriesPerSecond: Math.round(measured.value / (measured.wallMs / 1000)),
    rssGrowthMb: round(measured.memory.rssPeakMb - measured.memory.rssStartMb, 1),
    heapGrowthMb: round(measured.memory.heapPeakMb - measured.memory.heapStartMb, 1),
  };
}

/** A bare paged search with ldapjs's own pager: every entry's attribute values read, nothing kept. */
async function bareSearch(
  url: string,
  dn: string,
  password: string,
  request: LdapSearchRequest,
): Promise<number> {
  const client = (ldapjs as unknown as { createClient(options: object): BareClient }).createClient({ url });
  client.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) =>
      client.bind(dn, password, (error) => (error ? reject(error) : resolve())),
    );
    return await new Promise<number>((resolve, reject) => {
      client.search(
        request.base,
        {
          scope: request.scope,
          filter: formatLdapFilter(request.filter),
          attributes: [...request.attributes],
          paged: { pageSize: request.paged?.size ?? 500, pagePause: false },
        },
        (error, response) => {
          if (error) {
            reject(error);
            return;
          }
          let count = 0;
          let values = 0;
          response.on('searchEntry', (entry) => {
            count += 1;
            for (const attribute of entry.attributes) values += attribute.values.length;
          });
          response.on('error', reject);
          response.on('end', () =>
            count > 0 && values === 0 ? reject(new Error('entries came without attributes')) : resolve(count),
          );
        },
      );
    });
  } finally {
    await new Promise<void>((resolve) => client.unbind(() => resolve()));
    client.destroy();
  }
}

/** Runs benchmark 5. */
export const ldapReadBenchmark: Benchmark = async (input) => {
  const options = resolveBenchOptions(input);
  const started = Date.now();
  const machine = machineInfo();
  const users = intSetting(options, 'users', options.smoke ? 300 : 100_000);
  const pageSize = intSetting(options, 'page-size', 500);
  const rounds = intSetting(options, 'rounds', options.smoke ? 1 : 3);
  const changed = Math.max(1, Math.round(users / 100));

  const loadStarted = Date.now();
  const slapd = await startSlapd({ bulkLdif: companyLdifChunks({ users, hostile: false }) });
  const loadMs = Date.now() - loadStarted;
  const searches: LdapSearchRequest[] = [];
  const recordingConnector: LdapConnector = async (request) => {
    const connection = await connectWithLdapjs(request);
    return {
      startTls: (tls) => connection.startTls(tls),
      bind: (dn, password) => connection.bind(dn, password),
      search: (search) => {
        searches.push(search);
        return connection.search(search);
      },
      close: () => connection.close(),
      destroy: () => connection.destroy(),
      onClose: (listener) => connection.onClose(listener),
    };
  };
  const datastore = new LdapDatastore({
    urls: slapd.url,
    bindDn: slapd.readerDn,
    bindPassword: slapd.readerPassword,
    users: { baseDn: `ou=people,${slapd.suffix}` },
    groups: { baseDn: `ou=groups,${slapd.suffix}` },
    pageSize,
    // slapd runs on this machine: no clock skew to allow for, and the default (60 s) would put
    // the bulk-loaded entries, seconds old, into the delta.
    clockSkewAllowance: 0,
    connector: recordingConnector,
  });
  const reads: LdapRead[] = [];
  let deltaUsers = 0;
  let deltaKnownUsers = 0;
  // --profile <prefix>: CPU profiles of the first measured adapter read, bare read and delta reads.
  const profilePrefix = options.settings.profile;
  const profileFile = (name: string, roundIndex: number) =>
    profilePrefix === undefined || roundIndex !== 0 ? undefined : `${profilePrefix}-${name}.cpuprofile`;
  /** Times an adapter read and counts the search requests (pages) it sent. */
  const adapter = async (
    read: string,
    roundIndex: number,
    work: () => Promise<number>,
    profileName?: string,
  ) => {
    const before = searches.length;
    const measured = await profileWhile(
      profileName === undefined ? undefined : profileFile(profileName, roundIndex),
      () => measure(work),
    );
    reads.push(timed(read, roundIndex, measured, searches.length - before));
    return measured;
  };
  try {
    await datastore.connect();
    const adapterRead = async () => {
      let count = 0;
      for await (const _user of datastore.users({ attributes: MAPPED_ATTRIBUTES })) count += 1;
      return count;
    };
    // Warm-up: JIT, slapd's caches, and the adapter's request, which the bare search copies.
    searches.length = 0;
    await adapter('LdapDatastore.users() warm-up', -1, adapterRead);
    const userSearch = searches.find((search) => search.base === `ou=people,${slapd.suffix}`);
    if (userSearch === undefined) throw new Error('the adapter sent no search under ou=people');
    const bareRead = (roundIndex = -1) =>
      profileWhile(profileFile('bare', roundIndex), () =>
        measure(() => bareSearch(slapd.url, slapd.readerDn, slapd.readerPassword, userSearch)),
      );
    reads.push(timed('bare ldapjs paged search warm-up', -1, await bareRead()));
    for (let round = 0; round < rounds; round++) {
      const adapterFirst = round % 2 === 0;
      if (!adapterFirst) reads.push(timed('bare ldapjs paged search', round, await bareRead(round)));
      await adapter('LdapDatastore.users()', round, adapterRead, 'adapter');
      if (adapterFirst) reads.push(timed('bare ldapjs paged search', round, await bareRead(round)));
    }
    const ids = await datastore.ids();
    await adapter('LdapDatastore.ids()', 0, async () => (await datastore.ids()).users.size);
    await adapter('LdapDatastore.groups() (one group of every user)', 0, async () => {
      let members = 0;
      for await (const group of datastore.groups({ attributes: ['cn'] })) members += group.memberIds.length;
      return members;
    });

    // The delta: a watermark at least 2 s after the load (timestamps have whole seconds), then 1 %
    // of the users modified, then the changes since the watermark.
    await sleep(Math.max(0, loadStarted + loadMs + 2_100 - Date.now()));
    const watermark: Watermark = await (await datastore.changes(undefined)).nextWatermark();
    let ldif = '';
    for (let k = 0; k < changed; k++) {
      const index = Math.min(users - 1, Math.floor((k * users) / changed));
      ldif += `dn: ${companyUserDn(index, slapd.suffix)}\nchangetype: modify\nreplace: title\ntitle: Revised ${k}\n-\n\n`;
    }
    await slapd.modify(ldif);
    const delta = await adapter(
      `changes(watermark).users, ${changed} modified`,
      0,
      async () => {
        const changes = await datastore.changes(watermark, { attributes: MAPPED_ATTRIBUTES });
        let count = 0;
        for await (const _user of changes.users) count += 1;
        return count;
      },
      'delta',
    );
    deltaUsers = delta.value;
    const deltaKnown = await adapter(
      `changes(watermark, known) as the engine reads it, ${changed} modified`,
      0,
      async () => {
        const changes = await datastore.changes(watermark, {
          attributes: MAPPED_ATTRIBUTES,
          known: { users: ids.users, groups: ids.groups },
        });
        let count = 0;
        for await (const _user of changes.users) count += 1;
        for await (const _group of changes.groups) count += 0;
        await changes.removed();
        return count;
      },
      'delta-known',
    );
    deltaKnownUsers = deltaKnown.value;
  } finally {
    await datastore.close();
    await slapd.stop();
  }

  const of = (read: string) => reads.filter((entry) => entry.read === read && entry.round >= 0);
  const adapterMs = median(of('LdapDatastore.users()').map((entry) => entry.wallMs));
  const bareMs = median(of('bare ldapjs paged search').map((entry) => entry.wallMs));
  const ratio = round(adapterMs / bareMs, 3);
  const deltaRead = reads.find((entry) => entry.read.startsWith('changes(watermark).users'));
  const deltaKnownRead = reads.find((entry) => entry.read.startsWith('changes(watermark, known)'));
  if (options.print) {
    console.log(
      `\nslapd with ${users} users loaded (slapadd) in ${round(loadMs / 1000, 1)} s; page size ${pageSize}`,
    );
    printTable(
      'LDAP reads',
      reads.map((entry) => ({
        read: entry.read,
        round: entry.round < 0 ? 'warm-up' : entry.round,
        entries: entry.entries,
        s: round(entry.wallMs / 1000, 3),
        'CPU s': round(entry.cpuMs / 1000, 3),
        'entries/s': entry.entriesPerSecond,
        'RSS growth MB': entry.rssGrowthMb,
        'heap growth MB': entry.heapGrowthMb,
        'search requests': entry.searchRequests,
      })),
    );
    console.log(`LdapDatastore / bare ldapjs (medians): ${ratio}`);
  }
  const result: BenchResult = {
    name: 'ldap-read',
    item: 5,
    title: 'LDAP side: LdapDatastore against a bare paged ldapjs search, and a timestamp delta',
    smoke: options.smoke,
    machine,
    parameters: { users, pageSize, rounds, changed, attributes: MAPPED_ATTRIBUTES, clockSkewAllowanceMs: 0 },
    figures: {
      loadS: round(loadMs / 1000, 1),
      adapterS: round(adapterMs / 1000, 3),
      bareS: round(bareMs / 1000, 3),
      ratio,
      adapterEntriesPerSecond: Math.round(users / (adapterMs / 1000)),
      deltaS: deltaRead === undefined ? null : round(deltaRead.wallMs / 1000, 3),
      deltaEntries: deltaUsers,
      deltaWithKnownS: deltaKnownRead === undefined ? null : round(deltaKnownRead.wallMs / 1000, 3),
    },
    goals: [
      goal('LdapDatastore.users() / bare paged ldapjs search', '<= 1.2', ratio, ratio <= 1.2, options.smoke),
      goal(
        `timestamp delta returns the ${changed} modified users`,
        `= ${changed}`,
        deltaUsers,
        deltaUsers === changed,
        options.smoke,
      ),
      goal(
        `delta read (engine form, with known ids) returns the ${changed} modified users`,
        `= ${changed}`,
        deltaKnownUsers,
        deltaKnownUsers === changed,
        options.smoke,
      ),
    ],
    details: {
      loadMs,
      reads,
      userSearch:
        searches[0] === undefined
          ? null
          : {
              base: searches[0].base,
              scope: searches[0].scope,
              filter: formatLdapFilter(searches[0].filter),
              attributes: searches[0].attributes,
            },
    },
    notes: [
      'slapd runs on this machine (2 cores shared): the reads measure slapd and the client together. Both sides read as the size-limited reader account, pages of 500.',
      "The bare search uses ldapjs's own pager (pagePause off) with the adapter's exact base, scope, filter and attributes, and reads every attribute value of every entry; the adapter additionally decodes values, computes status and ids, and yields SourceUser objects.",
      'Delta: clockSkewAllowance 0 (slapd is local; the default 60 s would return the bulk-loaded entries too while the load is less than a minute old). The engine form passes the known ids, which makes the adapter list the ids in scope once (to find removals): its time includes that scan.',
    ],
    durationMs: Date.now() - started,
  };
  await writeResult(result, options.resultsDir);
  return result;
};
