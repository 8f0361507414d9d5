import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseGroup,
  parseListResponse,
  parsePatchOp,
  parseResourceType,
  parseSchema,
  parseServiceProviderConfig,
  parseUser,
  ScimUser,
} from '../../../src/scim/models';
import { normalizeScimDocument } from '../../../src/scim/normalize';
import { SCHEMAS } from '../../../src/scim/schemas';
import { loadFixture } from './rfc-fixtures';

const ENTERPRISE = SCHEMAS.EnterpriseUser;

describe('attribute names are read in any case (RFC 7643 section 2.1)', () => {
  it('renames top-level and sub-attribute names to the canonical spelling', () => {
    const user = parseUser({
      ID: '42',
      USERNAME: 'bjensen',
      Name: { GIVENNAME: 'Barbara', familyname: 'Jensen' },
      Emails: [{ Value: 'bjensen@example.com', TYPE: 'work', Primary: true }],
      META: { resourcetype: 'User', LastModified: '2011-05-13T04:42:34Z' },
    });
    expect(user).toEqual({
      id: '42',
      userName: 'bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      meta: { resourceType: 'User', lastModified: '2011-05-13T04:42:34Z' },
    });
  });

  it('matches the enterprise extension URN and the names inside it in any case', () => {
    const user = parseUser({
      id: '42',
      userName: 'bjensen',
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': {
        Department: 'Tour Operations',
        MANAGER: { VALUE: '26118915', DisplayName: 'John Smith' },
      },
    });
    expect(Object.keys(user)).toContain(ENTERPRISE);
    expect(user[ENTERPRISE]).toEqual({
      department: 'Tour Operations',
      manager: { value: '26118915', displayName: 'John Smith' },
    });
    // What a path like `urn:...:enterprise:2.0:User:manager.value` resolves to.
    expect(user[ENTERPRISE]?.manager?.value).toBe('26118915');
  });

  it('gives known URNs in `schemas` their canonical spelling and leaves others as sent', () => {
    const user = parseUser({
      id: '42',
      userName: 'bjensen',
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:user', 'urn:Example:Custom'],
    });
    expect(user.schemas).toEqual([SCHEMAS.User, 'urn:Example:Custom']);
  });

  it('reads a user whose every attribute name was re-cased at random exactly like the canonical one', () => {
    const canonical = loadFixture('8.3-enterprise-user.json');
    const expected = parseUser(canonical);
    fc.assert(
      fc.property(fc.infiniteStream(fc.boolean()), (upper) => {
        const recased = recaseKeys(canonical, () => (upper.next().value ? 'upper' : 'lower'));
        expect(parseUser(recased)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('reads ServiceProviderConfig, ResourceType and Schema names in any case', () => {
    const config = parseServiceProviderConfig({
      Patch: { Supported: true },
      BULK: { SUPPORTED: false, MaxOperations: 0, maxpayloadsize: 0 },
      Filter: { supported: true, MAXRESULTS: 100 },
      ChangePassword: { supported: false },
      Sort: { supported: false },
      ETag: { supported: true },
      AuthenticationSchemes: [{ Type: 'httpbasic', Name: 'Basic', Description: 'HTTP Basic' }],
      Pagination: { Cursor: true, INDEX: true, DefaultPaginationMethod: 'Cursor', MaxPageSize: 500 },
    });
    expect(config.etag.supported).toBe(true);
    expect(config.bulk.maxPayloadSize).toBe(0);
    expect(config.authenticationSchemes[0]?.name).toBe('Basic');
    expect(config.pagination).toEqual({
      cursor: true,
      index: true,
      defaultPaginationMethod: 'cursor',
      maxPageSize: 500,
    });

    const type = parseResourceType({
      Name: 'User',
      EndPoint: '/Users',
      SCHEMA: SCHEMAS.User,
      SchemaExtensions: [{ Schema: ENTERPRISE, Required: false }],
    });
    expect(type.schemaExtensions).toEqual([{ schema: ENTERPRISE, required: false }]);

    const schema = parseSchema({
      ID: 'urn:example:Custom',
      Attributes: [
        {
          NAME: 'badge',
          TYPE: 'Complex',
          MultiValued: false,
          SubAttributes: [{ Name: 'issued', Type: 'DATETIME', multivalued: false, Mutability: 'READONLY' }],
        },
      ],
    });
    expect(schema.attributes[0]?.type).toBe('complex');
    expect(schema.attributes[0]?.subAttributes?.[0]).toEqual({
      name: 'issued',
      type: 'dateTime',
      multiValued: false,
      mutability: 'readOnly',
    });
  });
});

describe('unknown attributes and extensions are kept as sent', () => {
  it('keeps unknown top-level, nested and extension data, in strict and lenient mode', () => {
    const input = {
      id: '42',
      userName: 'bjensen',
      nickname_legacy: 'Babs',
      name: { givenName: 'Barbara', phonetic: 'bar-bra' },
      emails: [{ value: 'b@example.com', verified: 'yes' }],
      'urn:example:params:scim:schemas:extension:acme:2.0:User': { badge: 7, Nested: { Deep: [1, 'two'] } },
      [ENTERPRISE]: { department: 'Ops', floor: 3 },
    };
    for (const mode of ['strict', 'lenient'] as const) {
      expect(parseUser(structuredClone(input), { mode })).toEqual(input);
    }
  });

  it('keeps unknown keys of group members and of PATCH operations', () => {
    const group = parseGroup({
      id: 'g1',
      displayName: 'Admins',
      members: [{ value: 'u1', addedBy: 'sync' }],
    });
    expect(group.members?.[0]).toEqual({ value: 'u1', addedBy: 'sync' });
    const patch = parsePatchOp({
      schemas: [SCHEMAS.PatchOp],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1' }], comment: 'x' }],
    });
    expect(patch.Operations[0]).toEqual({
      op: 'add',
      path: 'members',
      value: [{ value: 'u1' }],
      comment: 'x',
    });
  });

  it('never lets a "__proto__" key change a prototype', () => {
    const input = JSON.parse(
      '{"id":"1","userName":"a","__proto__":{"polluted":true},"name":{"__proto__":{"x":1}}}',
    );
    for (const mode of ['strict', 'lenient'] as const) {
      const user = parseUser(input, { mode });
      expect(Object.getPrototypeOf(user)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(user.name)).toBe(Object.prototype);
      expect('polluted' in user).toBe(false);
      expect('x' in (user.name ?? {})).toBe(false);
    }
    expect('polluted' in {}).toBe(false);
  });

  it('does not write to the caller input', () => {
    const input = { ID: '42', USERNAME: 'bjensen', Active: 'True', emails: [{ Primary: 'false' }] };
    const before = structuredClone(input);
    parseUser(input);
    expect(input).toEqual(before);
  });
});

describe('PATCH: Operations in any case, op in any case', () => {
  it('accepts `operations` and `Replace`/`ADD`/`remove` and gives lower-case ops', () => {
    const patch = parsePatchOp({
      schemas: [SCHEMAS.PatchOp],
      operations: [
        { op: 'Replace', path: 'active', value: false },
        { OP: 'ADD', Path: 'emails', Value: [{ value: 'x@example.com' }] },
        { op: 'remove', path: 'members[value eq "u1"]' },
      ],
    });
    expect(patch).toEqual({
      schemas: [SCHEMAS.PatchOp],
      Operations: [
        { op: 'replace', path: 'active', value: false },
        { op: 'add', path: 'emails', value: [{ value: 'x@example.com' }] },
        { op: 'remove', path: 'members[value eq "u1"]' },
      ],
    });
  });

  it('leaves the contents of `value` alone (they are resource data, not PATCH keywords)', () => {
    const patch = parsePatchOp({
      schemas: [SCHEMAS.PatchOp],
      Operations: [{ op: 'replace', value: { Active: 'False', UserName: 'x' } }],
    });
    expect(patch.Operations[0]?.value).toEqual({ Active: 'False', UserName: 'x' });
  });
});

describe('Entra-style "True"/"False" strings are read as booleans', () => {
  it('reads active and primary in any case', () => {
    const user = parseUser({
      id: '1',
      userName: 'a',
      active: 'False',
      emails: [{ value: 'a@example.com', primary: 'TRUE' }],
      addresses: [{ locality: 'Hollywood', primary: 'true' }],
      roles: [{ value: 'admin', primary: 'fAlSe' }],
    });
    expect(user.active).toBe(false);
    expect(user.emails?.[0]?.primary).toBe(true);
    expect(user.addresses?.[0]?.primary).toBe(true);
    expect(user.roles?.[0]?.primary).toBe(false);
  });

  it('reads the booleans of ServiceProviderConfig and of schema attributes', () => {
    const config = parseServiceProviderConfig({
      patch: { supported: 'True' },
      bulk: { supported: 'False', maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: 'True', maxResults: 200 },
      changePassword: { supported: 'False' },
      sort: { supported: 'False' },
      etag: { supported: 'False' },
      authenticationSchemes: [
        { type: 'oauthbearertoken', name: 'Bearer', description: 'Token', primary: 'True' },
      ],
    });
    expect([config.patch.supported, config.bulk.supported, config.filter.supported]).toEqual([
      true,
      false,
      true,
    ]);
    expect(config.authenticationSchemes[0]?.primary).toBe(true);

    const schema = parseSchema({
      id: 'urn:example:Custom',
      attributes: [
        { name: 'badge', type: 'string', multiValued: 'False', required: 'True', caseExact: 'false' },
      ],
    });
    expect(schema.attributes[0]).toMatchObject({ multiValued: false, required: true, caseExact: false });
  });

  it('leaves "True" alone where the attribute is a string, and other strings where it is a boolean', () => {
    const user = parseUser({ id: '1', userName: 'True', title: 'False' }, { mode: 'lenient' });
    expect([user.userName, user.title]).toEqual(['True', 'False']);
    const lenient = parseUser({ id: '1', userName: 'a', active: 'yes' }, { mode: 'lenient' });
    expect(lenient.active).toBe('yes');
  });
});

describe('names that differ only by case', () => {
  it('uses the canonical one and keeps the other as sent; strict mode reports the clash', () => {
    const input = { id: '1', userName: 'canonical', USERNAME: 'shouted' };
    expect(parseUser(input, { mode: 'lenient' })).toEqual(input);
    expect(() => parseUser(input)).toThrow(/USERNAME: attribute name differs from "userName" only by case/);
  });
});

describe('normalizeScimDocument', () => {
  it('normalises Resources of a list only through the item parser', () => {
    const list = parseListResponse(
      {
        Schemas: [SCHEMAS.ListResponse],
        TotalResults: 1,
        resources: [{ Id: '1', UserName: 'a', Active: 'True' }],
      },
      parseUser,
    );
    expect(list).toEqual({
      schemas: [SCHEMAS.ListResponse],
      totalResults: 1,
      Resources: [{ id: '1', userName: 'a', active: true }],
    });
  });

  it('returns the canonical copy and the clashes', () => {
    const { value, conflicts } = normalizeScimDocument(
      { userName: 'a', UserName: 'b', Emails: [{ PRIMARY: 'True' }] },
      ScimUser,
    );
    expect(value).toEqual({ userName: 'a', UserName: 'b', emails: [{ primary: true }] });
    expect(conflicts).toEqual([{ path: [], key: 'UserName', canonicalKey: 'userName' }]);
  });
});

/** A deep copy of `value` with every object key upper- or lower-cased, as `choose` decides. */
function recaseKeys(value: unknown, choose: () => 'upper' | 'lower'): unknown {
  if (Array.isArray(value)) return value.map((item) => recaseKeys(item, choose));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const recased = choose() === 'upper' ? key.toUpperCase() : key.toLowerCase();
    out[recased] = recaseKeys(item, choose);
  }
  return out;
}
