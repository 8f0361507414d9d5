import { describe, expect, it } from 'vitest';
import type { FilterNode } from '../../../src/scim/filter/ast';
import { parseFilter } from '../../../src/scim/filter/parser';
import { stringifyCompareValue, stringifyFilter } from '../../../src/scim/filter/stringify';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

const a: FilterNode = { type: 'present', path: { attr: 'a' } };
const b: FilterNode = { type: 'present', path: { attr: 'b' } };

describe('stringifyFilter', () => {
  it('normalises operators, keywords and redundant parentheses', () => {
    expect(
      stringifyFilter(parseFilter('((userName EQ "a") OR (userName eq "b")) and (active Eq TRUE)')),
    ).toBe('(userName eq "a" or userName eq "b") and active eq true');
    expect(stringifyFilter(parseFilter('NOT((a pr))'))).toBe('not (a pr)');
    expect(stringifyFilter(parseFilter('x eq NULL or y eq 1.50'))).toBe('x eq null or y eq 1.5');
  });

  it('writes not inside and/or without extra parentheses, and and/or inside not with its own', () => {
    expect(stringifyFilter({ type: 'or', left: { type: 'not', filter: a }, right: b })).toBe(
      'not (a pr) or b pr',
    );
    expect(stringifyFilter({ type: 'not', filter: { type: 'and', left: a, right: b } })).toBe(
      'not (a pr and b pr)',
    );
  });

  it('keeps the right-hand grouping of a hand-built tree', () => {
    const tree: FilterNode = { type: 'and', left: a, right: { type: 'and', left: b, right: a } };
    expect(stringifyFilter(tree)).toBe('a pr and (b pr and a pr)');
    expect(parseFilter(stringifyFilter(tree))).toEqual(tree);
  });

  it('refuses hand-built trees that could not be read back', () => {
    const badName: FilterNode = { type: 'present', path: { attr: 'a pr or b' } };
    expect(thrown(() => stringifyFilter(badName))).toMatchObject({ scimType: 'invalidPath' });
    const badSchema: FilterNode = { type: 'present', path: { schema: 'no uri', attr: 'a' } };
    expect(thrown(() => stringifyFilter(badSchema))).toMatchObject({ scimType: 'invalidPath' });
    const nested: FilterNode = {
      type: 'valuePath',
      path: { attr: 'emails' },
      filter: { type: 'valuePath', path: { attr: 'x' }, filter: a },
    };
    expect(thrown(() => stringifyFilter(nested))).toMatchObject({ scimType: 'invalidFilter' });
    const notFinite: FilterNode = { type: 'compare', path: { attr: 'n' }, op: 'gt', value: Number.NaN };
    expect(thrown(() => stringifyFilter(notFinite))).toMatchObject({ scimType: 'invalidFilter' });
  });
});

describe('stringifyCompareValue', () => {
  it('writes JSON literals', () => {
    expect(stringifyCompareValue('a"\\\u0001')).toBe('"a\\"\\\\\\u0001"');
    expect(stringifyCompareValue(-0)).toBe('0');
    expect(stringifyCompareValue(1e-7)).toBe('1e-7');
    expect(stringifyCompareValue(false)).toBe('false');
    expect(stringifyCompareValue(null)).toBe('null');
  });
});
