/**
 * RFC 7643 section 2.5: `null`, and `[]` for a multi-valued attribute, mean "unassigned". A PUT
 * that sends them clears the attribute; `nullValues: 'reject'` imitates services that refuse `null`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/scim/schemas';
import { ScimTestServer } from '../../src/testing/index';
import { withoutUnassigned } from '../../src/testing/store';
import { groupBody, type RawResponse, scim, userBody } from './http';

let server: ScimTestServer;
let base: string;

beforeAll(async () => {
  server = await ScimTestServer.start();
  base = server.baseUrl;
});
afterAll(() => server.close());
beforeEach(() => server.clear());

const ENTERPRISE = SCHEMAS.EnterpriseUser;

async function created(path: string, body: Record<string, unknown>): Promise<string> {
  const response = await scim(base, path, { method: 'POST', body });
  expect(response.status).toBe(201);
  return String(response.body.id);
}

async function put(path: string, body: Record<string, unknown>): Promise<RawResponse> {
  return scim(base, path, { method: 'PUT', body });
}

describe('null and [] in a request body are unassigned (RFC 7643 section 2.5)', () => {
  it('a PUT with "title": null clears title, and [] clears a multi-valued attribute', async () => {
    const id = await created(
      '/Users',
      userBody('bjensen', {
        title: 'Tour Guide',
        nickName: 'Babs',
        emails: [{ value: 'bjensen@example.com', type: 'work' }],
      }),
    );
    const response = await put(
      `/Users/${id}`,
      userBody('bjensen', { title: null, nickName: 'Babs', emails: [] }),
    );
    expect(response.status).toBe(200);
    expect(response.body).not.toHaveProperty('title');
    expect(response.body).not.toHaveProperty('emails');
    const stored = server.getUser(id);
    expect(stored).toMatchObject({ userName: 'bjensen', nickName: 'Babs' });
    expect(stored).not.toHaveProperty('title');
    expect(stored).not.toHaveProperty('emails');
    // Nothing of the null is stored: a later read has no trace of it.
    const read = await scim(base, `/Users/${id}`);
    expect(JSON.stringify(read.body)).not.toContain('null');
  });

  it('clears sub-attributes and extension attributes given as null, and drops what is left empty', async () => {
    const id = await created(
      '/Users',
      userBody('ada', {
        schemas: [SCHEMAS.User, ENTERPRISE],
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        [ENTERPRISE]: { department: 'Analytics', employeeNumber: '1815' },
      }),
    );
    const response = await put(
      `/Users/${id}`,
      userBody('ada', {
        schemas: [SCHEMAS.User, ENTERPRISE],
        name: { givenName: null, familyName: 'Lovelace' },
        [ENTERPRISE]: { department: null, employeeNumber: null },
      }),
    );
    expect(response.status).toBe(200);
    const stored = server.getUser(id);
    expect(stored?.name).toEqual({ familyName: 'Lovelace' });
    expect(stored).not.toHaveProperty([ENTERPRISE]);
  });

  it('a group PUT with "members": [] (or null) removes every member', async () => {
    const alice = await created('/Users', userBody('alice'));
    const bob = await created('/Users', userBody('bob'));
    const staff = await created('/Groups', groupBody('Staff', [alice, bob]));
    const emptied = await put(`/Groups/${staff}`, groupBody('Staff', []));
    expect(emptied.status).toBe(200);
    expect(server.getGroup(staff)?.members ?? []).toEqual([]);
    const sales = await created('/Groups', groupBody('Sales', [alice]));
    const nulled = await put(`/Groups/${sales}`, {
      schemas: [SCHEMAS.Group],
      displayName: 'Sales',
      members: null,
    });
    expect(nulled.status).toBe(200);
    expect(server.getGroup(sales)?.members ?? []).toEqual([]);
    // The users' computed groups follow.
    expect(server.getUser(alice)?.groups ?? []).toEqual([]);
  });

  it('a POST with null attributes creates the user without them', async () => {
    const id = await created(
      '/Users',
      userBody('carol', { title: null, phoneNumbers: [], displayName: 'Carol' }),
    );
    const stored = server.getUser(id);
    expect(stored).toMatchObject({ userName: 'carol', displayName: 'Carol' });
    expect(stored).not.toHaveProperty('title');
    expect(stored).not.toHaveProperty('phoneNumbers');
  });

  it('still refuses a body whose required attribute is null', async () => {
    const id = await created('/Users', userBody('dave'));
    const response = await put(`/Users/${id}`, { schemas: [SCHEMAS.User], userName: null });
    expect(response.status).toBe(400);
    expect(server.getUser(id)?.userName).toBe('dave');
  });
});

describe("nullValues: 'reject'", () => {
  it('answers 400 invalidValue to a null in a PUT or POST, naming the attribute; [] still clears', async () => {
    const strict = await ScimTestServer.start({ nullValues: 'reject' });
    try {
      const createdUser = await scim(strict.baseUrl, '/Users', {
        method: 'POST',
        body: userBody('erin', { title: 'Engineer', emails: [{ value: 'erin@example.com' }] }),
      });
      const id = String(createdUser.body.id);
      const refused = await scim(strict.baseUrl, `/Users/${id}`, {
        method: 'PUT',
        body: userBody('erin', { name: { givenName: null } }),
      });
      expect(refused.status).toBe(400);
      expect(refused.body.scimType).toBe('invalidValue');
      expect(refused.body.detail).toContain('name.givenName');
      expect(strict.getUser(id)?.title).toBe('Engineer');
      const omitted = await scim(strict.baseUrl, `/Users/${id}`, {
        method: 'PUT',
        body: userBody('erin', { emails: [] }),
      });
      expect(omitted.status).toBe(200);
      expect(strict.getUser(id)).not.toHaveProperty('title');
      expect(strict.getUser(id)).not.toHaveProperty('emails');
      const post = await scim(strict.baseUrl, '/Users', {
        method: 'POST',
        body: userBody('frank', { title: null }),
      });
      expect(post.status).toBe(400);
    } finally {
      await strict.close();
    }
  });

  it('refuses an unknown nullValues option', async () => {
    await expect(ScimTestServer.start({ nullValues: 'ignore' as unknown as 'clear' })).rejects.toThrow(
      /nullValues/,
    );
  });
});

describe('withoutUnassigned', () => {
  it('drops null and [] at every depth and leaves the input alone', () => {
    const input = {
      userName: 'x',
      title: null,
      emails: [],
      phoneNumbers: [null, { value: '1', type: null }],
      name: { givenName: null },
      addresses: [{ locality: null }],
      active: false,
      nickName: '',
      meta: {},
    };
    const copy = structuredClone(input);
    expect(withoutUnassigned(input)).toEqual({
      userName: 'x',
      phoneNumbers: [{ value: '1' }],
      active: false,
      nickName: '',
      meta: {},
    });
    expect(input).toEqual(copy);
  });
});
