import { describe, expect, expectTypeOf, it } from 'vitest';
import type { PatchOperation, SchemaAttribute, ScimGroup, ScimUser } from '../../../src/scim/models';
import {
  ListResponse,
  PatchOp,
  parseGroup,
  parseListResponse,
  parsePatchOp,
  parseUser,
} from '../../../src/scim/models';
import { SCHEMAS } from '../../../src/scim/schemas';

describe('inferred types and schemas that other modules build on', () => {
  it('a PatchOp written as a literal is a valid PatchOp', () => {
    const body: PatchOp = {
      schemas: [SCHEMAS.PatchOp],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: '2819c223' }] },
        { op: 'remove', path: 'members[value eq "902c246b"]' },
        { op: 'replace', value: { displayName: 'Tour Guides' } },
      ],
    };
    expect(parsePatchOp(body)).toEqual(body);
    expectTypeOf<PatchOperation['op']>().toEqualTypeOf<'add' | 'remove' | 'replace'>();
    expectTypeOf<PatchOperation['path']>().toEqualTypeOf<string | undefined>();
  });

  it('schema attributes nest to any depth with their own type', () => {
    expectTypeOf<NonNullable<SchemaAttribute['subAttributes']>[number]>().toEqualTypeOf<SchemaAttribute>();
    expectTypeOf<ScimUser[typeof SCHEMAS.EnterpriseUser]>().not.toBeAny();
  });

  it('ListResponse(item) is a zod schema; parseListResponse infers the item type', () => {
    const page = ListResponse(PatchOp).parse({
      schemas: [SCHEMAS.ListResponse],
      totalResults: 1,
      Resources: [{ schemas: [SCHEMAS.PatchOp], Operations: [{ op: 'add' }] }],
    });
    expect(page.Resources[0]?.Operations[0]?.op).toBe('add');
    expect(
      ListResponse(PatchOp).parse({ schemas: [SCHEMAS.ListResponse], totalResults: 0 }).Resources,
    ).toEqual([]);

    const groups = parseListResponse(
      { schemas: [SCHEMAS.ListResponse], totalResults: 1, Resources: [{ id: 'g', displayName: 'G' }] },
      parseGroup,
    );
    expectTypeOf(groups.Resources).toEqualTypeOf<ScimGroup[]>();
    expect(groups.Resources[0]?.displayName).toBe('G');
  });

  it('a lenient union mismatch names the accepted types, not the value', () => {
    expect(() => parseUser({ id: { oid: 'x' }, userName: 'a' }, { mode: 'lenient' })).toThrow(
      'id: expected string or number, received object',
    );
  });
});
