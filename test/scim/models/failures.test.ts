import { describe, expect, it } from 'vitest';
import type { ScimValidationError } from '../../../src/scim/errors/ScimValidationError';
import { isScimValidationError } from '../../../src/scim/errors/ScimValidationError';
import {
  parseBulkRequest,
  parseErrorResponse,
  parseGroup,
  parseListResponse,
  parsePatchOp,
  parseResourceType,
  parseSchema,
  parseServiceProviderConfig,
  parseUser,
} from '../../../src/scim/models';
import { SCHEMAS } from '../../../src/scim/schemas';
import { loadFixture } from './rfc-fixtures';

/** Runs `action`, which must throw a ScimValidationError, and returns it. */
function validationError(action: () => unknown): ScimValidationError {
  try {
    action();
  } catch (error) {
    if (isScimValidationError(error)) return error;
    throw error;
  }
  throw new Error('expected a ScimValidationError, but nothing was thrown');
}

function issuePaths(error: ScimValidationError): string[] {
  return error.issues.map((issue) => issue.path.join('/'));
}

describe('documents that really are wrong fail, naming the path', () => {
  it('a returned resource without id (in both modes)', () => {
    for (const mode of ['strict', 'lenient'] as const) {
      const error = validationError(() => parseUser({ userName: 'bjensen' }, { mode }));
      expect(error.what).toBe('User');
      expect(error.issues).toEqual([expect.objectContaining({ path: ['id'] })]);
      expect(error.message).toMatch(/^Invalid SCIM User: id: required/);
    }
    expect(validationError(() => parseGroup({ displayName: 'g' })).issues[0]?.path).toEqual(['id']);
  });

  it('but a resource about to be created needs no id', () => {
    expect(parseUser({ userName: 'bjensen' }, { requireId: false })).toEqual({ userName: 'bjensen' });
    expect(parseGroup({ displayName: 'g' }, { requireId: false, mode: 'lenient' })).toEqual({
      displayName: 'g',
    });
  });

  it('a user without userName, a group without displayName (in both modes)', () => {
    for (const mode of ['strict', 'lenient'] as const) {
      expect(issuePaths(validationError(() => parseUser({ id: '1' }, { mode })))).toEqual(['userName']);
      expect(issuePaths(validationError(() => parseGroup({ id: '1' }, { mode })))).toEqual(['displayName']);
    }
  });

  it('members that are not objects, or have no value (in both modes)', () => {
    const input = {
      id: 'g',
      displayName: 'g',
      members: [{ value: 'a' }, { value: 'b' }, 'c', { display: 'd' }],
    };
    for (const mode of ['strict', 'lenient'] as const) {
      const error = validationError(() => parseGroup(input, { mode }));
      expect(issuePaths(error)).toEqual(['members/2', 'members/3/value']);
      expect(error.message).toContain('members[2]: expected object, received string');
      expect(error.message).toContain('members[3].value: required');
    }
    expect(
      issuePaths(validationError(() => parseGroup({ id: 'g', displayName: 'g', members: 'a' }))),
    ).toEqual(['members']);
  });

  it('Resources that are not an array (in both modes)', () => {
    for (const mode of ['strict', 'lenient'] as const) {
      const error = validationError(() =>
        parseListResponse(
          { schemas: [SCHEMAS.ListResponse], totalResults: 1, Resources: { id: '1', userName: 'a' } },
          parseUser,
          { mode },
        ),
      );
      expect(error.message).toContain('Resources: expected array, received object');
    }
  });

  it('an item of a list that is wrong, with its place in the list', () => {
    const error = validationError(() =>
      parseListResponse(
        {
          schemas: [SCHEMAS.ListResponse],
          totalResults: 3,
          Resources: [
            { id: '1', displayName: 'ok' },
            { id: '2', displayName: 'bad', members: [7] },
            { displayName: 'no id' },
          ],
        },
        parseGroup,
      ),
    );
    expect(error.what).toBe('ListResponse');
    expect(issuePaths(error)).toEqual(['Resources/1/members/0', 'Resources/2/id']);
    expect(error.message).toContain('Resources[1].members[0]: expected object, received number');
  });

  it('a PatchOp with no operations, or with an unknown op (in both modes)', () => {
    for (const mode of ['strict', 'lenient'] as const) {
      const empty = validationError(() =>
        parsePatchOp({ schemas: [SCHEMAS.PatchOp], Operations: [] }, { mode }),
      );
      expect(issuePaths(empty)).toEqual(['Operations']);
      const missing = validationError(() => parsePatchOp({ schemas: [SCHEMAS.PatchOp] }, { mode }));
      expect(issuePaths(missing)).toEqual(['Operations']);
      const unknown = validationError(() =>
        parsePatchOp(
          { schemas: [SCHEMAS.PatchOp], Operations: [{ op: 'add' }, { op: 'move', path: 'x' }] },
          { mode },
        ),
      );
      expect(issuePaths(unknown)).toEqual(['Operations/1/op']);
      expect(unknown.message).toContain('Operations[1].op: expected one of "add", "remove", "replace"');
    }
  });

  it('a PatchOp without its message URN (strict mode)', () => {
    const error = validationError(() =>
      parsePatchOp({ schemas: [SCHEMAS.User], Operations: [{ op: 'add' }] }),
    );
    expect(issuePaths(error)).toEqual(['schemas']);
    expect(parsePatchOp({ Operations: [{ op: 'add' }] }, { mode: 'lenient' }).Operations).toHaveLength(1);
  });

  it('something that is not an object at all', () => {
    for (const input of [null, 'user', 42, [{ id: '1' }]]) {
      const error = validationError(() => parseUser(input));
      expect(error.issues[0]?.path).toEqual([]);
      expect(error.message).toContain('(root): expected object');
    }
  });
});

describe('strict mode enforces the RFC types; lenient mode keeps mismatches as sent', () => {
  const sloppy = {
    id: 17,
    userName: 'bjensen',
    active: 'yes',
    emails: 'bjensen@example.com',
    name: 'Barbara Jensen',
    meta: { created: 'yesterday' },
    [SCHEMAS.EnterpriseUser]: { manager: 'John Smith' },
  };

  it('strict: every mismatch is reported with its path', () => {
    const error = validationError(() => parseUser(sloppy));
    expect(issuePaths(error).sort()).toEqual(
      ['active', 'emails', 'id', 'meta/created', 'name', `${SCHEMAS.EnterpriseUser}/manager`].sort(),
    );
    expect(error.message).toContain('(and 3 more)');
  });

  it('lenient: only what the SDK needs; a numeric id becomes a string', () => {
    const user = parseUser(sloppy, { mode: 'lenient' });
    expect(user).toEqual({ ...sloppy, id: '17' });
  });

  it('lenient: numeric member values become strings', () => {
    const group = parseGroup({ id: 9, displayName: 'g', members: [{ value: 12 }] }, { mode: 'lenient' });
    expect(group).toEqual({ id: '9', displayName: 'g', members: [{ value: '12' }] });
  });

  it('strict ServiceProviderConfig needs every RFC block; lenient needs none', () => {
    const partial = { patch: { supported: true }, filter: { supported: 'True', maxResults: 50 } };
    const error = validationError(() => parseServiceProviderConfig(partial));
    expect(issuePaths(error).sort()).toEqual(
      ['authenticationSchemes', 'bulk', 'changePassword', 'etag', 'sort'].sort(),
    );
    expect(parseServiceProviderConfig(partial, { mode: 'lenient' })).toEqual({
      patch: { supported: true },
      filter: { supported: true, maxResults: 50 },
    });
  });

  it('a schema attribute with an unknown type or mutability fails in strict mode only', () => {
    const input = {
      id: 'urn:x',
      attributes: [{ name: 'a', type: 'text', multiValued: false, mutability: 'sometimes' }],
    };
    expect(issuePaths(validationError(() => parseSchema(input)))).toEqual([
      'attributes/0/type',
      'attributes/0/mutability',
    ]);
    expect(parseSchema(input, { mode: 'lenient' })).toEqual(input);
    expect(
      issuePaths(validationError(() => parseSchema({ id: 'urn:x', attributes: [{}] }, { mode: 'lenient' }))),
    ).toEqual(['attributes/0/name']);
  });

  it('a resource type needs an endpoint and a schema in both modes', () => {
    for (const mode of ['strict', 'lenient'] as const) {
      expect(issuePaths(validationError(() => parseResourceType({ name: 'User' }, { mode }))).sort()).toEqual(
        ['endpoint', 'schema'],
      );
    }
  });
});

describe('ListResponse envelope', () => {
  it('gives an empty Resources array when the service leaves it out', () => {
    const list = parseListResponse({ schemas: [SCHEMAS.ListResponse], totalResults: 0 }, parseUser);
    expect(list.Resources).toEqual([]);
  });

  it('requires totalResults unless cursor pagination is used (RFC 9865)', () => {
    expect(
      issuePaths(
        validationError(() =>
          parseListResponse({ schemas: [SCHEMAS.ListResponse], Resources: [] }, parseUser),
        ),
      ),
    ).toEqual(['totalResults']);
    const page = parseListResponse(
      { schemas: [SCHEMAS.ListResponse], Resources: [], nextCursor: 'VZUTiy', itemsPerPage: 0 },
      parseUser,
    );
    expect(page.nextCursor).toBe('VZUTiy');
    expect(page.totalResults).toBeUndefined();
  });

  it('passes the options on to the item parser', () => {
    const input = { schemas: [SCHEMAS.ListResponse], totalResults: 1, Resources: [{ id: 5, userName: 'a' }] };
    expect(() => parseListResponse(input, parseUser)).toThrow(/Resources\[0\]\.id: expected string/);
    expect(parseListResponse(input, parseUser, { mode: 'lenient' }).Resources[0]?.id).toBe('5');
  });

  it('lets errors other than validation errors through', () => {
    const input = { schemas: [SCHEMAS.ListResponse], totalResults: 1, Resources: [{}] };
    const boom = new TypeError('boom');
    expect(() =>
      parseListResponse(input, () => {
        throw boom;
      }),
    ).toThrow(boom);
  });
});

describe('error responses and bulk', () => {
  it('an error status sent as a number is kept as a string', () => {
    const error = parseErrorResponse({ schemas: [SCHEMAS.Error], status: 409, scimType: 'uniqueness' });
    expect(error.status).toBe('409');
    const lenient = parseErrorResponse({ status: 500, message: 'oops' }, { mode: 'lenient' });
    expect(lenient).toEqual({ status: '500', message: 'oops' });
    expect(issuePaths(validationError(() => parseErrorResponse({ schemas: [SCHEMAS.Error] })))).toEqual([
      'status',
    ]);
  });

  it('bulk methods are read in any case; an unknown one fails with its path', () => {
    const request = parseBulkRequest({
      schemas: [SCHEMAS.BulkRequest],
      Operations: [{ method: 'post', path: '/Users', data: { userName: 'a' } }],
    });
    expect(request.Operations[0]?.method).toBe('POST');
    const error = validationError(() =>
      parseBulkRequest({ schemas: [SCHEMAS.BulkRequest], Operations: [{ method: 'GET', path: '/Users' }] }),
    );
    expect(issuePaths(error)).toEqual(['Operations/0/method']);
  });
});

describe('secrets never appear in validation errors', () => {
  it('names the type of a wrong value, never the value', () => {
    const secret = 'S3cr3t-Pa55word!';
    const base = loadFixture('8.2-full-user.json') as Record<string, unknown>;
    const inputs = [
      { ...base, password: [secret] },
      { ...base, password: { value: secret } },
      { ...base, password: secret, userName: 7, id: undefined },
      { ...base, password: secret, USERNAME: secret },
    ];
    for (const input of inputs) {
      const error = validationError(() => parseUser(input));
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error.issues)).not.toContain(secret);
      expect(error.cause).toBeUndefined();
    }
  });
});
