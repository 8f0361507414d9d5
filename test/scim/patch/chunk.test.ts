import { describe, expect, it } from 'vitest';
import {
  addMembersOps,
  buildGroupPatches,
  DEFAULT_MAX_MEMBERS_PER_OPERATION,
  DEFAULT_MAX_OPERATIONS,
  removeMembersOps,
  toPatchOps,
} from '../../../src/scim/patch';
import { SCHEMAS } from '../../../src/scim/schemas';

const ids = (count: number, prefix = 'u') => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
const members = (values: string[]) => values.map((value) => ({ value }));

describe('addMembersOps', () => {
  it('splits member values into operations of at most maxMembersPerOperation', () => {
    const operations = addMembersOps(ids(5), { maxMembersPerOperation: 2 });
    expect(operations).toEqual([
      { op: 'add', path: 'members', value: members(['u0', 'u1']) },
      { op: 'add', path: 'members', value: members(['u2', 'u3']) },
      { op: 'add', path: 'members', value: members(['u4']) },
    ]);
  });

  it('defaults to 100 members per operation and sends repeated ids once', () => {
    expect(DEFAULT_MAX_MEMBERS_PER_OPERATION).toBe(100);
    const operations = addMembersOps([...ids(250), 'u0']);
    expect(operations.map((operation) => (operation.value as unknown[]).length)).toEqual([100, 100, 50]);
  });

  it('returns nothing for no ids', () => {
    expect(addMembersOps([])).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxMembersPerOperation %s, naming the option', (limit) => {
    expect(() => addMembersOps(['a'], { maxMembersPerOperation: limit })).toThrow(/maxMembersPerOperation/);
  });
});

describe('removeMembersOps', () => {
  it('valuePath (the default): one operation per member, ids escaped', () => {
    expect(removeMembersOps(['a', 'q"uote'])).toEqual([
      { op: 'remove', path: 'members[value eq "a"]' },
      { op: 'remove', path: 'members[value eq "q\\"uote"]' },
    ]);
  });

  it('valueArray: values split by maxMembersPerOperation', () => {
    expect(removeMembersOps(ids(3), { removeForm: 'valueArray', maxMembersPerOperation: 2 })).toEqual([
      { op: 'remove', path: 'members', value: members(['u0', 'u1']) },
      { op: 'remove', path: 'members', value: members(['u2']) },
    ]);
  });

  it('rejects an unknown removeForm', () => {
    expect(() => removeMembersOps(['a'], { removeForm: 'other' as 'valuePath' })).toThrow(/removeForm/);
  });
});

describe('toPatchOps', () => {
  it('packs operations in order into bodies of at most maxOperations', () => {
    const operations = removeMembersOps(ids(5));
    const bodies = toPatchOps(operations, { maxOperations: 2 });
    expect(bodies.map((body) => body.Operations.length)).toEqual([2, 2, 1]);
    expect(bodies.flatMap((body) => body.Operations)).toEqual(operations);
    for (const body of bodies) expect(body.schemas).toEqual([SCHEMAS.PatchOp]);
  });

  it('defaults to 10 operations per request; no operations give no request', () => {
    expect(DEFAULT_MAX_OPERATIONS).toBe(10);
    expect(toPatchOps(removeMembersOps(ids(25))).map((body) => body.Operations.length)).toEqual([10, 10, 5]);
    expect(toPatchOps([])).toEqual([]);
  });

  it('rejects maxOperations 0, naming the option', () => {
    expect(() => toPatchOps([], { maxOperations: 0 })).toThrow(/maxOperations/);
  });
});

describe('buildGroupPatches', () => {
  it('costs 100 requests to remove 1,000 members with valuePath and 1 with valueArray (defaults)', () => {
    const current = { displayName: 'G', members: members(ids(1000)) };
    const desired = { displayName: 'G', members: [] };
    expect(buildGroupPatches(current, desired)).toHaveLength(100);
    const arrays = buildGroupPatches(current, desired, { removeForm: 'valueArray' });
    expect(arrays).toHaveLength(1);
    expect(arrays[0]?.Operations).toHaveLength(10);
  });

  it('puts the rename first, then removals, then additions', () => {
    const bodies = buildGroupPatches(
      { displayName: 'Old', members: members(['a', 'b', 'c']) },
      { displayName: 'New', members: members(['c', 'd', 'e', 'f']) },
      { maxOperations: 2, maxMembersPerOperation: 2 },
    );
    expect(bodies.map((body) => body.Operations)).toEqual([
      [
        { op: 'replace', path: 'displayName', value: 'New' },
        { op: 'remove', path: 'members[value eq "a"]' },
      ],
      [
        { op: 'remove', path: 'members[value eq "b"]' },
        { op: 'add', path: 'members', value: members(['d', 'e']) },
      ],
      [{ op: 'add', path: 'members', value: members(['f']) }],
    ]);
  });

  it('returns no request when nothing differs', () => {
    expect(
      buildGroupPatches(
        { displayName: 'G', members: members(['a']) },
        { displayName: 'G', members: members(['a']) },
      ),
    ).toEqual([]);
  });
});
