import { describe, expect, it } from 'vitest';
import { isScimProtocolError, type ScimProtocolError } from '../../../src/scim/errors/ScimProtocolError';
import type { FilterNode } from '../../../src/scim/filter/ast';
import { MAX_FILTER_NESTING, parseFilter } from '../../../src/scim/filter/parser';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function eq(attr: string, value: string | number | boolean | null): FilterNode {
  return { type: 'compare', path: { attr }, op: 'eq', value };
}

function parseError(text: string): ScimProtocolError {
  try {
    parseFilter(text);
  } catch (error) {
    if (isScimProtocolError(error)) return error;
    throw error;
  }
  throw new Error(`parseFilter(${JSON.stringify(text)}) did not throw`);
}

describe('parseFilter: comparisons', () => {
  it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const)('parses the %s operator', (op) => {
    expect(parseFilter(`title ${op} "x"`)).toEqual({
      type: 'compare',
      path: { attr: 'title' },
      op,
      value: 'x',
    });
  });

  it('parses pr', () => {
    expect(parseFilter('title pr')).toEqual({ type: 'present', path: { attr: 'title' } });
  });

  it('reads operators and keywords in any case', () => {
    expect(parseFilter('userName EQ "a"')).toEqual(eq('userName', 'a'));
    expect(parseFilter('title Pr')).toEqual({ type: 'present', path: { attr: 'title' } });
    expect(parseFilter('active eq TRUE')).toEqual(eq('active', true));
    expect(parseFilter('active eq False')).toEqual(eq('active', false));
    expect(parseFilter('manager eq NULL')).toEqual(eq('manager', null));
    expect(parseFilter('a eq 1 AND b eq 2 Or NOT (c eq 3)')).toEqual({
      type: 'or',
      left: { type: 'and', left: eq('a', 1), right: eq('b', 2) },
      right: { type: 'not', filter: eq('c', 3) },
    });
  });

  it('keeps attribute names as written', () => {
    expect(parseFilter('USERNAME eq "a"')).toEqual(eq('USERNAME', 'a'));
  });

  it.each([
    ['0', 0],
    ['-12', -12],
    ['3.25', 3.25],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['1e+21', 1e21],
  ])('parses the JSON number %s', (text, value) => {
    expect(parseFilter(`n eq ${text}`)).toEqual(eq('n', value));
  });

  it.each(['01', '+1', '1.', '.5', '0x10', '1e', 'NaN', 'Infinity'])('refuses %s as a number', (text) => {
    const error = parseError(`n eq ${text}`);
    expect(error.scimType).toBe('invalidFilter');
    expect(error.message).toContain('position 5');
  });

  it('refuses a number too large for a double', () => {
    expect(parseError('n eq 1e400').message).toContain('out of range');
  });

  it('decodes JSON string escapes, including \\uXXXX and surrogate pairs', () => {
    const text = String.raw`x eq "q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9 \ud83d\ude00 \u0000"`;
    expect(parseFilter(text)).toEqual(eq('x', 'q" b\\ s/ \b\f\n\r\t Aé 😀 \u0000'));
  });

  it('keeps non-ASCII characters as they are', () => {
    expect(parseFilter('displayName eq "Zoë 😀 日本"')).toEqual(eq('displayName', 'Zoë 😀 日本'));
  });

  it('accepts any whitespace between tokens and none around punctuation', () => {
    expect(parseFilter(' \tuserName\neq\r\n"a" ')).toEqual(eq('userName', 'a'));
    expect(parseFilter('(a eq 1)and(b eq 2)')).toEqual({ type: 'and', left: eq('a', 1), right: eq('b', 2) });
  });
});

describe('parseFilter: precedence and grouping', () => {
  it('binds and tighter than or', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual({
      type: 'or',
      left: eq('a', 1),
      right: { type: 'and', left: eq('b', 2), right: eq('c', 3) },
    });
    expect(parseFilter('a eq 1 and b eq 2 or c eq 3')).toEqual({
      type: 'or',
      left: { type: 'and', left: eq('a', 1), right: eq('b', 2) },
      right: eq('c', 3),
    });
  });

  it('groups both operators from the left', () => {
    expect(parseFilter('a eq 1 or b eq 2 or c eq 3')).toEqual({
      type: 'or',
      left: { type: 'or', left: eq('a', 1), right: eq('b', 2) },
      right: eq('c', 3),
    });
    expect(parseFilter('a eq 1 and b eq 2 and c eq 3')).toEqual({
      type: 'and',
      left: { type: 'and', left: eq('a', 1), right: eq('b', 2) },
      right: eq('c', 3),
    });
  });

  it('lets parentheses override precedence and leaves no node for them', () => {
    expect(parseFilter('(a eq 1 or b eq 2) and c eq 3')).toEqual({
      type: 'and',
      left: { type: 'or', left: eq('a', 1), right: eq('b', 2) },
      right: eq('c', 3),
    });
    expect(parseFilter('((a eq 1))')).toEqual(eq('a', 1));
  });

  it('parses not (…) with and without a space, and binds it to its parentheses only', () => {
    expect(parseFilter('not(a eq 1)')).toEqual({ type: 'not', filter: eq('a', 1) });
    expect(parseFilter('not (a eq 1 or b eq 2) and c eq 3')).toEqual({
      type: 'and',
      left: { type: 'not', filter: { type: 'or', left: eq('a', 1), right: eq('b', 2) } },
      right: eq('c', 3),
    });
  });

  it('parses the RFC 7644 examples', () => {
    expect(
      parseFilter('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")'),
    ).toEqual({
      type: 'and',
      left: eq('userType', 'Employee'),
      right: {
        type: 'or',
        left: { type: 'compare', path: { attr: 'emails' }, op: 'co', value: 'example.com' },
        right: {
          type: 'compare',
          path: { attr: 'emails', subAttr: 'value' },
          op: 'co',
          value: 'example.org',
        },
      },
    });
    expect(
      parseFilter(
        'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      ),
    ).toEqual({
      type: 'or',
      left: {
        type: 'valuePath',
        path: { attr: 'emails' },
        filter: {
          type: 'and',
          left: eq('type', 'work'),
          right: { type: 'compare', path: { attr: 'value' }, op: 'co', value: '@example.com' },
        },
      },
      right: {
        type: 'valuePath',
        path: { attr: 'ims' },
        filter: {
          type: 'and',
          left: eq('type', 'xmpp'),
          right: { type: 'compare', path: { attr: 'value' }, op: 'co', value: '@foo.com' },
        },
      },
    });
    expect(parseFilter('meta.lastModified gt "2011-05-13T04:42:34Z"')).toEqual({
      type: 'compare',
      path: { attr: 'meta', subAttr: 'lastModified' },
      op: 'gt',
      value: '2011-05-13T04:42:34Z',
    });
  });

  it('treats "not", "and", "or" as attribute names where an attribute is expected', () => {
    expect(parseFilter('not eq "x"')).toEqual(eq('not', 'x'));
    expect(parseFilter('and pr or or eq 1')).toEqual({
      type: 'or',
      left: { type: 'present', path: { attr: 'and' } },
      right: eq('or', 1),
    });
  });
});

describe('parseFilter: value paths and URN paths', () => {
  it('parses value paths with nested sub-attribute comparisons, not and grouping', () => {
    expect(parseFilter('addresses[not (type eq "work") and (postalCode sw "9" or country eq "US")]')).toEqual(
      {
        type: 'valuePath',
        path: { attr: 'addresses' },
        filter: {
          type: 'and',
          left: { type: 'not', filter: eq('type', 'work') },
          right: {
            type: 'or',
            left: { type: 'compare', path: { attr: 'postalCode' }, op: 'sw', value: '9' },
            right: eq('country', 'US'),
          },
        },
      },
    );
  });

  it('parses URN-qualified attribute paths, also on value paths', () => {
    expect(parseFilter(`${ENTERPRISE}:manager.value eq "26118915"`)).toEqual({
      type: 'compare',
      path: { schema: ENTERPRISE, attr: 'manager', subAttr: 'value' },
      op: 'eq',
      value: '26118915',
    });
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]')).toEqual({
      type: 'valuePath',
      path: { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attr: 'emails' },
      filter: eq('type', 'work'),
    });
  });
});

describe('parseFilter: errors', () => {
  it.each([
    ['', 0, 'the filter is empty'],
    ['   ', 0, 'the filter is empty'],
    [
      'userName',
      8,
      'expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le) or "pr", found the end',
    ],
    ['userName eqq "a"', 9, 'found "eqq"'],
    [
      'userName eq bjensen',
      12,
      'expected a value: a "quoted string", a number, true, false or null, found "bjensen"',
    ],
    ['userName eq', 11, 'expected a value'],
    ['userName eq "a" foo', 16, 'expected "and", "or" or the end of the filter, found "foo"'],
    ['userName eq "a" and', 19, 'expected an attribute path, "(" or "not (", found the end of the filter'],
    ['(userName eq "a"', 16, '")" closing the "(" at position 0'],
    ['userName eq "a")', 15, '")" has no matching "("'],
    ['not userName eq "a"', 4, '"(" after "not"'],
    ['userName eq "abc', 12, 'no closing quote'],
    ['userName eq "a\\x"', 14, '"\\x" is not a JSON string escape'],
    ['userName eq "\\u12G4"', 13, 'four hexadecimal digits'],
    ['userName eq "a\tb"', 14, 'control character U+0009 must be escaped'],
    ['emails[type eq "work"', 21, '"]" closing the "[" at position 6'],
    ['emails[type[value eq 1] eq "work"]', 11, 'value paths cannot be nested'],
    ['emails [type eq "work"]', 7, '"[" must follow the attribute name'],
    ['emails.value[type eq "work"]', 0, 'cannot have a sub-attribute'],
    ['emails[type eq "work"].value eq "x"', 22, 'found ".value"'],
    ['name.given.family eq "x"', 0, 'more than one sub-attribute'],
    ['1abc eq "x"', 0, 'not a valid attribute name'],
    ['"a" eq "b"', 0, 'expected an attribute path'],
    ['title eq "a" or )', 16, 'expected an attribute path'],
  ])('rejects %j at position %i', (text, position, fragment) => {
    const error = parseError(text);
    expect(error.name).toBe('ScimProtocolError');
    expect(error.scimType).toBe('invalidFilter');
    expect(error.status).toBe(400);
    expect(error.message).toContain(`Invalid filter at position ${position}: `);
    expect(error.message).toContain(fragment);
  });

  it('shortens long tokens in messages', () => {
    const long = 'x'.repeat(500);
    const message = parseError(`userName eq ${long}`).message;
    expect(message.length).toBeLessThan(200);
    expect(message).toContain('…');
  });

  it(`refuses nesting deeper than ${MAX_FILTER_NESTING} levels without exhausting the stack`, () => {
    const ok = `${'('.repeat(MAX_FILTER_NESTING)}a eq 1${')'.repeat(MAX_FILTER_NESTING)}`;
    expect(parseFilter(ok)).toEqual(eq('a', 1));
    const deep = 100_000;
    const error = parseError(`${'('.repeat(deep)}a eq 1${')'.repeat(deep)}`);
    expect(error.message).toContain(`nests more than ${MAX_FILTER_NESTING} levels deep`);
    expect(parseError(`${'not ('.repeat(deep)}a eq 1${')'.repeat(deep)}`).scimType).toBe('invalidFilter');
  });

  it('parses a long flat chain of or without recursion trouble', () => {
    const terms = Array.from({ length: 20_000 }, (_, i) => `id eq "${i}"`);
    let node = parseFilter(terms.join(' or '));
    let count = 1;
    while (node.type === 'or') {
      count++;
      node = node.left;
    }
    expect(count).toBe(20_000);
    expect(node).toEqual(eq('id', '0'));
  });
});
