import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScimClientOptions } from '../../../src/client/options';
import { ScimClient } from '../../../src/client/ScimClient';
import { ScimTestServer } from '../../../src/testing/ScimTestServer';
import { payloads, recordEvents } from '../helpers/events';

let server: ScimTestServer;
const clients: ScimClient[] = [];

function client(extra: Partial<ScimClientOptions> = {}): ScimClient {
  const made = new ScimClient({
    baseUrl: server.baseUrl,
    retry: { limit: 6, baseDelay: 2, backoffLimit: 10 },
    ...extra,
  });
  clients.push(made);
  return made;
}

beforeAll(async () => {
  server = await ScimTestServer.start();
});

afterEach(() => {
  server.setFaults(undefined);
  server.clear();
  server.resetStats();
});

afterAll(async () => {
  for (const made of clients) made.close();
  await server.close();
});

describe('faults', () => {
  it('429 with Retry-After: every call succeeds after waiting as told', async () => {
    server.setFaults({ seed: 3, status429: { rate: 1, limit: 2, retryAfterSeconds: 1 } });
    const made = client();
    const events = recordEvents(made);
    const started = Date.now();
    await made.users.create({ userName: 'patient' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(
      payloads(events, 'retry').map((retry) => [retry.status, retry.delayMs, retry.delaySource]),
    ).toEqual([
      [429, 1000, 'retryAfter'],
      [429, 1000, 'retryAfter'],
    ]);
    expect(server.counts().users).toBe(1);
  });

  it.each(['status503', 'status500', 'connectionReset'] as const)(
    '%s on a third of requests: all calls succeed',
    async (fault) => {
      server.setFaults({ seed: 11, [fault]: { rate: 0.33 } });
      const made = client();
      const created = [];
      for (let index = 0; index < 15; index += 1)
        created.push(await made.users.create({ userName: `f-${index}` }));
      const group = await made.groups.create({ displayName: `group-${fault}` });
      await made.groups.addMembers(
        group.id as string,
        created.map((user) => user.id as string),
      );
      let listed = 0;
      for await (const _user of made.users.list({ pageSize: 4 })) listed += 1;
      expect(listed).toBe(15);
      expect(server.stats().faults[fault]).toBeGreaterThan(0);
      const snapshot = server.snapshot();
      expect(snapshot.users).toHaveLength(15);
      expect(snapshot.groups[0]?.members).toHaveLength(15);
    },
  );

  it('slow responses: an attempt past the timeout is abandoned and retried', async () => {
    server.setFaults({ seed: 5, slow: { rate: 0.5, delayMs: 300, methods: ['GET'] } });
    const made = client({ timeout: 150 });
    const events = recordEvents(made);
    const user = server.addUser({ userName: 'slowpoke' });
    for (let index = 0; index < 6; index += 1) {
      await expect(made.users.get(user.id as string)).resolves.toMatchObject({ userName: 'slowpoke' });
    }
    expect(payloads(events, 'retry').some((retry) => retry.reason === 'timeout')).toBe(true);
    server.setFaults({ slow: { rate: 1, delayMs: 300 } });
    const error = await client({ timeout: 50, retry: { limit: 1, baseDelay: 1, backoffLimit: 1 } })
      .users.get(user.id as string)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ScimTimeoutError', kind: 'attempt' });
  });

  it('lost responses on create never make a duplicate: the resource is looked up before posting again', async () => {
    server.setFaults({ seed: 42, lostResponse: { rate: 0.4, methods: ['POST'] } });
    const made = client();
    const events = recordEvents(made);
    const names = Array.from({ length: 30 }, (_, index) => `lost-${index}`);
    const created = [];
    for (const userName of names) created.push(await made.users.create({ userName }));
    const groups = [];
    for (const displayName of ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon']) {
      groups.push(await made.groups.create({ displayName }));
    }
    const lost = server.stats().faults.lostResponse;
    expect(lost).toBeGreaterThan(5);
    const snapshot = server.snapshot();
    expect(snapshot.users.map((user) => user.userName).sort()).toEqual([...names].sort());
    expect(snapshot.groups).toHaveLength(5);
    // Every call got the resource the service holds.
    expect(created.map((user) => user.id).sort()).toEqual(snapshot.users.map((user) => user.id).sort());
    expect(groups.map((group) => group.id).sort()).toEqual(snapshot.groups.map((group) => group.id).sort());
    expect(payloads(events, 'warning').filter((warning) => warning.code === 'createRecovered')).toHaveLength(
      lost,
    );
  });

  it('lost responses with filters unsupported: the lookup lists afresh (never a stale sync cache)', async () => {
    server.setQuirks({ filterUnsupported: 'error400' });
    server.setFaults({ seed: 9, lostResponse: { rate: 0.5, methods: ['POST'] } });
    const made = client();
    await made.withSync(async () => {
      for (let index = 0; index < 10; index += 1) {
        expect(await made.users.findByUserName(`cached-${index}`)).toBeUndefined();
        await made.users.create({ userName: `cached-${index}` });
      }
    });
    expect(server.stats().faults.lostResponse).toBeGreaterThan(0);
    expect(server.snapshot().users).toHaveLength(10);
    server.resetQuirks();
  });

  it('lost responses on PATCH and DELETE: the retry finds the change made and reports success', async () => {
    const users = Array.from(
      { length: 6 },
      (_, index) => server.addUser({ userName: `p-${index}` }).id as string,
    );
    const group = server.addGroup({ displayName: 'G', members: users.map((value) => ({ value })) });
    server.setFaults({ seed: 1, lostResponse: { rate: 1, limit: 3, methods: ['PATCH', 'DELETE'] } });
    const made = client();
    const events = recordEvents(made);
    await made.groups.removeMembers(group.id as string, [users[0] as string]);
    await made.groups.addMembers(group.id as string, [users[0] as string]);
    await made.users.delete(users[5] as string);
    expect(server.stats().faults.lostResponse).toBe(3);
    expect(server.counts().users).toBe(5);
    expect(((server.getGroup(group.id as string)?.members ?? []) as unknown[]).length).toBe(5);
    expect(
      payloads(events, 'warning').filter((warning) => warning.code === 'changeAlreadyApplied').length,
    ).toBeGreaterThan(0);
  });
});
