import { describe, expect, it } from 'vitest';
import { isScimProtocolError, type ScimType } from '../../../src/scim/errors/ScimProtocolError';
import type { PatchOperation } from '../../../src/scim/models/patch-op';
import { applyPatch } from '../../../src/scim/patch';
import { SCHEMAS } from '../../../src/scim/schemas';

const ENTERPRISE = SCHEMAS.EnterpriseUser;

function user(): Record<string, unknown> {
  return {
    schemas: [SCHEMAS.User],
    id: 'u-1',
    userName: 'bjensen',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    meta: { resourceType: 'User', version: 'W/"1"' },
  };
}

function group(...ids: string[]): Record<string, unknown> {
  return {
    schemas: [SCHEMAS.Group],
    id: 'g-1',
    displayName: 'Tour Guides',
    members: ids.map((value) => ({ value, display: `user ${value}` })),
  };
}

function memberValues(resource: Record<string, unknown>): unknown[] {
  const members = resource.members;
  return Array.isArray(members) ? members.map((member: { value: unknown }) => member.value) : [];
}

/** The scimType of the ScimProtocolError `run` throws (fails the test if it throws anything else). */
function scimTypeOf(run: () => unknown): ScimType {
  try {
    run();
  } catch (error) {
    if (isScimProtocolError(error)) return error.scimType;
    throw error;
  }
  throw new Error('expected a ScimProtocolError, nothing was thrown');
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

describe('applyPatch: input and output', () => {
  it('never changes the resource or the patch, and shares no object with either', () => {
    const resource = user();
    const before = structuredClone(resource);
    const newEmail = { value: 'new@example.com', type: 'other', primary: true };
    const operations: PatchOperation[] = [
      { op: 'add', path: 'emails', value: [newEmail] },
      { op: 'replace', path: 'name.givenName', value: 'Babs' },
      { op: 'remove', path: 'emails[type eq "home"]' },
      { op: 'add', path: `${ENTERPRISE}:manager.value`, value: 'm-1' },
    ];
    const operationsBefore = structuredClone(operations);
    const patched = applyPatch(resource, operations);
    expect(resource).toEqual(before);
    expect(operations).toEqual(operationsBefore);
    // The first email lost its primary flag in the result only.
    expect((patched.emails as Array<{ primary?: boolean }>)[0]?.primary).toBe(false);
    (patched.emails as Array<Record<string, unknown>>)[1]!.value = 'changed';
    expect(newEmail.value).toBe('new@example.com');
    (patched.name as Record<string, unknown>).familyName = 'changed';
    expect((resource.name as Record<string, unknown>).familyName).toBe('Jensen');
  });

  it('accepts a PatchOp body or a bare list of operations, and op in any case', () => {
    const viaBody = applyPatch(group('a'), {
      schemas: [SCHEMAS.PatchOp],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'b' }] }],
    });
    const viaList = applyPatch(group('a'), [
      { op: 'Add' as 'add', path: 'members', value: [{ value: 'b' }] },
    ]);
    expect(memberValues(viaBody)).toEqual(['a', 'b']);
    expect(viaList).toEqual(viaBody);
  });

  it('is all or nothing: a failing operation leaves no partial result and names its index', () => {
    const resource = group('a');
    const error = errorOf(() =>
      applyPatch(resource, [
        { op: 'add', path: 'members', value: [{ value: 'b' }] },
        { op: 'remove', path: 'members[value eq "zzz"]' },
      ]),
    );
    expect(error.message).toMatch(/^Operations\[1\]: /);
    expect(memberValues(resource)).toEqual(['a']);
  });
});

describe('applyPatch: attribute names', () => {
  it('matches names case-insensitively and keeps the resource spelling', () => {
    const patched = applyPatch(user(), [
      { op: 'replace', path: 'USERNAME', value: 'babs' },
      { op: 'replace', path: 'Name.GivenName', value: 'Babs' },
      { op: 'add', path: 'EMAILS', value: { value: 'x@example.com', type: 'other' } },
    ]);
    expect(patched.userName).toBe('babs');
    expect(patched.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' });
    expect(Object.keys(patched)).not.toContain('USERNAME');
    expect(Object.keys(patched)).not.toContain('EMAILS');
    expect((patched.emails as unknown[]).length).toBe(3);
  });

  it('writes a new attribute as the path spells it', () => {
    const patched = applyPatch(user(), [{ op: 'add', path: 'nickName', value: 'Babs' }]);
    expect(patched.nickName).toBe('Babs');
  });

  it('reads filter attribute names case-insensitively', () => {
    const patched = applyPatch(user(), [{ op: 'remove', path: 'emails[TYPE eq "home"]' }]);
    expect((patched.emails as unknown[]).length).toBe(1);
  });
});

describe('applyPatch: sub-attributes and complex attributes', () => {
  it('sets, replaces and removes a sub-attribute', () => {
    const patched = applyPatch(user(), [
      { op: 'add', path: 'name.middleName', value: 'Jane' },
      { op: 'replace', path: 'name.familyName', value: 'Smith' },
      { op: 'remove', path: 'name.givenName' },
    ]);
    expect(patched.name).toEqual({ familyName: 'Smith', middleName: 'Jane' });
  });

  it('merges sub-attributes on add/replace of a complex attribute and keeps the others', () => {
    const patched = applyPatch(user(), [{ op: 'replace', path: 'name', value: { givenName: 'Babs' } }]);
    expect(patched.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' });
  });

  it('creates a complex attribute from a sub-attribute path', () => {
    const resource = user();
    delete resource.name;
    const patched = applyPatch(resource, [{ op: 'add', path: 'name.familyName', value: 'Jensen' }]);
    expect(patched.name).toEqual({ familyName: 'Jensen' });
  });

  it('unassigns a complex attribute whose last sub-attribute is removed', () => {
    const patched = applyPatch(user(), [
      { op: 'remove', path: 'name.givenName' },
      { op: 'remove', path: 'name.familyName' },
    ]);
    expect(patched).not.toHaveProperty('name');
  });

  it('unassigns an attribute replaced with null', () => {
    const patched = applyPatch(user(), [{ op: 'replace', path: 'name', value: null }]);
    expect(patched).not.toHaveProperty('name');
  });

  it('accepts the dotted and URN-qualified keys Entra puts in a path-less replace', () => {
    const patched = applyPatch(user(), [
      {
        op: 'replace',
        value: { 'name.givenName': 'Kkom', [`${ENTERPRISE}:employeeNumber`]: '42', active: false },
      },
    ]);
    expect((patched.name as Record<string, unknown>).givenName).toBe('Kkom');
    expect(patched[ENTERPRISE]).toEqual({ employeeNumber: '42' });
    expect(patched.active).toBe(false);
  });

  it('removing a missing attribute changes nothing', () => {
    expect(applyPatch(user(), [{ op: 'remove', path: 'nickName' }])).toEqual(user());
  });
});

describe('applyPatch: extensions', () => {
  it('creates the extension object and lists its URN in schemas', () => {
    const patched = applyPatch(user(), [{ op: 'add', path: `${ENTERPRISE}:manager.value`, value: 'm-1' }]);
    expect(patched[ENTERPRISE]).toEqual({ manager: { value: 'm-1' } });
    expect(patched.schemas).toEqual([SCHEMAS.User, ENTERPRISE]);
  });

  it('addresses an extension by a URN key in a path-less value, merging into what is there', () => {
    const start = applyPatch(user(), [{ op: 'add', path: `${ENTERPRISE}:department`, value: 'Tours' }]);
    const patched = applyPatch(start, [{ op: 'add', value: { [ENTERPRISE]: { employeeNumber: '7' } } }]);
    expect(patched[ENTERPRISE]).toEqual({ department: 'Tours', employeeNumber: '7' });
    expect(patched.schemas).toEqual([SCHEMAS.User, ENTERPRISE]);
  });

  it('finds an extension whose URN is spelled in another case', () => {
    const resource = {
      ...user(),
      schemas: [SCHEMAS.User, ENTERPRISE],
      [ENTERPRISE]: { department: 'Tours' },
    };
    const patched = applyPatch(resource, [
      { op: 'replace', path: `${ENTERPRISE.toUpperCase()}:DEPARTMENT`, value: 'Sales' },
    ]);
    expect(patched[ENTERPRISE]).toEqual({ department: 'Sales' });
    expect(Object.keys(patched).filter((key) => key.toLowerCase() === ENTERPRISE.toLowerCase())).toHaveLength(
      1,
    );
  });

  it('removes an emptied extension and its URN from schemas', () => {
    const start = applyPatch(user(), [{ op: 'add', path: `${ENTERPRISE}:department`, value: 'Tours' }]);
    const patched = applyPatch(start, [{ op: 'remove', path: `${ENTERPRISE}:department` }]);
    expect(patched).not.toHaveProperty(ENTERPRISE);
    expect(patched.schemas).toEqual([SCHEMAS.User]);
    const whole = applyPatch(start, [{ op: 'remove', path: ENTERPRISE }]);
    expect(whole).toEqual(user());
  });

  it('handles a custom extension named by its URN alone', () => {
    const urn = 'urn:example:params:scim:schemas:extension:acme:2.0:Device';
    const patched = applyPatch(user(), [{ op: 'add', path: urn, value: { serial: 'X1' } }]);
    expect(patched[urn]).toEqual({ serial: 'X1' });
    expect(patched.schemas).toEqual([SCHEMAS.User, urn]);
  });

  it('reads a core schema URN key in a path-less value as the resource itself', () => {
    const patched = applyPatch(user(), [{ op: 'replace', value: { [SCHEMAS.User]: { userName: 'babs' } } }]);
    expect(patched.userName).toBe('babs');
    expect(patched).not.toHaveProperty(SCHEMAS.User);
  });

  it('accepts a path qualified with the resource core schema', () => {
    const patched = applyPatch(user(), [{ op: 'replace', path: `${SCHEMAS.User}:userName`, value: 'babs' }]);
    expect(patched.userName).toBe('babs');
  });
});

describe('applyPatch: multi-valued attributes', () => {
  it('appends values and skips the ones already there (same value, no conflicting type)', () => {
    const patched = applyPatch(user(), [
      {
        op: 'add',
        path: 'emails',
        value: [
          { value: 'babs@jensen.org', type: 'home' },
          { value: 'babs@jensen.org', type: 'other' },
          { value: 'x@example.com' },
          { value: 'x@example.com' },
        ],
      },
    ]);
    expect(patched.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'babs@jensen.org', type: 'other' },
      { value: 'x@example.com' },
    ]);
  });

  it('updates the sub-attributes of a value added again (a member display name)', () => {
    const patched = applyPatch(group('a'), [
      { op: 'add', path: 'members', value: [{ value: 'a', display: 'Alice' }] },
    ]);
    expect(patched.members).toEqual([{ value: 'a', display: 'Alice' }]);
  });

  it('starts a list when a single value is added to a core multi-valued attribute', () => {
    const resource = group();
    delete resource.members;
    const patched = applyPatch(resource, [{ op: 'add', path: 'members', value: { value: 'a' } }]);
    expect(patched.members).toEqual([{ value: 'a' }]);
  });

  it('replace without a filter replaces every value; an empty list unassigns', () => {
    const replaced = applyPatch(group('a', 'b'), [
      { op: 'replace', path: 'members', value: [{ value: 'c' }] },
    ]);
    expect(replaced.members).toEqual([{ value: 'c' }]);
    const emptied = applyPatch(group('a', 'b'), [{ op: 'replace', path: 'members', value: [] }]);
    expect(emptied).not.toHaveProperty('members');
  });

  it('removes only the members an Entra-style remove names, ignoring unknown ones', () => {
    const patched = applyPatch(group('a', 'b', 'c'), [
      { op: 'remove', path: 'members', value: [{ value: 'a' }, { value: 'c' }, { value: 'zzz' }] },
    ]);
    expect(memberValues(patched)).toEqual(['b']);
  });

  it('compares member ids exactly in value filters', () => {
    const patched = applyPatch(group('abc', 'ABC'), [{ op: 'remove', path: 'members[value eq "abc"]' }]);
    expect(memberValues(patched)).toEqual(['ABC']);
  });

  it('compares emails case-insensitively in value filters (RFC 7643: not caseExact)', () => {
    const patched = applyPatch(user(), [{ op: 'remove', path: 'emails[value eq "BABS@JENSEN.ORG"]' }]);
    expect((patched.emails as unknown[]).length).toBe(1);
  });

  it('matches filters with or, not and pr', () => {
    const patched = applyPatch(group('a', 'b', 'c'), [
      { op: 'remove', path: 'members[value eq "a" or not (value ne "c")]' },
    ]);
    expect(memberValues(patched)).toEqual(['b']);
  });

  it('removes a sub-attribute from the filtered values only', () => {
    const patched = applyPatch(user(), [{ op: 'remove', path: 'emails[type eq "work"].primary' }]);
    expect(patched.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
  });

  it('adds sub-attributes to filtered values with add and a filter', () => {
    const patched = applyPatch(user(), [
      { op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } },
    ]);
    expect((patched.emails as unknown[])[1]).toEqual({
      value: 'babs@jensen.org',
      type: 'home',
      display: 'Home',
    });
  });

  it('appends the value an eq filter describes when add with a filter matches nothing (Entra)', () => {
    const patched = applyPatch(user(), [
      { op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '555-0100' },
      {
        op: 'add',
        path: 'emails[type eq "other" and display eq "Other"]',
        value: { value: 'o@example.com' },
      },
    ]);
    expect(patched.phoneNumbers).toEqual([{ type: 'work', value: '555-0100' }]);
    expect((patched.emails as unknown[])[2]).toEqual({
      type: 'other',
      display: 'Other',
      value: 'o@example.com',
    });
  });

  it('handles multi-valued attributes of simple values, such as schemas', () => {
    const added = applyPatch(user(), [{ op: 'add', path: 'schemas', value: [ENTERPRISE, SCHEMAS.User] }]);
    expect(added.schemas).toEqual([SCHEMAS.User, ENTERPRISE]);
    const removed = applyPatch(added, [{ op: 'remove', path: `schemas[value eq "${ENTERPRISE}"]` }]);
    expect(removed.schemas).toEqual([SCHEMAS.User]);
  });

  it('names every value with a sub-attribute path and no filter', () => {
    const patched = applyPatch(user(), [{ op: 'replace', path: 'emails.type', value: 'other' }]);
    expect((patched.emails as Array<{ type: string }>).map((email) => email.type)).toEqual([
      'other',
      'other',
    ]);
  });
});

describe('applyPatch: primary', () => {
  function primaries(resource: Record<string, unknown>): unknown[] {
    return (resource.emails as Array<{ value: string; primary?: boolean }>)
      .filter((email) => email.primary === true)
      .map((email) => email.value);
  }

  it('adding a primary value clears the other primary', () => {
    const patched = applyPatch(user(), [
      { op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'other', primary: true }] },
    ]);
    expect(primaries(patched)).toEqual(['new@example.com']);
    expect((patched.emails as Array<{ primary?: boolean }>)[0]?.primary).toBe(false);
  });

  it('setting primary through a filter path clears the other primary', () => {
    const patched = applyPatch(user(), [
      { op: 'replace', path: 'emails[type eq "home"].primary', value: true },
    ]);
    expect(primaries(patched)).toEqual(['babs@jensen.org']);
  });

  it('re-adding an existing value as primary makes it the primary', () => {
    const patched = applyPatch(user(), [
      { op: 'add', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'home', primary: true }] },
    ]);
    expect(primaries(patched)).toEqual(['babs@jensen.org']);
    expect((patched.emails as unknown[]).length).toBe(2);
  });

  it('refuses two primary values in one operation', () => {
    const twoPrimaries = [
      { value: 'a@example.com', primary: true },
      { value: 'b@example.com', primary: true },
    ];
    expect(
      scimTypeOf(() => applyPatch(user(), [{ op: 'replace', path: 'emails', value: twoPrimaries }])),
    ).toBe('invalidValue');
  });

  it('a value without primary leaves the existing primary alone', () => {
    const patched = applyPatch(user(), [{ op: 'add', path: 'emails', value: [{ value: 'x@example.com' }] }]);
    expect(primaries(patched)).toEqual(['bjensen@example.com']);
  });
});

describe('applyPatch: errors', () => {
  it.each<[string, PatchOperation, ScimType]>([
    ['a path that does not parse', { op: 'replace', path: 'emails[type eq', value: 'x' }, 'invalidPath'],
    ['a path with two sub-attributes', { op: 'replace', path: 'name.a.b', value: 'x' }, 'invalidPath'],
    [
      'a sub-attribute of a simple attribute',
      { op: 'replace', path: 'userName.first', value: 'x' },
      'invalidPath',
    ],
    [
      'a value filter on a single-valued attribute',
      { op: 'remove', path: 'name[givenName eq "x"]' },
      'invalidPath',
    ],
    [
      'a core schema the resource does not have',
      { op: 'add', path: `${SCHEMAS.Group}:members`, value: [] },
      'invalidPath',
    ],
    ['remove without a path', { op: 'remove' }, 'noTarget'],
    ['remove with a filter matching nothing', { op: 'remove', path: 'emails[type eq "none"]' }, 'noTarget'],
    [
      'replace with a filter matching nothing',
      { op: 'replace', path: 'emails[type eq "none"]', value: {} },
      'noTarget',
    ],
    [
      'add with a filter that is not eq/and and matches nothing',
      { op: 'add', path: 'emails[type co "x"].value', value: 'v' },
      'noTarget',
    ],
    ['add without a value', { op: 'add', path: 'nickName' }, 'invalidValue'],
    ['replace without a value', { op: 'replace', path: 'nickName' }, 'invalidValue'],
    ['add with null', { op: 'add', path: 'nickName', value: null }, 'invalidValue'],
    ['a path-less value that is not an object', { op: 'replace', value: 'x' }, 'invalidValue'],
    [
      'an object for a simple attribute',
      { op: 'replace', path: 'userName', value: { a: 1 } },
      'invalidValue',
    ],
    [
      'a simple value for a complex attribute',
      { op: 'replace', path: 'name', value: 'Babs' },
      'invalidValue',
    ],
    [
      'a simple value among complex values',
      { op: 'add', path: 'emails', value: ['x@example.com'] },
      'invalidValue',
    ],
    ['an object for a sub-attribute', { op: 'add', path: 'name.givenName', value: { a: 1 } }, 'invalidValue'],
    ['replacing id', { op: 'replace', path: 'id', value: 'other' }, 'mutability'],
    ['removing meta', { op: 'remove', path: 'meta' }, 'mutability'],
    ['a sub-attribute of meta', { op: 'replace', path: 'meta.version', value: 'W/"2"' }, 'mutability'],
    ['id in a path-less value', { op: 'replace', value: { ID: 'other' } }, 'mutability'],
    ['remove naming the resource itself', { op: 'remove', path: SCHEMAS.User }, 'invalidPath'],
    ['a simple value for a whole extension', { op: 'add', value: { [ENTERPRISE]: 'x' } }, 'invalidValue'],
    ['an unknown op', { op: 'copy' as 'add', path: 'nickName', value: 'x' }, 'invalidSyntax'],
  ])('%s', (_what, operation, scimType) => {
    expect(scimTypeOf(() => applyPatch(user(), [operation]))).toBe(scimType);
  });

  it('honours options.readOnly (names compare case-insensitively)', () => {
    const options = { readOnly: ['groups', 'name.formatted', `${ENTERPRISE}:manager`] };
    const run = (operation: PatchOperation) => scimTypeOf(() => applyPatch(user(), [operation], options));
    expect(run({ op: 'add', path: 'groups', value: [{ value: 'g' }] })).toBe('mutability');
    expect(run({ op: 'replace', path: 'name.FORMATTED', value: 'x' })).toBe('mutability');
    expect(run({ op: 'add', path: `${ENTERPRISE}:manager.value`, value: 'm' })).toBe('mutability');
    // id is no longer read-only once the list is given.
    expect(applyPatch(user(), [{ op: 'replace', path: 'id', value: 'u-2' }], options).id).toBe('u-2');
  });

  it('rejects a bad readOnly option naming it', () => {
    expect(() => applyPatch(user(), [], { readOnly: 'id' as unknown as string[] })).toThrow(/readOnly/);
  });

  it('rejects a PatchOp without an Operations array', () => {
    expect(scimTypeOf(() => applyPatch(user(), { schemas: [SCHEMAS.PatchOp] } as never))).toBe(
      'invalidSyntax',
    );
  });

  it('never puts a value in an error message', () => {
    const secret = 'S3cret-Pa55word';
    const messages = [
      errorOf(() => applyPatch(user(), [{ op: 'replace', path: 'name', value: secret }])).message,
      errorOf(() => applyPatch(user(), [{ op: 'replace', path: 'userName.x', value: secret }])).message,
      errorOf(() => applyPatch(user(), [{ op: 'replace', path: 'id', value: secret }])).message,
      errorOf(() => applyPatch(user(), [{ op: 'replace', value: secret }])).message,
      errorOf(() => applyPatch(user(), [{ op: 'add', path: 'emails', value: [secret] }])).message,
    ];
    for (const message of messages) expect(message).not.toContain(secret);
  });
});
