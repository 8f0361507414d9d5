import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/scim/schemas';
import { type ScimmyHarness, startScimmy } from '../support/scimmy';
import { filterQuery, groupBody, patchBody, type ScimRequest, scim, userBody } from './http';

let scimmy: ScimmyHarness;
const call = (path: string, request: ScimRequest = {}) =>
  scim(scimmy.baseUrl, path, { token: scimmy.token, ...request });

beforeAll(async () => {
  scimmy = await startScimmy({ token: 'scimmy-test-token' });
});
afterAll(() => scimmy.close());

describe('scimmy harness: smoke', () => {
  it('listens on loopback and requires its bearer token', async () => {
    expect(scimmy.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
    expect(scimmy.token).toBe('scimmy-test-token');
    const anonymous = await scim(scimmy.baseUrl, '/Users');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.schemas).toEqual([SCHEMAS.Error]);
    expect((await scim(scimmy.baseUrl, '/Users', { token: 'wrong' })).status).toBe(401);
    expect((await call('/Users')).status).toBe(200);
  });

  it('creates, reads, lists, filters, patches and deletes users and groups', async () => {
    const created = await call('/Users', { method: 'POST', body: userBody('smoke.user', { active: true }) });
    expect(created.status).toBe(201);
    const userId = created.body.id!;
    expect(created.body.meta?.location).toBe(`${scimmy.baseUrl}/Users/${userId}`);
    expect((await call(`/Users/${userId}`)).body.userName).toBe('smoke.user');

    const duplicate = await call('/Users', { method: 'POST', body: userBody('SMOKE.USER') });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.scimType).toBe('uniqueness');

    const found = await call(`/Users${filterQuery('userName eq "smoke.user"')}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources?.[0]?.id).toBe(userId);

    const group = await call('/Groups', { method: 'POST', body: groupBody('Smokers', [userId]) });
    expect(group.status).toBe(201);
    const groupId = group.body.id!;
    expect((await call(`/Users/${userId}`)).body.groups?.[0]?.value).toBe(groupId);

    const other = (await call('/Users', { method: 'POST', body: userBody('smoke.other') })).body.id!;
    const added = await call(`/Groups/${groupId}`, {
      method: 'PATCH',
      body: patchBody({ op: 'add', path: 'members', value: [{ value: other }] }),
    });
    expect(added.status).toBe(200);
    expect(added.body.members?.map((member) => member.value)).toEqual([userId, other]);
    const removed = await call(`/Groups/${groupId}`, {
      method: 'PATCH',
      body: patchBody({ op: 'remove', path: `members[value eq "${userId}"]` }),
    });
    expect(removed.body.members?.map((member) => member.value)).toEqual([other]);
    const entra = await call(`/Groups/${groupId}`, {
      method: 'PATCH',
      body: patchBody({ op: 'remove', path: 'members', value: [{ value: other }] }),
    });
    expect(entra.status).toBe(200);
    expect(entra.body.members ?? []).toEqual([]);

    const deactivated = await call(`/Users/${userId}`, {
      method: 'PATCH',
      body: patchBody({ op: 'replace', path: 'active', value: false }),
    });
    expect(deactivated.body.active).toBe(false);
    const replaced = await call(`/Users/${userId}`, {
      method: 'PUT',
      body: userBody('smoke.user', { title: 'T' }),
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.title).toBe('T');
    expect(replaced.body.active).toBeUndefined();

    expect((await call(`/Users/${userId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/Users/${userId}`)).status).toBe(404);
    expect((await call(`/Groups/${groupId}`, { method: 'DELETE' })).status).toBe(204);
    expect(scimmy.store.groups.size).toBe(0);
    await call(`/Users/${other}`, { method: 'DELETE' });
  });

  it('pages with startIndex and count, and with POST /.search', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 7; index++) {
      ids.push((await call('/Users', { method: 'POST', body: userBody(`page${index}`) })).body.id!);
    }
    try {
      const second = await call('/Users?startIndex=3&count=3');
      expect(second.body.totalResults).toBe(7);
      expect(second.body.Resources?.map((user) => user.userName)).toEqual(['page2', 'page3', 'page4']);
      const search = await call('/Users/.search', {
        method: 'POST',
        body: { schemas: [SCHEMAS.SearchRequest], filter: 'userName sw "page"', startIndex: 6, count: 5 },
      });
      expect(search.body.Resources?.map((user) => user.userName)).toEqual(['page5', 'page6']);
    } finally {
      for (const id of ids) await call(`/Users/${id}`, { method: 'DELETE' });
    }
  });
});

describe('scimmy deviations from RFC 7644 (see test/support/scimmy.ts)', () => {
  let ids: string[] = [];
  beforeAll(async () => {
    for (const name of ['Alice', 'bob', 'carol']) {
      ids.push(
        (await call('/Users', { method: 'POST', body: userBody(name, { name: { givenName: name } }) })).body
          .id!,
      );
    }
  });
  afterAll(async () => {
    for (const id of ids) await call(`/Users/${id}`, { method: 'DELETE' });
    ids = [];
  });

  it('1: on express 5 without the harness fix, GET lists ignore startIndex and count', async () => {
    const raw = await startScimmy({ castPagingParameters: false });
    try {
      for (let index = 0; index < 22; index++) {
        await scim(raw.baseUrl, '/Users', {
          method: 'POST',
          token: raw.token,
          body: userBody(`raw${index}`),
        });
      }
      const page = await scim(raw.baseUrl, '/Users?startIndex=21&count=5', { token: raw.token });
      expect(page.body.Resources?.[0]?.userName).toBe('raw0');
      expect(page.body.Resources).toHaveLength(20);
    } finally {
      await raw.close();
    }
  });

  it('2: a startIndex past the end returns the first page again', async () => {
    const past = await call('/Users?startIndex=10&count=2');
    expect(past.body.startIndex).toBe(10);
    expect(past.body.Resources?.map((user) => user.userName)).toEqual(['Alice', 'bob']);
  });

  it('3: itemsPerPage is the requested count, not the page length', async () => {
    const last = await call('/Users?startIndex=3&count=5');
    expect(last.body.Resources).toHaveLength(1);
    expect(last.body.itemsPerPage).toBe(5);
  });

  it('4: count has no maximum although filter.maxResults says 200', async () => {
    const config = await call('/ServiceProviderConfig');
    expect(config.body.filter).toMatchObject({ supported: true, maxResults: 200 });
    expect((await call('/Users?count=500000')).body.itemsPerPage).toBe(500000);
  });

  it('5: string filters are case-sensitive, also on caseExact=false attributes', async () => {
    expect((await call(`/Users${filterQuery('userName eq "alice"')}`)).body.totalResults).toBe(0);
    expect((await call(`/Users${filterQuery('userName eq "Alice"')}`)).body.totalResults).toBe(1);
    expect((await call(`/Users${filterQuery('name.givenName eq "ALICE"')}`)).body.totalResults).toBe(0);
  });

  it('6: some malformed filters answer 200 with no results instead of 400 invalidFilter', async () => {
    const accepted = await call(`/Users${filterQuery('userName eq')}`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.totalResults).toBe(0);
    const refused = await call(`/Users${filterQuery('((userName eq "x"')}`);
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe('invalidFilter');
  });

  it('7: a remove whose filter matches nothing answers 204 instead of 400 noTarget', async () => {
    const response = await call(`/Users/${ids[1]}`, {
      method: 'PATCH',
      body: patchBody({ op: 'remove', path: 'emails[type eq "home"]' }),
    });
    expect(response.status).toBe(204);
    expect(response.hasBody).toBe(false);
  });

  it('8: no SCIM ETags, but an express ETag on every response, and If-Match is ignored', async () => {
    const read = await call(`/Users/${ids[2]}`);
    expect(read.body.meta).not.toHaveProperty('version');
    expect(read.headers.get('etag')).toMatch(/^W\/"/);
    expect((await call('/Users/missing')).headers.get('etag')).toMatch(/^W\/"/);
    const config = await call('/ServiceProviderConfig');
    expect(config.body.etag).toEqual({ supported: false });
    const stale = await call(`/Users/${ids[2]}`, {
      method: 'PUT',
      body: userBody('carol'),
      headers: { 'if-match': 'W/"stale"' },
    });
    expect(stale.status).toBe(200);
  });

  it('9 and 10: no Location on 201, no WWW-Authenticate on 401', async () => {
    const created = await call('/Users', { method: 'POST', body: userBody('located') });
    ids.push(created.body.id!);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBeNull();
    const anonymous = await scim(scimmy.baseUrl, '/Users');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBeNull();
  });
});
