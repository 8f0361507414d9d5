import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimTestServer } from '../../src/testing/index';
import { filterQuery, patchBody, scim, userBody } from './http';

/**
 * The sizes the client and the benchmarks rely on. Time limits are generous (the machine is
 * shared); they catch an accidental O(n^2), not a slow machine.
 */
describe('scale', () => {
  let server: ScimTestServer;
  const userIds: string[] = [];

  beforeAll(async () => {
    server = await ScimTestServer.start({ maxPageSize: 1000 });
    for (let index = 0; index < 10_000; index++) {
      userIds.push(server.addUser(userBody(`scale.user.${index}`)).id as string);
    }
  });
  afterAll(() => server.close());

  it('lists 2,500 users page by page, each exactly once', async () => {
    const small = await ScimTestServer.start();
    try {
      for (let index = 0; index < 2500; index++) small.addUser(userBody(`list.user.${index}`));
      const seen = new Set<string>();
      let startIndex = 1;
      for (let pages = 0; pages < 100; pages++) {
        const page = await scim(small.baseUrl, `/Users?startIndex=${startIndex}&count=100`);
        expect(page.body.totalResults).toBe(2500);
        const resources = page.body.Resources ?? [];
        if (resources.length === 0) break;
        for (const user of resources) seen.add(user.id!);
        startIndex += resources.length;
      }
      expect(seen.size).toBe(2500);
      expect(small.stats().byRoute['GET /Users']).toBe(26);
    } finally {
      await small.close();
    }
  });

  it('finds a user by userName among 10,000 through the index', async () => {
    const started = performance.now();
    for (let index = 0; index < 200; index++) {
      const found = await scim(
        server.baseUrl,
        `/Users${filterQuery(`userName eq "SCALE.USER.${index * 37}"`)}`,
      );
      expect(found.body.Resources?.[0]?.id).toBe(userIds[index * 37]);
    }
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('keeps a 10,000-member group workable: create, add and remove members by PATCH, list members’ groups', async () => {
    const members = userIds.slice(0, 10_000).map((value) => ({ value }));
    const started = performance.now();
    const group = server.addGroup({ displayName: 'Everyone', members });
    const groupPath = `/Groups/${group.id}`;
    const extra = Array.from(
      { length: 100 },
      (_, index) => server.addUser(userBody(`extra.${index}`)).id as string,
    );

    const added = await scim(server.baseUrl, groupPath, {
      method: 'PATCH',
      body: patchBody({ op: 'add', path: 'members', value: extra.map((value) => ({ value })) }),
    });
    expect(added.status).toBe(200);
    expect(added.body.members).toHaveLength(10_100);

    const removed = await scim(server.baseUrl, groupPath, {
      method: 'PATCH',
      body: patchBody(
        ...extra.slice(0, 50).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
      ),
    });
    expect(removed.status).toBe(200);
    expect(removed.body.members).toHaveLength(10_050);

    const entra = await scim(server.baseUrl, groupPath, {
      method: 'PATCH',
      body: patchBody({ op: 'remove', path: 'members', value: extra.slice(50).map((value) => ({ value })) }),
    });
    expect(entra.body.members).toHaveLength(10_000);

    const page = await scim(server.baseUrl, '/Users?startIndex=9001&count=1000');
    expect(page.body.Resources).toHaveLength(1000);
    for (const user of page.body.Resources ?? []) expect(user.groups?.[0]?.value).toBe(group.id);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
