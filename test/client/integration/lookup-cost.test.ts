/**
 * What a lookup costs in requests, with and without filter support (figures for the docs).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScimClientOptions } from '../../../src/client/options';
import { ScimClient } from '../../../src/client/ScimClient';
import { ScimTestServer } from '../../../src/testing/ScimTestServer';

const USERS = 1000;
let server: ScimTestServer;
const clients: ScimClient[] = [];

function client(extra: Partial<ScimClientOptions> = {}): ScimClient {
  const made = new ScimClient({ baseUrl: server.baseUrl, ...extra });
  clients.push(made);
  return made;
}

/** Requests the server received while `work` ran. */
async function cost(work: () => Promise<unknown>): Promise<number> {
  server.resetStats();
  await work();
  return server.stats().totalRequests;
}

beforeAll(async () => {
  server = await ScimTestServer.start();
  for (let index = 0; index < USERS; index += 1) server.addUser({ userName: `cost-${index}` });
});

afterEach(() => server.resetQuirks());

afterAll(async () => {
  for (const made of clients) made.close();
  await server.close();
});

describe(`lookup cost with ${USERS} users, page size 100`, () => {
  it('filter supported: one request per lookup (plus ServiceProviderConfig once, and a two-request case probe once)', async () => {
    const made = client();
    expect(await cost(() => made.users.findByUserName('cost-1'))).toBe(2);
    expect(await cost(() => made.users.findByUserName('cost-2'))).toBe(1);
    expect(await cost(() => made.users.findByUserName('absent-user'))).toBe(3);
    expect(await cost(() => made.users.findByUserName('absent-again'))).toBe(1);
    expect(
      await cost(() =>
        made.withSync(async () => {
          for (let index = 0; index < 50; index += 1) await made.users.findByUserName(`cost-${index}`);
        }),
      ),
    ).toBe(50);
  });

  it('filter not supported: one full listing per sync (11 requests), then none per lookup', async () => {
    server.setQuirks({ filterUnsupported: 'error400' });
    const made = client();
    expect(
      await cost(() =>
        made.withSync(async () => {
          for (let index = 0; index < 50; index += 1) await made.users.findByUserName(`cost-${index}`);
        }),
      ),
    ).toBe(1 + 11);
    // Outside a sync every lookup lists again.
    expect(await cost(() => made.users.findByUserName('cost-999'))).toBe(11);
  });

  it('filter refused with 400 but not announced: one refused request, then as without filter', async () => {
    server.setQuirks({ filterUnsupported: 'error400' });
    const made = client({ discovery: 'off' });
    expect(
      await cost(() =>
        made.withSync(async () => {
          for (let index = 0; index < 50; index += 1) await made.users.findByUserName(`cost-${index}`);
        }),
      ),
    ).toBe(1 + 11);
  });

  it('filter ignored: the first answer gives it away, then as without filter', async () => {
    server.setQuirks({ filterUnsupported: 'ignore' });
    const made = client({ discovery: 'off' });
    expect(
      await cost(() =>
        made.withSync(async () => {
          for (let index = 0; index < 50; index += 1) await made.users.findByUserName(`cost-${index}`);
        }),
      ),
    ).toBe(1 + 11);
  });
});
