/**
 * Malformed and hostile target responses, one row each: the real ScimClient reads each one into a
 * typed error or a safe tolerant value, and a whole engine cycle over a target that already holds
 * provisioned users survives it without crashing, polluting a prototype, or removing anyone. A
 * good cycle afterwards converges: no account lost, duplicated or wrongly removed.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScimClient } from '../../src/client/ScimClient';
import { person } from '../engine/helpers';
import { isPolluted, prototypeFingerprint, removals, watchProcess } from './support/input/guards';
import { listOf, type SeenRequest, sendRaw, type UpstreamAnswer } from './support/input/hostile-target';
import { auditTarget, PROVISIONED_USERS, type Provisioned, provisioned } from './support/input/provisioned';

/** Which request of a cycle a case answers. */
type RequestKind =
  | 'getUser'
  | 'listUsers'
  | 'lookupUser'
  | 'createUser'
  | 'replaceUser'
  | 'listGroups'
  | 'patchGroup'
  | 'discovery';

function kindOf(request: SeenRequest): RequestKind | undefined {
  const [path = '', query = ''] = request.path.split('?');
  if (path === '/ServiceProviderConfig') return 'discovery';
  if (request.method === 'GET' && /^\/Users\/[^/]+$/.test(path)) return 'getUser';
  if (request.method === 'GET' && path === '/Users')
    return query.includes('filter=') ? 'lookupUser' : 'listUsers';
  if (request.method === 'POST' && path === '/Users') return 'createUser';
  if (request.method === 'PUT' && /^\/Users\/[^/]+$/.test(path)) return 'replaceUser';
  if (request.method === 'GET' && path === '/Groups' && !query.includes('filter=')) return 'listGroups';
  if (request.method === 'PATCH' && /^\/Groups\/[^/]+$/.test(path)) return 'patchGroup';
  return undefined;
}

/** What the client must make of the answer. */
type Expectation =
  | { readonly error: string; readonly problem?: string; readonly status?: number }
  | { readonly read: (value: unknown, context: Provisioned) => void };

interface HostileCase {
  readonly name: string;
  readonly on: RequestKind;
  /** Writes the hostile answer; `upstream()` gives the real server's answer when the case rewrites it. */
  readonly answer: (
    response: ServerResponse,
    upstream: () => Promise<UpstreamAnswer>,
    context: Provisioned,
  ) => void | Promise<void>;
  readonly expect: Expectation;
  /** Client options for this case (both the client checked and the engine's). */
  readonly client?: Partial<ConstructorParameters<typeof ScimClient>[0]>;
}

const HTML_ERROR_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

function json(value: unknown): string {
  return JSON.stringify(value);
}

/** Sends the real answer after `change` rewrote its parsed JSON. */
function rewrite(change: (body: Record<string, unknown>) => unknown, status?: number) {
  return async (response: ServerResponse, upstream: () => Promise<UpstreamAnswer>) => {
    const real = await upstream();
    const body = JSON.parse(real.body) as Record<string, unknown>;
    sendRaw(response, status ?? real.status, json(change(body)));
  };
}

/** Sends the real answer with its JSON text rewritten (for keys JSON.stringify would not write). */
function rewriteText(change: (text: string) => string) {
  return async (response: ServerResponse, upstream: () => Promise<UpstreamAnswer>) => {
    const real = await upstream();
    sendRaw(response, real.status, change(real.body));
  };
}

/** Adds raw JSON members right after the opening brace of the first object in `text`. */
function injectMembers(text: string, members: string): string {
  return text.replace('{', `{${members},`);
}

/** Rewrites every resource of a ListResponse. */
function eachResource(change: (resource: Record<string, unknown>) => Record<string, unknown>) {
  return (body: Record<string, unknown>) => ({
    ...body,
    Resources: (body.Resources as Record<string, unknown>[]).map(change),
  });
}

const PROTO_MEMBERS = '"__proto__":{"polluted":"yes","isAdmin":true}';
const CONSTRUCTOR_MEMBERS =
  '"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"__proto__":{"__proto__":{"polluted":"yes"}}';
const DEEP_LEVELS = 100_000;
const DEEP_VALUE = `${'{"a":'.repeat(DEEP_LEVELS)}1${'}'.repeat(DEEP_LEVELS)}`;
const DEEP_ARRAY = `${'['.repeat(DEEP_LEVELS)}${']'.repeat(DEEP_LEVELS)}`;

const readUser = (check?: (user: Record<string, unknown>) => void) => ({
  read: (value: unknown) => {
    expect(value).toMatchObject({ userName: expect.any(String), id: expect.any(String) });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    check?.(value as Record<string, unknown>);
  },
});

const readList = (check?: (items: Record<string, unknown>[]) => void) => ({
  read: (value: unknown) => {
    expect(Array.isArray(value)).toBe(true);
    for (const item of value as unknown[]) expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    check?.(value as Record<string, unknown>[]);
  },
});

const CASES: readonly HostileCase[] = [
  // --- not JSON at all
  {
    name: 'invalid JSON on a user GET',
    on: 'getUser',
    answer: (r) => sendRaw(r, 200, '{"id": "x", "userName": bjensen}'),
    expect: { error: 'ScimResponseError', problem: 'notJson' },
  },
  {
    name: 'truncated JSON on a user GET',
    on: 'getUser',
    answer: rewriteText((text) => text.slice(0, Math.floor(text.length / 2))),
    expect: { error: 'ScimResponseError', problem: 'notJson' },
  },
  {
    name: 'truncated JSON on a listing',
    on: 'listUsers',
    answer: rewriteText((text) => text.slice(0, text.length - 3)),
    expect: { error: 'ScimResponseError', problem: 'notJson' },
  },
  {
    name: 'HTML error page on 200 for a user GET',
    on: 'getUser',
    answer: (r) => sendRaw(r, 200, HTML_ERROR_PAGE, 'text/html'),
    expect: { error: 'ScimResponseError', problem: 'notJson' },
  },
  {
    name: 'HTML error page on 200 for a listing',
    on: 'listUsers',
    answer: (r) => sendRaw(r, 200, HTML_ERROR_PAGE, 'text/html; charset=utf-8'),
    expect: { error: 'ScimResponseError', problem: 'notJson' },
  },
  {
    name: 'HTML error page on 500',
    on: 'getUser',
    answer: (r) => sendRaw(r, 500, HTML_ERROR_PAGE, 'text/html'),
    expect: { error: 'ScimHttpError', status: 500 },
  },
  {
    name: 'HTML error page on 502 for a listing',
    on: 'listUsers',
    answer: (r) => sendRaw(r, 502, HTML_ERROR_PAGE, 'text/html'),
    expect: { error: 'ScimHttpError', status: 502 },
  },
  {
    name: 'HTML error page on 502 for a lookup',
    on: 'lookupUser',
    answer: (r) => sendRaw(r, 502, HTML_ERROR_PAGE, 'text/html'),
    expect: { error: 'ScimHttpError', status: 502 },
  },
  {
    name: 'HTML page on 201 for a create',
    on: 'createUser',
    answer: async (r, upstream) => {
      await upstream();
      sendRaw(r, 201, HTML_ERROR_PAGE, 'text/html');
    },
    expect: { error: 'ScimResponseError', problem: 'notJson' },
  },
  // --- content types
  {
    name: 'JSON sent as text/plain',
    on: 'getUser',
    answer: async (r, upstream) => sendRaw(r, 200, (await upstream()).body, 'text/plain'),
    expect: readUser(),
  },
  {
    name: 'JSON sent as text/html',
    on: 'listUsers',
    answer: async (r, upstream) => sendRaw(r, 200, (await upstream()).body, 'text/html'),
    expect: readList((items) => expect(items).toHaveLength(PROVISIONED_USERS)),
  },
  {
    name: 'JSON sent with no content type',
    on: 'getUser',
    answer: async (r, upstream) => sendRaw(r, 200, (await upstream()).body, undefined),
    expect: readUser(),
  },
  // --- empty bodies
  {
    name: 'empty body on 200 for a user GET',
    on: 'getUser',
    answer: (r) => sendRaw(r, 200, ''),
    expect: { error: 'ScimResponseError', problem: 'empty' },
  },
  {
    name: 'empty body on 201 for a create (the user was created)',
    on: 'createUser',
    answer: async (r, upstream) => {
      await upstream();
      sendRaw(r, 201, '');
    },
    expect: { error: 'ScimResponseError', problem: 'empty' },
  },
  {
    name: 'empty body on 200 for a listing',
    on: 'listUsers',
    answer: (r) => sendRaw(r, 200, ''),
    expect: { error: 'ScimResponseError', problem: 'empty' },
  },
  // --- ids
  {
    name: 'user without id',
    on: 'getUser',
    answer: rewrite(({ id: _id, ...rest }) => rest),
    expect: { error: 'ScimValidationError' },
  },
  {
    name: 'user id that is an object',
    on: 'getUser',
    answer: rewrite((body) => ({ ...body, id: { value: body.id } })),
    expect: { error: 'ScimValidationError' },
  },
  {
    name: 'listed ids that are numbers (read as their decimal strings)',
    on: 'listUsers',
    answer: rewrite((body) => ({
      ...body,
      Resources: (body.Resources as Record<string, unknown>[]).map((user, index) => ({
        ...user,
        id: 4711 + index,
      })),
    })),
    expect: readList((items) =>
      expect(items.map((item) => item.id)).toEqual(['4711', '4712', '4713', '4714']),
    ),
  },
  {
    name: 'created user without id (the user was created)',
    on: 'createUser',
    answer: rewrite(({ id: _id, ...rest }) => rest),
    expect: { error: 'ScimValidationError' },
  },
  {
    name: 'listed users without ids',
    on: 'listUsers',
    answer: rewrite(eachResource(({ id: _id, ...rest }) => rest)),
    expect: { error: 'ScimValidationError' },
  },
  // --- ListResponse envelopes that lie
  {
    name: 'totalResults lower than the resources given',
    on: 'listUsers',
    answer: rewrite((body) => ({ ...body, totalResults: 1 })),
    expect: readList((items) => expect(items).toHaveLength(PROVISIONED_USERS)),
  },
  {
    name: 'totalResults higher than the resources there are',
    on: 'listUsers',
    answer: rewrite((body) => ({ ...body, totalResults: 1000 })),
    expect: { error: 'ScimIncompleteListError' },
  },
  {
    name: 'totalResults negative',
    on: 'listUsers',
    answer: rewrite((body) => ({ ...body, totalResults: -5 })),
    expect: readList((items) => expect(items).toHaveLength(PROVISIONED_USERS)),
  },
  {
    name: 'totalResults a string',
    on: 'listUsers',
    answer: rewrite((body) => ({ ...body, totalResults: String(body.totalResults) })),
    expect: readList((items) => expect(items).toHaveLength(PROVISIONED_USERS)),
  },
  {
    name: 'itemsPerPage lies',
    on: 'listUsers',
    answer: rewrite((body) => ({ ...body, itemsPerPage: 1 })),
    expect: readList((items) => expect(items).toHaveLength(PROVISIONED_USERS)),
  },
  {
    name: 'startIndex wrong',
    on: 'listUsers',
    answer: rewrite((body) => ({ ...body, startIndex: 77 })),
    expect: readList((items) => expect(items).toHaveLength(PROVISIONED_USERS)),
  },
  {
    name: 'Resources not an array',
    on: 'listUsers',
    answer: rewrite((body) => ({ ...body, Resources: { 0: (body.Resources as unknown[])[0] } })),
    expect: { error: 'ScimValidationError' },
  },
  {
    name: 'Resources missing with totalResults > 0',
    on: 'listUsers',
    answer: rewrite(({ Resources: _resources, ...rest }) => rest),
    expect: { error: 'ScimIncompleteListError' },
  },
  {
    name: 'Resources missing with totalResults > 0 on a lookup',
    on: 'lookupUser',
    answer: (r) => sendRaw(r, 200, json({ ...listOf([]), totalResults: 1, Resources: undefined })),
    expect: { read: (value) => expect(value).toMatchObject({ userName: 'user1' }) },
  },
  {
    name: 'a listing that says the target is empty (totalResults 0, no Resources)',
    on: 'listUsers',
    answer: (r) => sendRaw(r, 200, json(listOf([]))),
    expect: readList((items) => expect(items).toEqual([])),
  },
  {
    name: 'duplicate ids in a group listing',
    on: 'listGroups',
    answer: rewrite((body) => {
      const resources = body.Resources as Record<string, unknown>[];
      return { ...body, Resources: [...resources, ...resources] };
    }),
    expect: readList((items) => expect(items).toHaveLength(1)),
  },
  {
    name: 'duplicate ids in a listing',
    on: 'listUsers',
    answer: rewrite((body) => {
      const resources = body.Resources as Record<string, unknown>[];
      return { ...body, Resources: [...resources, ...resources] };
    }),
    expect: readList((items) => expect(new Set(items.map((item) => item.id)).size).toBe(items.length)),
  },
  {
    name: 'a listing that is a single resource instead of a ListResponse',
    on: 'listUsers',
    answer: rewrite((body) => (body.Resources as unknown[])[0]),
    expect: { error: 'ScimValidationError' },
  },
  {
    name: 'a lookup answered with a single resource instead of a ListResponse',
    on: 'lookupUser',
    answer: async (r, upstream, context) => {
      await upstream();
      const id = context.userIds.get('user1');
      sendRaw(r, 200, json({ schemas: [USER_SCHEMA], id, userName: 'user1' }));
    },
    expect: { error: 'ScimValidationError' },
  },
  // --- resources that are not the ones asked for
  {
    name: 'lookup by userName answered with another user',
    on: 'lookupUser',
    answer: async (r, upstream) => {
      await upstream();
      sendRaw(r, 200, json(listOf([{ schemas: [USER_SCHEMA], id: 'intruder', userName: 'someone-else' }])));
    },
    expect: { read: (value) => expect(value).toMatchObject({ userName: 'user1' }) },
  },
  {
    name: 'create answered with another userName and id (an existing account)',
    on: 'createUser',
    answer: async (r, upstream, context) => {
      const real = await upstream();
      const body = JSON.parse(real.body) as Record<string, unknown>;
      sendRaw(r, real.status, json({ ...body, id: context.userIds.get('user1'), userName: 'user1' }));
    },
    expect: { error: 'ScimResponseError', problem: 'mismatch' },
  },
  {
    name: 'a PUT answered with another user',
    on: 'replaceUser',
    answer: async (r, upstream, context) => {
      const real = await upstream();
      const body = JSON.parse(real.body) as Record<string, unknown>;
      sendRaw(r, real.status, json({ ...body, id: context.userIds.get('user2'), userName: 'user2' }));
    },
    expect: { error: 'ScimResponseError', problem: 'mismatch' },
  },
  {
    name: 'user GET answered with another user',
    on: 'getUser',
    answer: rewrite((body) => ({ ...body, id: 'someone-else', userName: 'someone-else' })),
    expect: { error: 'ScimResponseError', problem: 'mismatch' },
  },
  // --- group members of the wrong shape
  {
    name: 'group members as strings',
    on: 'listGroups',
    answer: rewrite(eachResource((group) => ({ ...group, members: ['a', 'b'] }))),
    expect: { error: 'ScimValidationError' },
  },
  {
    name: 'group members without value',
    on: 'listGroups',
    answer: rewrite(eachResource((group) => ({ ...group, members: [{ display: 'no value' }] }))),
    expect: { error: 'ScimValidationError' },
  },
  {
    name: 'group members as nested arrays',
    on: 'listGroups',
    answer: rewrite(eachResource((group) => ({ ...group, members: [[{ value: 'x' }]] }))),
    expect: { error: 'ScimValidationError' },
  },
  {
    name: 'group members an object instead of an array',
    on: 'listGroups',
    answer: rewrite(eachResource((group) => ({ ...group, members: { value: 'x' } }))),
    expect: { error: 'ScimValidationError' },
  },
  {
    name: 'PATCH answered 200 with members as strings',
    on: 'patchGroup',
    answer: async (r, upstream) => {
      await upstream();
      sendRaw(
        r,
        200,
        json({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          id: 'g',
          displayName: 'Staff',
          members: ['x'],
        }),
      );
    },
    expect: { error: 'ScimValidationError' },
  },
  // --- errors dressed as successes
  {
    name: '200 with a SCIM error body on a user GET',
    on: 'getUser',
    answer: (r) =>
      sendRaw(r, 200, json({ schemas: [ERROR_SCHEMA], status: '404', detail: 'Resource not found' })),
    expect: { error: 'ScimHttpError', status: 404 },
  },
  {
    name: '200 with a SCIM error body on a listing',
    on: 'listUsers',
    answer: (r) => sendRaw(r, 200, json({ schemas: [ERROR_SCHEMA], status: '500', detail: 'backend down' })),
    expect: { error: 'ScimHttpError', status: 500 },
  },
  {
    name: '201 with a SCIM error body on a create',
    on: 'createUser',
    answer: (r) => sendRaw(r, 201, json({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness' })),
    expect: { error: 'ScimConflictError', status: 409 },
  },
  {
    name: '200 with a SCIM error body on a PATCH',
    on: 'patchGroup',
    answer: (r) =>
      sendRaw(r, 200, json({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidValue' })),
    expect: { error: 'ScimHttpError', status: 400 },
  },
  // --- size
  {
    name: 'a 10 MB user',
    on: 'getUser',
    answer: rewrite((body) => ({ ...body, notes: 'x'.repeat(10 * 1024 * 1024) })),
    expect: readUser((user) => expect(String(user.notes)).toHaveLength(10 * 1024 * 1024)),
  },
  {
    name: 'a 10 MB listing',
    on: 'listUsers',
    answer: rewrite(eachResource((user) => ({ ...user, notes: 'x'.repeat(2.5 * 1024 * 1024) }))),
    expect: readList((items) => expect(items).toHaveLength(PROVISIONED_USERS)),
  },
  {
    name: 'a body beyond maxResponseBytes',
    on: 'listUsers',
    client: { maxResponseBytes: 1024 * 1024 },
    answer: rewrite(eachResource((user) => ({ ...user, notes: 'x'.repeat(1024 * 1024) }))),
    expect: { error: 'ScimResponseError', problem: 'tooLarge' },
  },
  // --- hostile keys
  {
    name: '__proto__ at the top of a user',
    on: 'getUser',
    answer: rewriteText((text) => injectMembers(text, PROTO_MEMBERS)),
    expect: readUser(),
  },
  {
    name: 'constructor and prototype at the top of a user',
    on: 'getUser',
    answer: rewriteText((text) => injectMembers(text, CONSTRUCTOR_MEMBERS)),
    expect: readUser(),
  },
  {
    name: '__proto__ nested in name and emails',
    on: 'getUser',
    answer: rewriteText((text) =>
      text
        .replace('"name":{', `"name":{${PROTO_MEMBERS},`)
        .replace('"emails":[{', `"emails":[{${PROTO_MEMBERS},`),
    ),
    expect: readUser(),
  },
  {
    name: '__proto__ and constructor in a ListResponse and its resources',
    on: 'listUsers',
    answer: rewriteText((text) =>
      injectMembers(text, CONSTRUCTOR_MEMBERS).replaceAll(
        `"schemas":["${USER_SCHEMA}"]`,
        `"schemas":["${USER_SCHEMA}"],${PROTO_MEMBERS}`,
      ),
    ),
    expect: readList((items) => expect(items).toHaveLength(PROVISIONED_USERS)),
  },
  {
    name: '__proto__ in group members',
    on: 'listGroups',
    answer: rewriteText((text) => text.replaceAll('"members":[{', `"members":[{${PROTO_MEMBERS},`)),
    expect: readList((items) => expect(items).toHaveLength(1)),
  },
  {
    name: '__proto__ in the ServiceProviderConfig',
    on: 'discovery',
    answer: rewriteText((text) =>
      injectMembers(text, CONSTRUCTOR_MEMBERS).replace('"patch":{', `"patch":{${PROTO_MEMBERS},`),
    ),
    expect: { read: () => undefined },
  },
  // --- depth
  {
    name: 'an attribute nested 100,000 objects deep',
    on: 'getUser',
    answer: rewriteText((text) => injectMembers(text, `"nested":${DEEP_VALUE}`)),
    expect: { error: 'ScimResponseError', problem: 'tooDeep' },
  },
  {
    name: 'a listing with an attribute nested 100,000 arrays deep',
    on: 'listUsers',
    answer: rewriteText((text) =>
      text.replace(`"schemas":["${USER_SCHEMA}"]`, `"schemas":["${USER_SCHEMA}"],"deep":${DEEP_ARRAY}`),
    ),
    expect: { error: 'ScimResponseError', problem: 'tooDeep' },
  },
  {
    name: 'a document nested 100,000 levels deep instead of a user',
    on: 'getUser',
    answer: (r) => sendRaw(r, 200, DEEP_VALUE),
    expect: { error: 'ScimResponseError', problem: 'tooDeep' },
  },
  {
    name: 'JSON nested 40 levels deep inside a user (a deep but bounded extension, read)',
    on: 'getUser',
    answer: rewriteText((text) => injectMembers(text, `"nested":${'{"a":'.repeat(40)}1${'}'.repeat(40)}`)),
    expect: readUser(),
  },
  // --- links elsewhere
  {
    name: 'meta.location pointing at another host',
    on: 'getUser',
    answer: rewrite((body) => ({
      ...body,
      meta: { ...(body.meta as object), location: 'http://198.51.100.7/steal' },
    })),
    expect: readUser(),
  },
  {
    name: 'a PUT answered with invalid JSON (the change was made)',
    on: 'replaceUser',
    answer: async (r, upstream) => {
      await upstream();
      sendRaw(r, 200, '{"id":');
    },
    expect: { error: 'ScimResponseError', problem: 'notJson' },
  },
];

/** Runs the client call that sends a request of `kind`. */
async function callFor(kind: RequestKind, client: ScimClient, context: Provisioned): Promise<unknown> {
  const user1 = context.userIds.get('user1') as string;
  switch (kind) {
    case 'getUser':
      return client.users.get(user1);
    case 'listUsers': {
      const items: unknown[] = [];
      for await (const item of client.users.list()) items.push(item);
      return items;
    }
    case 'lookupUser':
      return client.users.findByUserName('user1');
    case 'createUser':
      return client.users.create({ userName: 'user9', active: true });
    case 'replaceUser':
      return client.users.replace(user1, { userName: 'user1', active: true, title: 'Engineer' });
    case 'listGroups': {
      const items: unknown[] = [];
      for await (const item of client.groups.list()) items.push(item);
      return items;
    }
    case 'patchGroup':
      return client.groups.patch(context.groupId, [
        { op: 'add', path: 'members', value: [{ value: user1 }] },
      ]);
    case 'discovery':
      return client.discover();
  }
}

/** Deletes a user the client check created, straight on the real server. */
async function removeStrayUser(context: Provisioned, userName: string): Promise<void> {
  const stray = context.target.upstream.snapshot().users.find((user) => user.userName === userName);
  if (stray === undefined) return;
  const answer = await fetch(`${context.target.upstream.baseUrl}/Users/${String(stray.id)}`, {
    method: 'DELETE',
  });
  expect(answer.status).toBe(204);
}

/** Changes the source so that a cycle sends a request of `kind`; returns the userNames expected after. */
function prepareCycle(kind: RequestKind, context: Provisioned): { full: boolean; expected: string[] } {
  const expected = Array.from({ length: 4 }, (_, index) => `user${index + 1}`);
  switch (kind) {
    case 'lookupUser':
    case 'createUser':
      context.datastore.addUser(person(5));
      return { full: false, expected: [...expected, 'user5'] };
    case 'getUser':
    case 'replaceUser':
      context.datastore.updateUser('u1', { attributes: { title: 'Director' } });
      return { full: false, expected };
    case 'patchGroup':
      context.datastore.updateGroup('g1', { memberIds: ['u1', 'u2', 'u3'] });
      return { full: false, expected };
    default:
      return { full: true, expected };
  }
}

const ERROR_NAMES = new Set([
  'ScimHttpError',
  'ScimConflictError',
  'ScimNetworkError',
  'ScimTimeoutError',
  'ScimResponseError',
  'ScimValidationError',
  'ScimIncompleteListError',
  'ScimProtocolError',
  'SyncAbortedError',
  'MatchConflictError',
]);

const figures = { inputs: 0, lost: 0, duplicated: 0, wronglyRemoved: 0 };

describe('hostile target responses', () => {
  let context: Provisioned;
  let watcher: ReturnType<typeof watchProcess>;
  const prototypes = prototypeFingerprint();

  beforeEach(async () => {
    watcher = watchProcess();
    context = await provisioned();
  });

  afterEach(async () => {
    watcher.stop();
    await context.close();
    expect(watcher.problems).toEqual([]);
    expect(isPolluted()).toBe(false);
    expect(prototypeFingerprint()).toBe(prototypes);
  });

  afterAll(() => {
    console.info(`hostile responses: ${JSON.stringify(figures)}`);
  });

  it('has at least 40 cases, each named once', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((each) => each.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((each) => [each.name, each] as const))('%s', async (_name, hostile) => {
    figures.inputs += 1;
    const { target } = context;
    target.hijack(async (request, response, upstream) => {
      if (kindOf(request) !== hostile.on) return false;
      await hostile.answer(response, upstream, context);
      return true;
    });

    // The client on its own.
    const client = context.client(hostile.client);
    const outcome = await callFor(hostile.on, client, context).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if ('read' in hostile.expect) {
      if ('error' in outcome) throw outcome.error;
      hostile.expect.read(outcome.value, context);
    } else {
      expect('error' in outcome, 'the client read the answer instead of throwing').toBe(true);
      const error = (outcome as { error: Error & Record<string, unknown> }).error;
      expect(error.name).toBe(hostile.expect.error);
      if (hostile.expect.problem !== undefined) expect(error.problem).toBe(hostile.expect.problem);
      if (hostile.expect.status !== undefined) expect(error.status).toBe(hostile.expect.status);
    }
    expect(isPolluted()).toBe(false);
    await removeStrayUser(context, 'user9');

    // A whole cycle over a target that already holds the provisioned users.
    const cycle = prepareCycle(hostile.on, context);
    target.requests.length = 0;
    const result = await context
      .engine(hostile.client)
      .sync({ full: cycle.full })
      .then(
        (report) => ({ report }),
        (error: unknown) => ({ error }),
      );
    if ('error' in result) {
      expect(ERROR_NAMES.has((result.error as Error).name), String(result.error)).toBe(true);
    } else {
      for (const failure of result.report.failures) {
        expect(ERROR_NAMES.has(failure.error.name), String(failure.error)).toBe(true);
      }
    }
    const removed = removals(target.requests);
    figures.wronglyRemoved += removed.length;
    expect(removed.map((request) => `${request.method} ${request.path}`)).toEqual([]);
    const during = auditTarget(target, cycle.expected.slice(0, PROVISIONED_USERS));
    expect(during.lost).toEqual([]);
    expect(during.inactive).toEqual([]);
    expect(isPolluted()).toBe(false);

    // The target behaves again: the next cycle converges, nothing lost, duplicated or removed.
    target.hijack(undefined);
    target.requests.length = 0;
    const good = await context.engine().sync({ full: true });
    expect(good.failures).toEqual([]);
    expect(removals(target.requests)).toEqual([]);
    const after = auditTarget(target, cycle.expected);
    figures.lost += after.lost.length;
    figures.duplicated += after.duplicated.length;
    expect(after).toEqual({ lost: [], duplicated: [], inactive: [], unexpected: [] });
  });
});
