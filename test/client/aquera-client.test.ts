import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AqueraClient, normalizeAqueraUrl } from '../../src/client/AqueraClient';
import { ScimTestServer } from '../../src/testing/ScimTestServer';

describe('normalizeAqueraUrl', () => {
  it.each([
    ['https://t.aquera.example/scim/app1', 'https://t.aquera.example/scim/app1/v2'],
    ['https://t.aquera.example/scim/app1/', 'https://t.aquera.example/scim/app1/v2'],
    ['https://t.aquera.example/scim/app1/v2', 'https://t.aquera.example/scim/app1/v2'],
    ['  https://t.aquera.example/scim/app1/V2//  ', 'https://t.aquera.example/scim/app1/V2'],
    ['https://t.aquera.example/scim/app1/v2/Users', 'https://t.aquera.example/scim/app1/v2'],
    ['https://t.aquera.example:8443', 'https://t.aquera.example:8443/v2'],
  ])('%s gives %s', (input, expected) => {
    expect(normalizeAqueraUrl(input)).toBe(expected);
  });

  it('leaves the path alone with appendV2: false, and rejects what is not a URL', () => {
    expect(normalizeAqueraUrl('https://t.aquera.example/scim/app1/', { appendV2: false })).toBe(
      'https://t.aquera.example/scim/app1',
    );
    expect(() => normalizeAqueraUrl('t.aquera.example/scim')).toThrow(/"url"/);
    expect(() => normalizeAqueraUrl('')).toThrow(/"url"/);
  });
});

describe('AqueraClient', () => {
  let server: ScimTestServer;
  let client: AqueraClient;

  beforeAll(async () => {
    server = await ScimTestServer.start({ auth: { type: 'basic', username: 'aq', password: 'aq-pass-1' } });
    // The test server serves under /scim/v2; give the URL without /v2, as Aquera's page may show it.
    client = new AqueraClient({
      url: `${server.baseUrl.replace(/\/v2$/, '')}/`,
      auth: { type: 'basic', username: 'aq', password: 'aq-pass-1' },
    });
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('talks to the normalised URL', () => {
    expect(client.baseUrl).toBe(server.baseUrl);
  });

  it('replaces users with PUT (never PATCH /Users) and changes groups with PATCH', async () => {
    const user = await client.users.create({ userName: 'aq-user', active: true });
    const group = await client.groups.create({ displayName: 'Aq Group' });
    server.resetStats();
    const patched = await client.users.patch(user.id as string, [
      { op: 'replace', path: 'active', value: false },
    ]);
    expect(patched?.active).toBe(false);
    await client.groups.addMembers(group.id as string, [user.id as string]);
    const routes = server.stats().byRoute;
    expect(routes['PATCH /Users/:id']).toBeUndefined();
    expect(routes['GET /Users/:id']).toBe(1);
    expect(routes['PUT /Users/:id']).toBe(1);
    expect(routes['PATCH /Groups/:id']).toBe(1);
  });

  it('refuses credentials over plain http to a remote host', () => {
    expect(
      () =>
        new AqueraClient({
          url: 'http://tenant.aquera.example/scim/app1',
          auth: { type: 'bearer', token: 'x-token' },
        }),
    ).toThrow(/allowInsecureHttp/);
  });
});
