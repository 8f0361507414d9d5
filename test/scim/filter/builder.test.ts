import { describe, expect, it } from 'vitest';
import { isScimProtocolError } from '../../../src/scim/errors/ScimProtocolError';
import { filter } from '../../../src/scim/filter/builder';
import { matchesFilter } from '../../../src/scim/filter/evaluate';
import { parseFilter } from '../../../src/scim/filter/parser';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('filter builder', () => {
  it('builds each comparison operator', () => {
    expect(filter.eq('userName', 'bjensen').toString()).toBe('userName eq "bjensen"');
    expect(filter.ne('active', true).toString()).toBe('active ne true');
    expect(filter.co('emails.value', '@example.com').toString()).toBe('emails.value co "@example.com"');
    expect(filter.sw('name.familyName', 'J').toString()).toBe('name.familyName sw "J"');
    expect(filter.ew('userName', '.org').toString()).toBe('userName ew ".org"');
    expect(filter.gt('meta.lastModified', '2011-05-13T04:42:34Z').toString()).toBe(
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
    );
    expect(filter.ge('age', 18).toString()).toBe('age ge 18');
    expect(filter.lt('score', -1.5).toString()).toBe('score lt -1.5');
    expect(filter.le('n', 1e21).toString()).toBe('n le 1e+21');
    expect(filter.eq('manager', null).toString()).toBe('manager eq null');
    expect(filter.pr('title').toString()).toBe('title pr');
  });

  it('exposes the syntax tree', () => {
    expect(filter.eq(`${ENTERPRISE}:manager.value`, 'x').ast).toEqual({
      type: 'compare',
      path: { schema: ENTERPRISE, attr: 'manager', subAttr: 'value' },
      op: 'eq',
      value: 'x',
    });
  });

  it('combines with and, or, not and value paths, with only the parentheses needed', () => {
    const a = filter.eq('a', 1);
    const b = filter.eq('b', 2);
    const c = filter.eq('c', 3);
    expect(filter.or(a, filter.and(b, c)).toString()).toBe('a eq 1 or b eq 2 and c eq 3');
    expect(filter.and(filter.or(a, b), c).toString()).toBe('(a eq 1 or b eq 2) and c eq 3');
    expect(filter.and(a, filter.or(b, c)).toString()).toBe('a eq 1 and (b eq 2 or c eq 3)');
    expect(filter.or(a, b, c).toString()).toBe('a eq 1 or b eq 2 or c eq 3');
    expect(filter.or(a, filter.or(b, c)).toString()).toBe('a eq 1 or (b eq 2 or c eq 3)');
    expect(filter.not(filter.or(a, b)).toString()).toBe('not (a eq 1 or b eq 2)');
    expect(filter.and(filter.not(a), b).toString()).toBe('not (a eq 1) and b eq 2');
    expect(
      filter
        .valuePath('emails', filter.and(filter.eq('type', 'work'), filter.co('value', '@example.com')))
        .toString(),
    ).toBe('emails[type eq "work" and value co "@example.com"]');
  });

  it('returns a single operand of and/or as it is, and refuses none', () => {
    const a = filter.eq('a', 1);
    expect(filter.and(a).ast).toBe(a.ast);
    expect(filter.or(a).ast).toBe(a.ast);
    expect(thrown(() => filter.or())).toMatchObject({ name: 'ScimProtocolError', scimType: 'invalidFilter' });
  });

  it('accepts parsed syntax trees as operands', () => {
    const parsed = parseFilter('a eq 1 or b eq 2');
    expect(filter.and(parsed, filter.pr('c')).toString()).toBe('(a eq 1 or b eq 2) and c pr');
  });

  it('refuses bad paths with invalidPath', () => {
    for (const bad of ['', 'user name', 'a.b.c', 'emails[type eq "x"]', 'userName eq "x" or id']) {
      const error = thrown(() => filter.eq(bad, 'x'));
      expect(isScimProtocolError(error)).toBe(true);
      expect(error).toMatchObject({ scimType: 'invalidPath' });
    }
    expect(thrown(() => filter.valuePath('emails.value', filter.pr('x')))).toMatchObject({
      scimType: 'invalidPath',
    });
  });

  it('refuses nested value paths and values that cannot be compared or written', () => {
    const nested = filter.valuePath('emails', filter.pr('type'));
    expect(thrown(() => filter.valuePath('ims', nested))).toMatchObject({ scimType: 'invalidFilter' });
    expect(thrown(() => filter.eq('n', Number.NaN))).toMatchObject({ scimType: 'invalidFilter' });
    expect(thrown(() => filter.eq('n', Number.POSITIVE_INFINITY))).toMatchObject({
      scimType: 'invalidFilter',
    });
    // Untyped callers: the runtime checks what the types promise.
    const loose = filter as unknown as Record<string, (path: string, value: unknown) => unknown>;
    expect(thrown(() => loose.co?.('title', 3))).toMatchObject({ scimType: 'invalidFilter' });
    expect(thrown(() => loose.gt?.('active', true))).toMatchObject({ scimType: 'invalidFilter' });
    expect(thrown(() => loose.eq?.('x', { toString: () => 'or 1 eq 1' }))).toMatchObject({
      scimType: 'invalidFilter',
    });
  });

  it('builds, writes and evaluates a chain of 50,000 terms without exhausting the stack', () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => `id-${i}`);
    const noneOf = filter.and(...ids.map((id) => filter.ne('id', id)));
    const text = noneOf.toString();
    expect(text.startsWith('id ne "id-0" and id ne "id-1" and ')).toBe(true);
    expect(text.endsWith(' and id ne "id-49999"')).toBe(true);
    expect(matchesFilter(noneOf.ast, { id: 'other' })).toBe(true);
    expect(matchesFilter(noneOf.ast, { id: 'id-49999' })).toBe(false);
  });

  it('writes -0 as 0 and keeps the tree in step', () => {
    const built = filter.eq('n', -0);
    expect(built.toString()).toBe('n eq 0');
    expect(Object.is((built.ast as { value: unknown }).value, 0)).toBe(true);
  });

  it('freezes what it builds', () => {
    const built = filter.and(filter.eq('a', 1), filter.eq('b', 2));
    expect(Object.isFrozen(built)).toBe(true);
    expect(Object.isFrozen(built.ast)).toBe(true);
    expect(Object.isFrozen(filter)).toBe(true);
  });
});

describe('filter builder: hostile values', () => {
  const hostile = [
    'a"b',
    'back\\slash',
    'trailing\\',
    '") or (1 eq 1',
    'x" or userName pr or userName eq "y',
    '"] or emails[type pr',
    'nul\u0000byte',
    'line\nbreak\ttab\r\u001f\u007f',
    'emoji 😀 and 🏳️‍🌈',
    'lone \ud800 surrogate',
    ' or ',
    '\\u0022',
    '',
  ];

  it.each(hostile)('keeps %j one value of one comparison', (value) => {
    const built = filter.eq('userName', value);
    const text = built.toString();
    expect(parseFilter(text)).toEqual({ type: 'compare', path: { attr: 'userName' }, op: 'eq', value });
    // The filter matches the user with that userName and no other.
    expect(matchesFilter(parseFilter(text), { userName: value })).toBe(true);
    expect(matchesFilter(parseFilter(text), { userName: `${value}x` })).toBe(false);
    expect(matchesFilter(parseFilter(text), { userName: 'someone-else' })).toBe(value === 'someone-else');
  });

  it('escapes quotes, backslashes and control characters as JSON does', () => {
    expect(filter.eq('userName', 'a"b\\c\u0000\n').toString()).toBe('userName eq "a\\"b\\\\c\\u0000\\n"');
  });

  it('keeps a hostile value inside a value path', () => {
    const built = filter.valuePath('members', filter.eq('value', '"] or members[value pr'));
    expect(built.toString()).toBe('members[value eq "\\"] or members[value pr"]');
    expect(parseFilter(built.toString())).toEqual(built.ast);
  });
});
