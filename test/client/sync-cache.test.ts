import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient } from '../../src/client/ScimClient';
import { SyncCache } from '../../src/client/sync-cache';
import { ScimTestServer } from '../../src/testing/ScimTestServer';

describe('SyncCache', () => {
  it('keeps listings only while a sync is open, and nests', async () => {
    const cache = new SyncCache();
    let loads = 0;
    const load = async () => {
      loads += 1;
      return [{ id: 'a' }];
    };
    await cache.all('Users', load);
    await cache.all('Users', load);
    expect(loads).toBe(2);
    cache.begin();
    cache.begin();
    await cache.all('Users', load);
    await cache.all('Users', load);
    expect(loads).toBe(3);
    cache.end();
    await cache.all('Users', load);
    expect(loads).toBe(3);
    cache.end();
    await cache.all('Users', load);
    expect(loads).toBe(4);
    cache.end();
    expect(cache.active).toBe(false);
  });

  it('follows upserts, removals and updates, and drops a listing whose update fails', async () => {
    const cache = new SyncCache();
    cache.begin();
    await cache.all('Groups', async () => [{ id: 'g1', displayName: 'A' }]);
    cache.upsert('Groups', { id: 'g2', displayName: 'B' });
    cache.update('Groups', 'g1', (group) => ({ ...group, displayName: 'A2' }));
    cache.remove('Groups', 'g2');
    const fail = async () => {
      throw new Error('must not load');
    };
    expect(await cache.all('Groups', fail)).toEqual([{ id: 'g1', displayName: 'A2' }]);
    cache.update('Groups', 'g1', () => {
      throw new Error('cannot apply');
    });
    await expect(cache.all('Groups', fail)).rejects.toThrow();
    expect(await cache.all('Groups', async () => [{ id: 'fresh' }])).toEqual([{ id: 'fresh' }]);
  });
});

describe('lookups inside a sync against a service without filters', () => {
  let server: ScimTestServer;
  let client: ScimClient;

  beforeAll(async () => {
    server = await ScimTestServer.start({ quirks: { filterUnsupported: 'error400' } });
    client = new ScimClient({ baseUrl: server.baseUrl });
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  it("see the client's own writes without listing again", async () => {
    server.addUser({ userName: 'existing' });
    await client.withSync(async () => {
      await client.users.findByUserName('existing');
      server.resetStats();
      const created = await client.users.create({ userName: 'newcomer' });
      await expect(client.users.findByUserName('NEWCOMER')).resolves.toMatchObject({ id: created.id });
      await client.users.replace(created.id as string, { userName: 'renamed' });
      await expect(client.users.findByUserName('newcomer')).resolves.toBeUndefined();
      await expect(client.users.findByUserName('renamed')).resolves.toMatchObject({ id: created.id });
      await client.users.delete(created.id as string);
      await expect(client.users.findByUserName('renamed')).resolves.toBeUndefined();
      expect(server.stats().byRoute['GET /Users']).toBeUndefined();
    });
  });

  it('a listing can be stopped with an AbortSignal', async () => {
    for (let index = 0; index < 30; index += 1) server.addUser({ userName: `abort-${index}` });
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const user of client.users.list({ pageSize: 5, signal: controller.signal })) {
        seen.push(user.userName);
        if (seen.length === 7) controller.abort(new Error('enough'));
      }
    })().catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('enough');
    expect(seen).toHaveLength(10);
  });
});
