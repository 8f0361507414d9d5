/**
 * Read rate of LdapDatastore against OpenLDAP: a throwaway slapd on loopback bulk-loaded with
 * 20,000 users (and a group holding all of them), read as the size-limited reader account.
 *
 * Run: `npx vite-node bench/ldap-read.ts [users] [pageSize]`
 *
 * Prints, for each read: entries, seconds, entries per second, and the peak growth of the
 * process's resident set size (RSS) and V8 heap during the read, sampled every 5 ms.
 */
import { LdapDatastore } from '../src/datastore/ldap/LdapDatastore';
import { companyLdifChunks } from '../test/support/ldap/ldif';
import { startSlapd } from '../test/support/ldap/slapd';

interface Measurement {
  readonly read: string;
  readonly entries: number;
  readonly seconds: number;
  readonly entriesPerSecond: number;
  readonly peakRssDeltaMb: number;
  readonly peakHeapDeltaMb: number;
}

async function measure(read: string, run: () => Promise<number>): Promise<Measurement> {
  globalThis.gc?.();
  const baseRss = process.memoryUsage().rss;
  const baseHeap = process.memoryUsage().heapUsed;
  let peakRss = baseRss;
  let peakHeap = baseHeap;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, 5);
  const started = process.hrtime.bigint();
  const entries = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
  return {
    read,
    entries,
    seconds: Math.round(seconds * 100) / 100,
    entriesPerSecond: Math.round(entries / seconds),
    peakRssDeltaMb: mb(peakRss - baseRss),
    peakHeapDeltaMb: mb(peakHeap - baseHeap),
  };
}

async function main(): Promise<void> {
  const users = Number(process.argv[2] ?? 20_000);
  const pageSize = Number(process.argv[3] ?? 500);
  const loadStarted = Date.now();
  const slapd = await startSlapd({ bulkLdif: companyLdifChunks({ users, hostile: false }) });
  console.log(`slapd with ${users} users ready in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`);
  const datastore = new LdapDatastore({
    urls: slapd.url,
    bindDn: slapd.readerDn,
    bindPassword: slapd.readerPassword,
    users: { baseDn: `ou=people,${slapd.suffix}` },
    groups: { baseDn: `ou=groups,${slapd.suffix}` },
    pageSize,
  });
  try {
    await datastore.connect();
    const attributes = [
      'uid',
      'cn',
      'givenName',
      'sn',
      'mail',
      'displayName',
      'title',
      'employeeNumber',
      'ou',
    ];
    const results: Measurement[] = [];
    // The first read warms up the JIT and slapd's caches; the second is the figure.
    for (const round of ['warm-up', 'measured']) {
      results.push(
        await measure(`users() ${attributes.length} attributes (${round})`, async () => {
          let count = 0;
          for await (const _user of datastore.users({ attributes })) count += 1;
          return count;
        }),
      );
    }
    results.push(
      await measure('users() all attributes', async () => {
        let count = 0;
        for await (const _user of datastore.users()) count += 1;
        return count;
      }),
    );
    results.push(await measure('ids()', async () => (await datastore.ids()).users.size));
    results.push(
      await measure('groups() incl. a 20,000-member group', async () => {
        let members = 0;
        for await (const group of datastore.groups({ attributes: ['cn'] })) members += group.memberIds.length;
        return members;
      }),
    );
    console.table(results);
  } finally {
    await datastore.close();
    await slapd.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
