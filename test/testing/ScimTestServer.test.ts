import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/scim/schemas';
import { ScimTestServer } from '../../src/testing/index';
import { filterQuery, groupBody, patchBody, type RawResponse, scim, userBody } from './http';

let server: ScimTestServer;
let base: string;

beforeAll(async () => {
  server = await ScimTestServer.start({ defaultPageSize: 10, maxPageSize: 50 });
  base = server.baseUrl;
});
afterAll(() => server.close());
beforeEach(() => {
  server.clear();
  server.resetStats();
});

async function createUser(userName: string, extra: Record<string, unknown> = {}): Promise<RawResponse> {
  const response = await scim(base, '/Users', { method: 'POST', body: userBody(userName, extra) });
  expect(response.status).toBe(201);
  return response;
}

async function createGroup(displayName: string, memberIds: string[] = []): Promise<RawResponse> {
  const response = await scim(base, '/Groups', { method: 'POST', body: groupBody(displayName, memberIds) });
  expect(response.status).toBe(201);
  return response;
}

function expectScimError(response: RawResponse, status: number, scimType?: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(response.body.schemas).toEqual([SCHEMAS.Error]);
  expect(response.body.status).toBe(String(status));
  expect(typeof response.body.detail).toBe('string');
  if (scimType === undefined) expect(response.body.scimType).toBeUndefined();
  else expect(response.body.scimType).toBe(scimType);
}

describe('start and close', () => {
  it('listens on 127.0.0.1 with a random port and the default base path', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('refuses malformed options naming the field', async () => {
    await expect(ScimTestServer.start({ defaultPageSize: 0 })).rejects.toThrow(/defaultPageSize/);
    await expect(ScimTestServer.start({ quirks: { pageSizeCap: -1 } })).rejects.toThrow(/pageSizeCap/);
    await expect(ScimTestServer.start({ faults: { status500: { rate: 2 } } })).rejects.toThrow(
      /status500\.rate/,
    );
    await expect(ScimTestServer.start({ auth: { type: 'bearer', token: '' } })).rejects.toThrow(
      /auth\.token/,
    );
  });

  it('serves another base path and stops answering after close', async () => {
    const other = await ScimTestServer.start({ basePath: '/api/scim/' });
    expect(other.baseUrl).toMatch(/\/api\/scim$/);
    expect((await scim(other.baseUrl, '/Users')).status).toBe(200);
    await other.close();
    await expect(scim(other.baseUrl, '/Users')).rejects.toThrow();
    await other.close(); // a second close is harmless
  });
});

describe('Users CRUD', () => {
  it('creates a user: 201, Location, ETag, meta, SCIM content type, no password in the answer', async () => {
    const response = await createUser('bjensen', { password: 'hunter2', name: { givenName: 'Barbara' } });
    const { body } = response;
    expect(response.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    expect(body.id).toEqual(expect.any(String));
    expect(body.userName).toBe('bjensen');
    expect(body.password).toBeUndefined();
    expect(response.headers.get('location')).toBe(`${base}/Users/${body.id}`);
    expect(response.headers.get('etag')).toBe('W/"1"');
    expect(body.meta).toMatchObject({
      resourceType: 'User',
      location: `${base}/Users/${body.id}`,
      version: 'W/"1"',
    });
    expect(Date.parse(String(body.meta?.created))).not.toBeNaN();
    expect(server.verifyPassword(body.id!, 'hunter2')).toBe(true);
    expect(server.verifyPassword(body.id!, 'hunter3')).toBe(false);
  });

  it('reads a user by id, and 404 for an unknown id', async () => {
    const { body: created } = await createUser('alice');
    const read = await scim(base, `/Users/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);
    expectScimError(await scim(base, '/Users/does-not-exist'), 404);
  });

  it('ignores id, meta and groups sent by the client', async () => {
    const { body } = await createUser('mallory', {
      id: 'chosen',
      meta: { version: 'W/"99"' },
      groups: [{ value: 'x' }],
    });
    expect(body.id).not.toBe('chosen');
    expect(body.meta?.version).toBe('W/"1"');
    expect(body.groups).toBeUndefined();
  });

  it('replaces a user with PUT: attributes not sent are removed, the password is kept, the version moves', async () => {
    const { body: created } = await createUser('carol', { title: 'Boss', password: 'pw-1' });
    const put = await scim(base, `/Users/${created.id}`, {
      method: 'PUT',
      body: userBody('carol', { displayName: 'Carol C' }),
    });
    expect(put.status).toBe(200);
    expect(put.body.title).toBeUndefined();
    expect(put.body.displayName).toBe('Carol C');
    expect(put.body.meta?.version).toBe('W/"2"');
    expect(put.headers.get('etag')).toBe('W/"2"');
    expect(put.body.meta?.created).toBe(created.meta?.created);
    expect(server.verifyPassword(created.id!, 'pw-1')).toBe(true);
    expectScimError(await scim(base, '/Users/nope', { method: 'PUT', body: userBody('x') }), 404);
  });

  it('deletes a user: 204 without body, then 404', async () => {
    const { body } = await createUser('dave');
    const deleted = await scim(base, `/Users/${body.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.hasBody).toBe(false);
    expectScimError(await scim(base, `/Users/${body.id}`), 404);
    expectScimError(await scim(base, `/Users/${body.id}`, { method: 'DELETE' }), 404);
  });

  it('rejects invalid bodies with 400 and a SCIM error', async () => {
    expectScimError(
      await scim(base, '/Users', { method: 'POST', body: { schemas: [SCHEMAS.User] } }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim(base, '/Users', { method: 'POST', body: userBody('x', { active: 'maybe' }) }),
      400,
      'invalidValue',
    );
    const notJson = await fetch(`${base}/Users`, { method: 'POST', body: '{"userName":', headers: {} });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { scimType: string }).scimType).toBe('invalidSyntax');
    expectScimError(await scim(base, '/Users', { method: 'POST', body: ['x'] }), 400, 'invalidSyntax');
  });

  it('answers 405 with Allow for a method an endpoint does not take, and 404 outside the endpoints', async () => {
    const response = await scim(base, '/Users', { method: 'DELETE' });
    expectScimError(response, 405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expectScimError(await scim(base, '/Nothing'), 404);
    expectScimError(await scim(base.replace('/scim/v2', '/other'), '/Users'), 404);
  });
});

describe('uniqueness', () => {
  it('refuses a second userName differing only by case with 409 uniqueness, on POST, PUT and PATCH', async () => {
    await createUser('Erin');
    expectScimError(
      await scim(base, '/Users', { method: 'POST', body: userBody('erin') }),
      409,
      'uniqueness',
    );
    const { body: frank } = await createUser('frank');
    expectScimError(
      await scim(base, `/Users/${frank.id}`, { method: 'PUT', body: userBody('ERIN') }),
      409,
      'uniqueness',
    );
    expectScimError(
      await scim(base, `/Users/${frank.id}`, {
        method: 'PATCH',
        body: patchBody({ op: 'replace', path: 'userName', value: 'eRiN' }),
      }),
      409,
      'uniqueness',
    );
    // Renaming to itself with another case is not a clash.
    const renamed = await scim(base, `/Users/${frank.id}`, { method: 'PUT', body: userBody('FRANK') });
    expect(renamed.status).toBe(200);
    expect(server.counts().users).toBe(2);
  });

  it('refuses a duplicate group displayName by default, and allows it when configured', async () => {
    await createGroup('Admins');
    expectScimError(
      await scim(base, '/Groups', { method: 'POST', body: groupBody('admins') }),
      409,
      'uniqueness',
    );
    const lax = await ScimTestServer.start({ uniqueGroupDisplayName: false });
    try {
      for (const name of ['Admins', 'admins']) {
        expect((await scim(lax.baseUrl, '/Groups', { method: 'POST', body: groupBody(name) })).status).toBe(
          201,
        );
      }
      const found = await scim(lax.baseUrl, `/Groups${filterQuery('displayName eq "ADMINS"')}`);
      expect(found.body.totalResults).toBe(2);
    } finally {
      await lax.close();
    }
  });
});

describe('groups and memberships', () => {
  it('stores members with $ref and type, and computes users’ groups (direct and indirect)', async () => {
    const { body: alice } = await createUser('alice');
    const { body: bob } = await createUser('bob');
    const { body: inner } = await createGroup('Inner', [alice.id!]);
    const { body: outer } = await createGroup('Outer', [inner.id!, bob.id!]);
    expect(outer.members).toEqual([
      { value: inner.id, $ref: `${base}/Groups/${inner.id}`, type: 'Group' },
      { value: bob.id, $ref: `${base}/Users/${bob.id}`, type: 'User' },
    ]);
    const aliceNow = await scim(base, `/Users/${alice.id}`);
    expect(aliceNow.body.groups).toEqual([
      { value: inner.id, $ref: `${base}/Groups/${inner.id}`, display: 'Inner', type: 'direct' },
      { value: outer.id, $ref: `${base}/Groups/${outer.id}`, display: 'Outer', type: 'indirect' },
    ]);
    expect((await scim(base, `/Users/${bob.id}`)).body.groups).toEqual([
      expect.objectContaining({ value: outer.id, type: 'direct' }),
    ]);
  });

  it('refuses members that do not exist, the group itself, or a wrong type (400 invalidValue)', async () => {
    const { body: alice } = await createUser('alice');
    expectScimError(
      await scim(base, '/Groups', { method: 'POST', body: groupBody('G', [alice.id!, 'ghost']) }),
      400,
      'invalidValue',
    );
    const { body: group } = await createGroup('G');
    expectScimError(
      await scim(base, `/Groups/${group.id}`, {
        method: 'PATCH',
        body: patchBody({ op: 'add', path: 'members', value: [{ value: group.id }] }),
      }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim(base, `/Groups/${group.id}`, {
        method: 'PUT',
        body: { ...groupBody('G'), members: [{ value: alice.id, type: 'Group' }] },
      }),
      400,
      'invalidValue',
    );
    expect(server.getGroup(group.id!)?.members).toEqual([]);
  });

  it('stores a repeated member once', async () => {
    const { body: alice } = await createUser('alice');
    const { body } = await createGroup('G', [alice.id!, alice.id!]);
    expect(body.members).toHaveLength(1);
  });

  it('removes a deleted user or group from every group', async () => {
    const { body: alice } = await createUser('alice');
    const { body: bob } = await createUser('bob');
    const { body: inner } = await createGroup('Inner', [alice.id!]);
    const { body: outer } = await createGroup('Outer', [alice.id!, bob.id!, inner.id!]);
    expect((await scim(base, `/Users/${alice.id}`, { method: 'DELETE' })).status).toBe(204);
    const outerNow = await scim(base, `/Groups/${outer.id}`);
    expect(outerNow.body.members?.map((member) => member.value)).toEqual([bob.id, inner.id]);
    expect(outerNow.body.meta?.version).toBe('W/"2"');
    expect((await scim(base, `/Groups/${inner.id}`)).body.members).toEqual([]);
    expect((await scim(base, `/Groups/${inner.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await scim(base, `/Groups/${outer.id}`)).body.members?.map((member) => member.value)).toEqual([
      bob.id,
    ]);
  });

  it('updates users’ groups when a group is renamed or loses a member', async () => {
    const { body: alice } = await createUser('alice');
    const { body: group } = await createGroup('Old', [alice.id!]);
    await scim(base, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchBody({ op: 'replace', path: 'displayName', value: 'New' }),
    });
    expect((await scim(base, `/Users/${alice.id}`)).body.groups?.[0]?.display).toBe('New');
    await scim(base, `/Groups/${group.id}`, {
      method: 'PATCH',
      body: patchBody({ op: 'remove', path: `members[value eq "${alice.id}"]` }),
    });
    expect((await scim(base, `/Users/${alice.id}`)).body.groups).toBeUndefined();
  });
});

describe('PATCH', () => {
  it('adds and removes members in the RFC value-path form and the Entra value-array form', async () => {
    const ids: string[] = [];
    for (const name of ['u1', 'u2', 'u3']) ids.push((await createUser(name)).body.id!);
    const { body: group } = await createGroup('G');
    const path = `/Groups/${group.id}`;
    const added = await scim(base, path, {
      method: 'PATCH',
      body: patchBody({ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }),
    });
    expect(added.status).toBe(200);
    expect(added.body.members?.map((member) => member.value)).toEqual(ids);
    expect(added.headers.get('etag')).toBe('W/"2"');
    await scim(base, path, {
      method: 'PATCH',
      body: patchBody({ op: 'remove', path: `members[value eq "${ids[0]}"]` }),
    });
    const entra = await scim(base, path, {
      method: 'PATCH',
      body: { ...patchBody({ op: 'Remove', path: 'members', value: [{ value: ids[2] }] }) },
    });
    expect(entra.status).toBe(200);
    expect(entra.body.members?.map((member) => member.value)).toEqual([ids[1]]);
  });

  it('replaces user attributes, including extension paths, and changes the password without returning it', async () => {
    const { body: user } = await createUser('pat', { active: true, password: 'old' });
    const response = await scim(base, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchBody(
        { op: 'replace', path: 'active', value: false },
        { op: 'add', path: `${SCHEMAS.EnterpriseUser}:department`, value: 'Sales' },
        { op: 'replace', path: 'password', value: 'new' },
      ),
    });
    expect(response.status).toBe(200);
    expect(response.body.active).toBe(false);
    expect(response.body[SCHEMAS.EnterpriseUser]).toEqual({ department: 'Sales' });
    expect(response.body.schemas).toContain(SCHEMAS.EnterpriseUser);
    expect(response.body.password).toBeUndefined();
    expect(server.verifyPassword(user.id!, 'new')).toBe(true);
  });

  it('answers the PATCH errors of RFC 7644 with their scimType', async () => {
    const { body: user } = await createUser('pat');
    const path = `/Users/${user.id}`;
    const send = (body: unknown) => scim(base, path, { method: 'PATCH', body });
    expectScimError(await send(patchBody({ op: 'replace', path: 'groups', value: [] })), 400, 'mutability');
    expectScimError(await send(patchBody({ op: 'remove', path: 'emails[type eq "home"]' })), 400, 'noTarget');
    expectScimError(
      await send(patchBody({ op: 'replace', path: 'emails[type eq', value: 'x' })),
      400,
      'invalidPath',
    );
    expectScimError(await send(patchBody({ op: 'add', path: 'title' })), 400, 'invalidValue');
    expectScimError(await send({ schemas: [SCHEMAS.PatchOp], Operations: [] }), 400, 'invalidSyntax');
    expectScimError(
      await send(patchBody({ op: 'replace', path: 'active', value: 'not-a-boolean' })),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim(base, '/Users/nope', { method: 'PATCH', body: patchBody({ op: 'remove', path: 'title' }) }),
      404,
    );
    // Nothing was changed by the failed requests.
    expect((await scim(base, path)).body.meta?.version).toBe('W/"1"');
  });
});

describe('ETags', () => {
  it('honours If-Match on PUT, PATCH and DELETE (412 on mismatch) and If-None-Match on GET (304)', async () => {
    const { body: user } = await createUser('etag');
    const path = `/Users/${user.id}`;
    const stale = { 'if-match': 'W/"7"' };
    expectScimError(await scim(base, path, { method: 'PUT', body: userBody('etag'), headers: stale }), 412);
    expectScimError(
      await scim(base, path, {
        method: 'PATCH',
        body: patchBody({ op: 'add', path: 'title', value: 'x' }),
        headers: stale,
      }),
      412,
    );
    expectScimError(await scim(base, path, { method: 'DELETE', headers: stale }), 412);
    const fresh = await scim(base, path, {
      method: 'PUT',
      body: userBody('etag'),
      headers: { 'if-match': 'W/"1"' },
    });
    expect(fresh.status).toBe(200);
    expect(
      (await scim(base, path, { method: 'PUT', body: userBody('etag'), headers: { 'if-match': '*' } }))
        .status,
    ).toBe(200);
    const notModified = await scim(base, path, { headers: { 'if-none-match': 'W/"3"' } });
    expect(notModified.status).toBe(304);
    expect((await scim(base, path, { headers: { 'if-none-match': 'W/"1"' } })).status).toBe(200);
    expect((await scim(base, path, { method: 'DELETE', headers: { 'if-match': '"3"' } })).status).toBe(204);
  });
});

describe('lists, filters and pagination', () => {
  beforeEach(async () => {
    for (let index = 1; index <= 25; index++) {
      server.addUser(
        userBody(`user${String(index).padStart(2, '0')}`, { title: index % 2 === 0 ? 'even' : 'odd' }),
      );
    }
  });

  it('pages with startIndex and count, in creation order, with honest counts', async () => {
    const first = await scim(base, '/Users?startIndex=1&count=10');
    expect(first.body).toMatchObject({
      schemas: [SCHEMAS.ListResponse],
      totalResults: 25,
      itemsPerPage: 10,
      startIndex: 1,
    });
    expect(first.body.Resources?.[0]?.userName).toBe('user01');
    const last = await scim(base, '/Users?startIndex=21&count=10');
    expect(last.body).toMatchObject({ totalResults: 25, itemsPerPage: 5, startIndex: 21 });
    expect(last.body.Resources?.map((user) => user.userName)).toEqual(
      ['21', '22', '23', '24', '25'].map((n) => `user${n}`),
    );
    const all: string[] = [];
    for (let startIndex = 1; startIndex <= 25; startIndex += 7) {
      const page = await scim(base, `/Users?startIndex=${startIndex}&count=7`);
      all.push(...(page.body.Resources ?? []).map((user) => user.userName!));
    }
    expect(new Set(all).size).toBe(25);
  });

  it('handles the edges: past the end, startIndex < 1, count 0, negative, default and maximum page sizes', async () => {
    const past = await scim(base, '/Users?startIndex=26&count=10');
    expect(past.body).toMatchObject({ totalResults: 25, itemsPerPage: 0, startIndex: 26, Resources: [] });
    const zeroStart = await scim(base, '/Users?startIndex=0&count=2');
    expect(zeroStart.body.startIndex).toBe(1);
    expect(zeroStart.body.Resources?.[0]?.userName).toBe('user01');
    expect((await scim(base, '/Users?count=0')).body).toMatchObject({
      totalResults: 25,
      itemsPerPage: 0,
      Resources: [],
    });
    expect((await scim(base, '/Users?count=-5')).body.itemsPerPage).toBe(0);
    expect((await scim(base, '/Users')).body.itemsPerPage).toBe(10); // defaultPageSize
    for (let index = 26; index <= 60; index++) server.addUser(userBody(`more${index}`));
    expect((await scim(base, '/Users?count=1000')).body.itemsPerPage).toBe(50); // maxPageSize
    expectScimError(await scim(base, '/Users?count=ten'), 400, 'invalidValue');
  });

  it('filters with the SDK evaluator: case-insensitive userName, and/or/not, value paths, pr', async () => {
    const eq = await scim(base, `/Users${filterQuery('userName eq "USER07"')}`);
    expect(eq.body.totalResults).toBe(1);
    expect(eq.body.Resources?.[0]?.userName).toBe('user07');
    const combined = await scim(
      base,
      `/Users${filterQuery('title eq "even" and not (userName sw "user1")', '&count=50')}`,
    );
    expect(combined.body.Resources?.map((user) => user.userName)).toEqual(
      ['02', '04', '06', '08', '20', '22', '24'].map((n) => `user${n}`),
    );
    const or = await scim(base, `/Users${filterQuery('userName eq "user01" or userName eq "user02"')}`);
    expect(or.body.totalResults).toBe(2);
    expect((await scim(base, `/Users${filterQuery('title pr')}`)).body.totalResults).toBe(25);
    expect((await scim(base, `/Users${filterQuery('userName eq "nobody"')}`)).body).toMatchObject({
      totalResults: 0,
      Resources: [],
    });
    const { body: group } = await createGroup('G', [eq.body.Resources![0]!.id!]);
    const byMember = await scim(
      base,
      `/Groups${filterQuery(`members[value eq "${eq.body.Resources![0]!.id}"]`)}`,
    );
    expect(byMember.body.Resources?.map((found) => found.id)).toEqual([group.id]);
    const byGroup = await scim(base, `/Users${filterQuery(`groups.value eq "${group.id}"`)}`);
    expect(byGroup.body.Resources?.map((found) => found.userName)).toEqual(['user07']);
    expect((await scim(base, `/Groups${filterQuery('displayName eq "g"')}`)).body.totalResults).toBe(1);
  });

  it('answers a malformed filter with 400 invalidFilter', async () => {
    expectScimError(await scim(base, `/Users${filterQuery('userName eq')}`), 400, 'invalidFilter');
    expectScimError(await scim(base, `/Users${filterQuery('((userName eq "x"')}`), 400, 'invalidFilter');
  });

  it('applies attributes and excludedAttributes (id and schemas always returned)', async () => {
    const only = await scim(base, `/Users${filterQuery('userName eq "user01"', '&attributes=userName')}`);
    expect(Object.keys(only.body.Resources![0]!).sort()).toEqual(['id', 'schemas', 'userName']);
    const without = await scim(
      base,
      `/Users${filterQuery('userName eq "user01"', '&excludedAttributes=title,meta,id')}`,
    );
    expect(without.body.Resources![0]).not.toHaveProperty('title');
    expect(without.body.Resources![0]).not.toHaveProperty('meta');
    expect(without.body.Resources![0]).toHaveProperty('id');
    const id = only.body.Resources![0]!.id!;
    const sub = await scim(base, `/Users/${id}?attributes=meta.version,userName`);
    expect(sub.body).toEqual({ id, schemas: [SCHEMAS.User], userName: 'user01', meta: { version: 'W/"1"' } });
  });

  it('answers POST /.search like GET', async () => {
    const response = await scim(base, '/Users/.search', {
      method: 'POST',
      body: {
        schemas: [SCHEMAS.SearchRequest],
        filter: 'title eq "odd"',
        startIndex: 2,
        count: 3,
        attributes: ['userName'],
      },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 13, itemsPerPage: 3, startIndex: 2 });
    expect(response.body.Resources?.map((user) => user.userName)).toEqual(['user03', 'user05', 'user07']);
    expect(server.stats().byRoute['POST /Users/.search']).toBe(1);
  });
});

describe('cursor pagination (RFC 9865)', () => {
  it('walks every page with nextCursor, survives deletions, and rejects a forged cursor', async () => {
    const cursorServer = await ScimTestServer.start({ cursorPagination: true });
    try {
      for (let index = 0; index < 12; index++) cursorServer.addUser(userBody(`c${index}`));
      const config = await scim(cursorServer.baseUrl, '/ServiceProviderConfig');
      expect(config.body.pagination).toMatchObject({ cursor: true, index: true });
      const seen: string[] = [];
      let cursor = '';
      for (let pages = 0; pages < 10; pages++) {
        const page = await scim(cursorServer.baseUrl, `/Users?count=5&cursor=${encodeURIComponent(cursor)}`);
        expect(page.body.startIndex).toBeUndefined();
        seen.push(...(page.body.Resources ?? []).map((user) => user.userName!));
        if (pages === 0) {
          // Deleting a user already seen does not shift the next page.
          cursorServer.clear();
          for (let index = 0; index < 12; index++) cursorServer.addUser(userBody(`d${index}`));
        }
        if (page.body.nextCursor === undefined) break;
        cursor = page.body.nextCursor;
      }
      expect(seen.slice(0, 5)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
      expect(seen.slice(5)).toEqual([
        'd0',
        'd1',
        'd2',
        'd3',
        'd4',
        'd5',
        'd6',
        'd7',
        'd8',
        'd9',
        'd10',
        'd11',
      ]);
      const forged = await scim(cursorServer.baseUrl, '/Users?cursor=not-a-cursor');
      expectScimError(forged, 400, 'invalidCursor');
    } finally {
      await cursorServer.close();
    }
  });
});

describe('discovery', () => {
  it('serves ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const config = await scim(base, '/ServiceProviderConfig');
    expect(config.body).toMatchObject({
      schemas: [SCHEMAS.ServiceProviderConfig],
      patch: { supported: true },
      filter: { supported: true, maxResults: 50 },
      etag: { supported: true },
      sort: { supported: false },
      bulk: { supported: false },
      authenticationSchemes: [],
      pagination: { index: true, cursor: false, defaultPageSize: 10, maxPageSize: 50 },
    });
    const types = await scim(base, '/ResourceTypes');
    expect(types.body.Resources?.map((type) => type.id)).toEqual(['User', 'Group']);
    expect((await scim(base, '/ResourceTypes/User')).body).toMatchObject({
      endpoint: '/Users',
      schema: SCHEMAS.User,
      schemaExtensions: [{ schema: SCHEMAS.EnterpriseUser, required: false }],
    });
    const schemaList = await scim(base, '/Schemas');
    expect(schemaList.body.Resources?.map((schema) => schema.id)).toEqual(
      expect.arrayContaining([SCHEMAS.User, SCHEMAS.Group, SCHEMAS.EnterpriseUser]),
    );
    const user = await scim(base, `/Schemas/${SCHEMAS.User}`);
    expect(user.body.meta?.location).toBe(`${base}/Schemas/${SCHEMAS.User}`);
    expect(user.body.attributes).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'userName' })]),
    );
    expectScimError(await scim(base, '/Schemas/urn:nope'), 404);
  });

  it('declares configured schema extensions', async () => {
    const urn = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
    const extended = await ScimTestServer.start({
      schemaExtensions: [
        {
          resourceType: 'User',
          schema: {
            id: urn,
            name: 'AcmeUser',
            attributes: [{ name: 'badge', type: 'string', multiValued: false }],
          },
          required: true,
        },
      ],
    });
    try {
      const type = await scim(extended.baseUrl, '/ResourceTypes/User');
      expect(type.body.schemaExtensions).toContainEqual({ schema: urn, required: true });
      expect((await scim(extended.baseUrl, `/Schemas/${urn}`)).body.name).toBe('AcmeUser');
      const created = await scim(extended.baseUrl, '/Users', {
        method: 'POST',
        body: { schemas: [SCHEMAS.User, urn], userName: 'acme', [urn]: { badge: 'B-1' } },
      });
      expect(created.body[urn]).toEqual({ badge: 'B-1' });
    } finally {
      await extended.close();
    }
  });
});

describe('authentication', () => {
  it('requires the bearer token and answers 401 with a SCIM error and a challenge, never echoing it', async () => {
    const secured = await ScimTestServer.start({ auth: { type: 'bearer', token: 'right-token' } });
    try {
      const missing = await scim(secured.baseUrl, '/Users');
      expectScimError(missing, 401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="scim"');
      const wrong = await scim(secured.baseUrl, '/Users', { token: 'wrong-token' });
      expectScimError(wrong, 401);
      expect(JSON.stringify(wrong.body)).not.toContain('wrong-token');
      const basic = await scim(secured.baseUrl, '/Users', {
        headers: { authorization: `Basic ${Buffer.from('a:right-token').toString('base64')}` },
      });
      expectScimError(basic, 401);
      expect((await scim(secured.baseUrl, '/Users', { token: 'right-token' })).status).toBe(200);
      const config = await scim(secured.baseUrl, '/ServiceProviderConfig', { token: 'right-token' });
      expect(config.body.authenticationSchemes).toEqual([
        expect.objectContaining({ type: 'oauthbearertoken' }),
      ]);
      secured.setAuth({ type: 'bearer', token: 'rotated' });
      expect((await scim(secured.baseUrl, '/Users', { token: 'right-token' })).status).toBe(401);
      expect((await scim(secured.baseUrl, '/Users', { token: 'rotated' })).status).toBe(200);
      expect(secured.stats().byStatus).toMatchObject({ '401': 4, '200': 3 });
    } finally {
      await secured.close();
    }
  });

  it('requires HTTP Basic credentials when configured', async () => {
    const secured = await ScimTestServer.start({
      auth: { type: 'basic', username: 'scim', password: 'p:ss w0rd' },
    });
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });
    try {
      expect((await scim(secured.baseUrl, '/Users', { headers: basic('scim', 'p:ss w0rd') })).status).toBe(
        200,
      );
      const wrongPassword = await scim(secured.baseUrl, '/Users', { headers: basic('scim', 'nope') });
      expectScimError(wrongPassword, 401);
      expect(wrongPassword.headers.get('www-authenticate')).toBe('Basic realm="scim"');
      expectScimError(await scim(secured.baseUrl, '/Users', { headers: basic('other', 'p:ss w0rd') }), 401);
      expectScimError(await scim(secured.baseUrl, '/Users', { token: 'p:ss w0rd' }), 401);
      const config = await scim(secured.baseUrl, '/ServiceProviderConfig', {
        headers: basic('scim', 'p:ss w0rd'),
      });
      expect(config.body.authenticationSchemes).toEqual([expect.objectContaining({ type: 'httpbasic' })]);
    } finally {
      await secured.close();
    }
  });
});

describe('counters, snapshots and seeding', () => {
  it('counts requests by method, route template and status', async () => {
    const { body: user } = await createUser('counted');
    await scim(base, `/Users/${user.id}`);
    await scim(base, `/Users/${user.id}`);
    await scim(base, `/Users/${user.id}`, {
      method: 'PATCH',
      body: patchBody({ op: 'add', path: 'title', value: 't' }),
    });
    await scim(base, '/Users?count=1');
    await scim(base, '/Nope');
    const stats = server.stats();
    expect(stats.totalRequests).toBe(6);
    expect(stats.byMethod).toEqual({ POST: 1, GET: 4, PATCH: 1 });
    expect(stats.byRoute).toEqual({
      'POST /Users': 1,
      'GET /Users/:id': 2,
      'PATCH /Users/:id': 1,
      'GET /Users': 1,
      'GET (unknown)': 1,
    });
    expect(stats.byStatus).toEqual({ '201': 1, '200': 4, '404': 1 });
    server.resetStats();
    expect(server.stats().totalRequests).toBe(0);
    expect(server.stats().byRoute).toEqual({});
  });

  it('snapshots deep copies, with passwords redacted', async () => {
    const { body: user } = await createUser('snap', { password: 'sup3r-s3cret' });
    await createGroup('Snaps', [user.id!]);
    const snapshot = server.snapshot();
    expect(snapshot.users).toHaveLength(1);
    expect(snapshot.users[0]).toMatchObject({ userName: 'snap', password: '[REDACTED]' });
    expect(JSON.stringify(snapshot)).not.toContain('sup3r-s3cret');
    expect(snapshot.groups[0]).toMatchObject({
      displayName: 'Snaps',
      members: [expect.objectContaining({ value: user.id })],
    });
    (snapshot.users[0] as { userName: string }).userName = 'changed';
    (snapshot.groups[0]!.members as unknown[]).length = 0;
    expect(server.snapshot().users[0]?.userName).toBe('snap');
    expect(server.snapshot().groups[0]?.members).toHaveLength(1);
    expect(JSON.stringify(server.getUser(user.id!))).not.toContain('sup3r-s3cret');
  });

  it('seeds users and groups programmatically, with chosen ids, and clears', async () => {
    const user = server.addUser(userBody('seeded', { id: 'u-1' }));
    expect(user.id).toBe('u-1');
    const group = server.addGroup({ ...groupBody('Seeded', ['u-1']), id: 'g-1' });
    expect(group.members).toEqual([expect.objectContaining({ value: 'u-1', type: 'User' })]);
    expect((await scim(base, '/Users/u-1')).body.groups?.[0]?.value).toBe('g-1');
    expect(() => server.addUser(userBody('SEEDED'))).toThrow(/already in use/);
    expect(() => server.addUser(userBody('x', { id: 'g-1' }))).toThrow(/already exists/);
    expect(() => server.addGroup(groupBody('Bad', ['ghost']))).toThrow(/ghost/);
    expect(() => server.addUser({ schemas: [SCHEMAS.User] })).toThrow(/userName/);
    expect(server.stats().totalRequests).toBe(1);
    server.clear();
    expect(server.counts()).toEqual({ users: 0, groups: 0 });
    expect((await scim(base, '/Users/u-1')).status).toBe(404);
  });
});
