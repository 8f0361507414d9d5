import { describe, expect, it } from 'vitest';
import { applyPatch, diffGroupMembers, diffGroups } from '../../../src/scim/patch';
import { SCHEMAS } from '../../../src/scim/schemas';

const members = (...ids: string[]) => ids.map((value) => ({ value }));

describe('diffGroupMembers', () => {
  it('lists the members to add (desired order) and the ids to remove (current order)', () => {
    expect(
      diffGroupMembers({ members: members('a', 'b', 'c') }, { members: members('d', 'b', 'e') }),
    ).toEqual({ toAdd: members('d', 'e'), toRemove: ['a', 'c'] });
  });

  it('compares ids exactly and counts duplicates once', () => {
    expect(
      diffGroupMembers({ members: members('abc', 'abc') }, { members: members('ABC', 'ABC', 'abc') }),
    ).toEqual({ toAdd: members('ABC'), toRemove: [] });
  });

  it('reads missing members as none', () => {
    expect(diffGroupMembers({}, { members: members('a') })).toEqual({ toAdd: members('a'), toRemove: [] });
    expect(diffGroupMembers({ members: members('a') }, {})).toEqual({ toAdd: [], toRemove: ['a'] });
  });
});

describe('diffGroups', () => {
  it('returns nothing when the groups agree (member order and display names do not matter)', () => {
    expect(
      diffGroups(
        { displayName: 'Sales', members: [{ value: 'a', display: 'A' }, { value: 'b' }] },
        { displayName: 'Sales', members: [{ value: 'b' }, { value: 'a', display: 'Someone else' }] },
      ),
    ).toEqual([]);
  });

  it('renames when the name differs, even only in case, and leaves it when the desired name is not given', () => {
    expect(diffGroups({ displayName: 'sales' }, { displayName: 'Sales' })).toEqual([
      { op: 'replace', path: 'displayName', value: 'Sales' },
    ]);
    expect(diffGroups({ displayName: 'sales' }, {})).toEqual([]);
  });

  it('removes first (one valuePath operation per member), then adds in one operation keeping type', () => {
    expect(
      diffGroups(
        { displayName: 'Sales', members: members('a', 'b') },
        {
          displayName: 'Sales',
          members: [
            { value: 'b' },
            { value: 'c', type: 'User', display: 'C' },
            { value: 'g', type: 'Group' },
          ],
        },
      ),
    ).toEqual([
      { op: 'remove', path: 'members[value eq "a"]' },
      {
        op: 'add',
        path: 'members',
        value: [
          { value: 'c', type: 'User' },
          { value: 'g', type: 'Group' },
        ],
      },
    ]);
  });

  it('writes removals as one value array with removeForm valueArray', () => {
    expect(
      diffGroups(
        { members: members('a', 'b', 'c') },
        { members: members('b') },
        { removeForm: 'valueArray' },
      ),
    ).toEqual([{ op: 'remove', path: 'members', value: [{ value: 'a' }, { value: 'c' }] }]);
  });

  it('escapes ids in value filters so that applying the diff removes exactly that member', () => {
    const hostile = 'x" or value pr or value eq "y';
    const current = {
      schemas: [SCHEMAS.Group],
      displayName: 'G',
      members: members(hostile, 'keep', 'back\\slash'),
    };
    const desired = { displayName: 'G', members: members('keep') };
    const operations = diffGroups(current, desired);
    expect(operations.map((operation) => operation.path)).toEqual([
      'members[value eq "x\\" or value pr or value eq \\"y"]',
      'members[value eq "back\\\\slash"]',
    ]);
    expect(applyPatch(current, operations).members).toEqual(members('keep'));
  });
});
