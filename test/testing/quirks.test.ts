import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/scim/schemas';
import { ScimTestServer } from '../../src/testing/index';
import { filterQuery, groupBody, patchBody, scim, userBody } from './http';

let server: ScimTestServer;
let base: string;
let userIds: string[];

beforeAll(async () => {
  server = await ScimTestServer.start({ defaultPageSize: 4 });
  base = server.baseUrl;
});
afterAll(() => server.close());
beforeEach(() => {
  server.resetQuirks();
  server.clear();
  userIds = [];
  for (const name of ['ann', 'ben', 'cat', 'dan', 'eve', 'fay'])
    userIds.push(server.addUser(userBody(name)).id as string);
  server.addGroup(groupBody('Admins', userIds.slice(0, 3)));
});

const config = async () => (await scim(base, '/ServiceProviderConfig')).body;

describe('quirks are switchable', () => {
  it('starts with every quirk off, resolves defaults, merges changes and resets', async () => {
    const fresh = await ScimTestServer.start({ quirks: { pageSizeCap: 2, noGroupCreate: true } });
    try {
      expect(fresh.quirks).toMatchObject({ pageSizeCap: 2, noGroupCreate: 501, filterUnsupported: false });
      fresh.setQuirks({ filterUnsupported: 'ignore' });
      expect(fresh.quirks).toMatchObject({ pageSizeCap: 2, filterUnsupported: 'ignore' });
      fresh.setQuirks({ pageSizeCap: false });
      expect(fresh.quirks.pageSizeCap).toBe(false);
      fresh.resetQuirks({ noEtags: true });
      expect(fresh.quirks).toMatchObject({ noEtags: true, filterUnsupported: false, noGroupCreate: false });
      expect(() => fresh.setQuirks({ patchUnsupported: 404 as 405 })).toThrow(/patchUnsupported/);
    } finally {
      await fresh.close();
    }
  });
});

describe('filterUnsupported', () => {
  it("'error400': any filter gets 400 invalidFilter, lists without a filter still work, config says unsupported", async () => {
    server.setQuirks({ filterUnsupported: 'error400' });
    const refused = await scim(base, `/Users${filterQuery('userName eq "ann"')}`);
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe('invalidFilter');
    expect((await scim(base, '/Users?count=10')).body.totalResults).toBe(6);
    expect((await config()).filter).toMatchObject({ supported: false });
  });

  it("'ignore': the filter is ignored and every resource is listed", async () => {
    server.setQuirks({ filterUnsupported: 'ignore' });
    const ignored = await scim(base, `/Users${filterQuery('userName eq "ann"', '&count=10')}`);
    expect(ignored.status).toBe(200);
    expect(ignored.body.totalResults).toBe(6);
    expect(ignored.body.Resources?.map((user) => user.userName)).toContain('fay');
    expect((await config()).filter).toMatchObject({ supported: false });
  });

  it('unfilterableAttributes: displayName filters fail while userName filters work', async () => {
    server.setQuirks({ unfilterableAttributes: ['displayName'] });
    const groups = await scim(base, `/Groups${filterQuery('displayName eq "Admins"')}`);
    expect(groups.status).toBe(400);
    expect(groups.body.scimType).toBe('invalidFilter');
    const nested = await scim(base, `/Groups${filterQuery('members[value eq "x"] or DISPLAYNAME pr')}`);
    expect(nested.status).toBe(400);
    expect((await scim(base, `/Users${filterQuery('userName eq "ann"')}`)).body.totalResults).toBe(1);
    expect((await config()).filter).toMatchObject({ supported: true });
  });
});

describe('patchUnsupported', () => {
  it.each([405, 501] as const)(
    '%i: every PATCH is refused, nothing changes, config says unsupported',
    async (status) => {
      server.setQuirks({ patchUnsupported: status });
      const response = await scim(base, `/Users/${userIds[0]}`, {
        method: 'PATCH',
        body: patchBody({ op: 'replace', path: 'active', value: false }),
      });
      expect(response.status).toBe(status);
      expect(response.body.schemas).toEqual([SCHEMAS.Error]);
      expect(response.headers.get('allow')).toBe(status === 405 ? 'GET, PUT, DELETE' : null);
      expect(server.getUser(userIds[0]!)?.active).toBeUndefined();
      expect((await config()).patch).toEqual({ supported: false });
      const put = await scim(base, `/Users/${userIds[0]}`, {
        method: 'PUT',
        body: userBody('ann', { active: false }),
      });
      expect(put.status).toBe(200);
    },
  );
});

describe('noGroupCreate and noGroupDelete', () => {
  it('refuses group creation (501 for true, or the given status) and still updates groups', async () => {
    server.setQuirks({ noGroupCreate: true });
    const refused = await scim(base, '/Groups', { method: 'POST', body: groupBody('New') });
    expect(refused.status).toBe(501);
    server.setQuirks({ noGroupCreate: 403 });
    expect((await scim(base, '/Groups', { method: 'POST', body: groupBody('New') })).status).toBe(403);
    expect(server.counts().groups).toBe(1);
    const groupId = server.snapshot().groups[0]!.id as string;
    const patched = await scim(base, `/Groups/${groupId}`, {
      method: 'PATCH',
      body: patchBody({ op: 'add', path: 'members', value: [{ value: userIds[5] }] }),
    });
    expect(patched.status).toBe(200);
    expect((await scim(base, '/Users', { method: 'POST', body: userBody('new-user') })).status).toBe(201);
  });

  it('refuses group deletion and keeps the group', async () => {
    server.setQuirks({ noGroupDelete: 405 });
    const groupId = server.snapshot().groups[0]!.id as string;
    const refused = await scim(base, `/Groups/${groupId}`, { method: 'DELETE' });
    expect(refused.status).toBe(405);
    expect(server.counts().groups).toBe(1);
    expect((await scim(base, `/Users/${userIds[5]}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('noEtags', () => {
  it('sends no ETag or meta.version, ignores If-Match, and says so in the config', async () => {
    server.setQuirks({ noEtags: true });
    const read = await scim(base, `/Users/${userIds[0]}`);
    expect(read.headers.get('etag')).toBeNull();
    expect(read.body.meta).not.toHaveProperty('version');
    const put = await scim(base, `/Users/${userIds[0]}`, {
      method: 'PUT',
      body: userBody('ann'),
      headers: { 'if-match': 'W/"999"' },
    });
    expect(put.status).toBe(200);
    expect((await scim(base, `/Users/${userIds[0]}`, { headers: { 'if-none-match': '*' } })).status).toBe(
      200,
    );
    expect((await config()).etag).toEqual({ supported: false });
  });
});

describe('pagination quirks', () => {
  it('startIndexPastEndReturnsFirstPage: past the end gives page one again, echoing startIndex', async () => {
    server.setQuirks({ startIndexPastEndReturnsFirstPage: true });
    const past = await scim(base, '/Users?startIndex=7&count=2');
    expect(past.body.startIndex).toBe(7);
    expect(past.body.Resources?.map((user) => user.userName)).toEqual(['ann', 'ben']);
    const within = await scim(base, '/Users?startIndex=5&count=2');
    expect(within.body.Resources?.map((user) => user.userName)).toEqual(['eve', 'fay']);
  });

  it('wrongItemsPerPage: true reports the requested count, a number reports that number', async () => {
    server.setQuirks({ wrongItemsPerPage: true });
    const last = await scim(base, '/Users?startIndex=5&count=4');
    expect(last.body.Resources).toHaveLength(2);
    expect(last.body.itemsPerPage).toBe(4);
    expect((await scim(base, '/Users?startIndex=5')).body.itemsPerPage).toBe(4); // the default page size
    server.setQuirks({ wrongItemsPerPage: 1 });
    const page = await scim(base, '/Users?count=3');
    expect(page.body.Resources).toHaveLength(3);
    expect(page.body.itemsPerPage).toBe(1);
  });

  it('totalResultsOffset: totalResults lies by the given amount', async () => {
    server.setQuirks({ totalResultsOffset: 3 });
    expect((await scim(base, '/Users?count=10')).body).toMatchObject({ totalResults: 9, itemsPerPage: 6 });
    server.setQuirks({ totalResultsOffset: -2 });
    expect((await scim(base, '/Users?count=10')).body.totalResults).toBe(4);
  });

  it('pageSizeCap: pages hold at most N whatever count asks, itemsPerPage telling the truth', async () => {
    server.setQuirks({ pageSizeCap: 2 });
    const page = await scim(base, '/Users?count=5');
    expect(page.body).toMatchObject({ itemsPerPage: 2, totalResults: 6 });
    expect(page.body.Resources).toHaveLength(2);
    server.setQuirks({ wrongItemsPerPage: true });
    expect((await scim(base, '/Users?count=5')).body.itemsPerPage).toBe(5);
  });
});

describe('entraPatchOnly', () => {
  it('refuses value-path removal with 400 invalidPath and accepts the value-array form', async () => {
    server.setQuirks({ entraPatchOnly: true });
    const groupId = server.snapshot().groups[0]!.id as string;
    const refused = await scim(base, `/Groups/${groupId}`, {
      method: 'PATCH',
      body: patchBody({ op: 'remove', path: `members[value eq "${userIds[0]}"]` }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe('invalidPath');
    expect(server.getGroup(groupId)?.members).toHaveLength(3);
    const accepted = await scim(base, `/Groups/${groupId}`, {
      method: 'PATCH',
      body: patchBody({
        op: 'remove',
        path: 'members',
        value: [{ value: userIds[0] }, { value: userIds[1] }],
      }),
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.members?.map((member) => member.value)).toEqual([userIds[2]]);
  });
});

describe('caseSensitiveDisplayName', () => {
  it('compares displayName filters case-sensitively, on the index path and the scan path', async () => {
    const eq = (value: string) => scim(base, `/Groups${filterQuery(`displayName eq "${value}"`)}`);
    expect((await eq('admins')).body.totalResults).toBe(1);
    server.setQuirks({ caseSensitiveDisplayName: true });
    expect((await eq('admins')).body.totalResults).toBe(0);
    expect((await eq('Admins')).body.totalResults).toBe(1);
    const scan = await scim(base, `/Groups${filterQuery('displayName sw "adm" or displayName eq "ADMINS"')}`);
    expect(scan.body.totalResults).toBe(0);
    // Other attributes keep the RFC's case-insensitive comparison.
    expect((await scim(base, `/Users${filterQuery('userName eq "ANN"')}`)).body.totalResults).toBe(1);
  });
});

describe('patchNoContent', () => {
  it('answers a successful PATCH with 204 and no body', async () => {
    server.setQuirks({ patchNoContent: true });
    const response = await scim(base, `/Users/${userIds[0]}`, {
      method: 'PATCH',
      body: patchBody({ op: 'replace', path: 'title', value: 'Chief' }),
    });
    expect(response.status).toBe(204);
    expect(response.hasBody).toBe(false);
    expect(response.headers.get('etag')).toBe('W/"2"');
    expect(server.getUser(userIds[0]!)?.title).toBe('Chief');
  });
});

describe('missingEndpoints', () => {
  it('answers 404 for the listed discovery endpoints only', async () => {
    server.setQuirks({ missingEndpoints: ['Schemas', 'ResourceTypes'] });
    expect((await scim(base, '/Schemas')).status).toBe(404);
    expect((await scim(base, `/Schemas/${SCHEMAS.User}`)).status).toBe(404);
    expect((await scim(base, '/ResourceTypes')).status).toBe(404);
    expect((await scim(base, '/ServiceProviderConfig')).status).toBe(200);
  });
});
