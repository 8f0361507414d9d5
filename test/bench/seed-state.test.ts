/**
 * The scale benchmark seeds the provisioning state directly instead of provisioning 1,000,000
 * users over HTTP first. Its figures are only valid if the seeded state is the one a first sync
 * writes: same entries, same hashes, same names, same member counts, same watermark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDirectory } from '../../bench/lib/directory';
import { benchClient, benchEngine, benchStateStore } from '../../bench/lib/rig';
import { seedProvisionedState } from '../../bench/lib/seed-state';
import { type BenchServer, startBenchServer } from '../../bench/lib/server';
import type { ScimClient } from '../../src/client/ScimClient';

let server: BenchServer;
let client: ScimClient;

beforeAll(async () => {
  server = await startBenchServer({ inline: true });
  client = benchClient(server.baseUrl, { concurrency: 4 });
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe('seedProvisionedState', () => {
  it('builds the state a real first sync writes (target ids aside)', async () => {
    const { datastore } = generateDirectory({ users: 120, groups: 12, bigGroup: 60 });
    const state = await benchStateStore('memory');
    const report = await benchEngine(datastore, client, state.store, 4).sync();
    expect(report.failures).toEqual([]);
    const real = await state.store.load();
    const seeded = await seedProvisionedState(datastore, client);
    expect(real).toBeDefined();
    if (real === undefined) return;
    expect([...seeded.users.keys()].sort()).toEqual([...real.users.keys()].sort());
    for (const [id, entry] of real.users) {
      const twin = seeded.users.get(id);
      expect({ userName: twin?.userName, hash: twin?.hash, status: twin?.status }).toEqual({
        userName: entry.userName,
        hash: entry.hash,
        status: entry.status,
      });
    }
    expect([...seeded.groups.keys()].sort()).toEqual([...real.groups.keys()].sort());
    for (const [id, entry] of real.groups) {
      const twin = seeded.groups.get(id);
      expect({ displayName: twin?.displayName, hash: twin?.hash, members: twin?.members.length }).toEqual({
        displayName: entry.displayName,
        hash: entry.hash,
        members: entry.members.length,
      });
    }
    expect({ ...(seeded.watermark as object), recordedAt: 0 }).toEqual({
      ...(real.watermark as object),
      recordedAt: 0,
    });
    expect(seeded.target).toEqual(real.target);
  });

  it('gives a state on which a cycle with no change sends nothing', async () => {
    const { datastore } = generateDirectory({ users: 80, groups: 8, bigGroup: 40 });
    const state = await benchStateStore('memory', await seedProvisionedState(datastore, client));
    await server.resetStats();
    const report = await benchEngine(datastore, client, state.store, 4).sync();
    expect(report.mode).toBe('incremental');
    expect(report.failures).toEqual([]);
    expect((await server.stats()).totalRequests).toBe(0);
  });
});
