import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient } from '../../../src/client/ScimClient';
import { ScimTestServer } from '../../../src/testing/ScimTestServer';

let bearer: ScimTestServer;
let basic: ScimTestServer;
const clients: ScimClient[] = [];

function track(made: ScimClient): ScimClient {
  clients.push(made);
  return made;
}

beforeAll(async () => {
  bearer = await ScimTestServer.start({ auth: { type: 'bearer', token: 'bearer-token-1' } });
  basic = await ScimTestServer.start({ auth: { type: 'basic', username: 'svc', password: 'basic-pass-1' } });
});

afterAll(async () => {
  for (const made of clients) made.close();
  await bearer.close();
  await basic.close();
});

describe('authentication against ScimTestServer', () => {
  it('bearer token', async () => {
    const made = track(
      new ScimClient({ baseUrl: bearer.baseUrl, auth: { type: 'bearer', token: 'bearer-token-1' } }),
    );
    await expect(made.users.create({ userName: 'b' })).resolves.toMatchObject({ userName: 'b' });
  });

  it('basic credentials', async () => {
    const made = track(
      new ScimClient({
        baseUrl: basic.baseUrl,
        auth: { type: 'basic', username: 'svc', password: 'basic-pass-1' },
      }),
    );
    await expect(made.users.create({ userName: 'b' })).resolves.toMatchObject({ userName: 'b' });
  });

  it('wrong credentials are a 401 ScimHttpError, sent once', async () => {
    const made = track(
      new ScimClient({
        baseUrl: basic.baseUrl,
        auth: { type: 'basic', username: 'svc', password: 'nope-nope' },
      }),
    );
    basic.resetStats();
    const error = await made.users.get('x').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ScimHttpError', status: 401 });
    expect(String(error)).not.toContain('nope-nope');
    // The lazy ServiceProviderConfig read is not part of get(); the GET itself is sent once.
    expect(basic.stats().byRoute['GET /Users/:id']).toBe(1);
  });

  it('a provided token is fetched again after a 401 (rotated credentials) and the call succeeds', async () => {
    let current = 'rotating-token-1';
    bearer.setAuth({ type: 'bearer', token: current });
    let calls = 0;
    const made = track(
      new ScimClient({
        baseUrl: bearer.baseUrl,
        auth: {
          type: 'bearer',
          getToken: async () => {
            calls += 1;
            return current;
          },
        },
      }),
    );
    await made.users.create({ userName: 'r1' });
    current = 'rotating-token-2';
    bearer.setAuth({ type: 'bearer', token: current });
    await expect(made.users.findByUserName('r1')).resolves.toMatchObject({ userName: 'r1' });
    expect(calls).toBe(2);
    bearer.setAuth({ type: 'bearer', token: 'bearer-token-1' });
  });
});
