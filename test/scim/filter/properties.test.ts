import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isScimProtocolError } from '../../../src/scim/errors/ScimProtocolError';
import { type FilterExpression, filter } from '../../../src/scim/filter/builder';
import { matchesFilter } from '../../../src/scim/filter/evaluate';
import { parseFilter } from '../../../src/scim/filter/parser';
import { parsePatchPath } from '../../../src/scim/filter/patch-path';
import { stringifyFilter } from '../../../src/scim/filter/stringify';

const RUNS = 300;

/** Attribute names, including ones spelled like the grammar's keywords. */
const attributeName = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('$ref', 'not', 'NOT', 'and', 'or', 'pr', 'eq', 'true', 'null', 'e1'),
  },
);

const schema = fc.oneof(
  fc.constantFrom(
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    'https://schemas.example.com/scim?v=2#ext',
  ),
  fc.stringMatching(/^urn:[a-z]{1,5}(:[A-Za-z0-9.]{1,5}){0,3}$/),
);

function joinPath(parts: { schema: string | undefined; attr: string; subAttr: string | undefined }): string {
  const qualified = parts.schema === undefined ? parts.attr : `${parts.schema}:${parts.attr}`;
  return parts.subAttr === undefined ? qualified : `${qualified}.${parts.subAttr}`;
}

const attributePath = fc
  .record({
    schema: fc.option(schema, { nil: undefined }),
    attr: attributeName,
    subAttr: fc.option(attributeName, { nil: undefined }),
  })
  .map(joinPath);

const plainAttributePath = fc
  .record({
    schema: fc.option(schema, { nil: undefined }),
    attr: attributeName,
    subAttr: fc.constant(undefined),
  })
  .map(joinPath);

/** Strings with the characters that could break out of a literal, among any other code units. */
const hostileString = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '"',
        '\\',
        ') or (1 eq 1',
        '"] or x[y pr',
        '\u0000',
        '\u001f',
        '\ud800',
        '\udc00',
        '😀',
        ' and ',
      ),
      fc.string({ unit: 'binary' }),
      fc.string(),
    ),
    { maxLength: 5 },
  )
  .map((parts) => parts.join(''));

const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const anyValue = fc.oneof(hostileString, number, fc.boolean(), fc.constant(null));

const comparison: fc.Arbitrary<FilterExpression> = fc.oneof(
  fc
    .tuple(fc.constantFrom('eq', 'ne') as fc.Arbitrary<'eq' | 'ne'>, attributePath, anyValue)
    .map(([op, path, value]) => filter[op](path, value)),
  fc
    .tuple(
      fc.constantFrom('co', 'sw', 'ew') as fc.Arbitrary<'co' | 'sw' | 'ew'>,
      attributePath,
      hostileString,
    )
    .map(([op, path, value]) => filter[op](path, value)),
  fc
    .tuple(
      fc.constantFrom('gt', 'ge', 'lt', 'le') as fc.Arbitrary<'gt' | 'ge' | 'lt' | 'le'>,
      attributePath,
      fc.oneof(hostileString, number),
    )
    .map(([op, path, value]) => filter[op](path, value)),
  attributePath.map((path) => filter.pr(path)),
);

/** Filter trees without value paths (what may stand inside brackets), and with them. */
const { inner, outer } = fc.letrec<{ inner: FilterExpression; outer: FilterExpression }>((tie) => ({
  inner: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.array(tie('inner'), { minLength: 1, maxLength: 4 }).map((parts) => filter.and(...parts)),
    fc.array(tie('inner'), { minLength: 1, maxLength: 4 }).map((parts) => filter.or(...parts)),
    tie('inner').map((part) => filter.not(part)),
  ),
  outer: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.tuple(plainAttributePath, tie('inner')).map(([path, part]) => filter.valuePath(path, part)),
    fc.array(tie('outer'), { minLength: 1, maxLength: 4 }).map((parts) => filter.and(...parts)),
    fc.array(tie('outer'), { minLength: 1, maxLength: 4 }).map((parts) => filter.or(...parts)),
    tie('outer').map((part) => filter.not(part)),
  ),
}));

describe('filter properties', () => {
  it('(1) parses every built filter back into its own syntax tree', () => {
    fc.assert(
      fc.property(outer, (built) => {
        expect(parseFilter(built.toString())).toEqual(built.ast);
      }),
      { numRuns: RUNS },
    );
    // Nested operands built separately, combined in every grouping.
    fc.assert(
      fc.property(inner, inner, inner, (a, b, c) => {
        for (const built of [
          filter.or(a, filter.and(b, c)),
          filter.and(filter.or(a, b), c),
          filter.or(a, filter.or(b, c)),
        ]) {
          expect(parseFilter(built.toString())).toEqual(built.ast);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('(2) stringify(parse(s)) is a fixed point for built filters', () => {
    fc.assert(
      fc.property(outer, (built) => {
        const text = built.toString();
        expect(stringifyFilter(parseFilter(text))).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('(3) filter.eq("userName", v) matches exactly the userNames equal to v without case', () => {
    const caseVariant = (text: string, flips: boolean[]): string =>
      Array.from(text)
        .map((ch, i) => (flips[i % Math.max(flips.length, 1)] ? ch.toUpperCase() : ch.toLowerCase()))
        .join('');
    const candidate = fc.oneof(
      fc.record({ kind: fc.constant('same' as const) }),
      fc.record({ kind: fc.constant('variant' as const), flips: fc.array(fc.boolean(), { minLength: 1 }) }),
      fc.record({ kind: fc.constant('other' as const), text: hostileString }),
    );
    fc.assert(
      fc.property(hostileString, candidate, fc.boolean(), (value, pick, upperKey) => {
        const userName =
          pick.kind === 'same' ? value : pick.kind === 'variant' ? caseVariant(value, pick.flips) : pick.text;
        const resource = upperKey ? { USERNAME: userName } : { userName };
        const built = filter.eq('userName', value);
        const expected = userName.toLowerCase() === value.toLowerCase();
        expect(matchesFilter(built.ast, resource)).toBe(expected);
        // And the same through the wire: the text a service provider would receive.
        expect(matchesFilter(parseFilter(built.toString()), resource)).toBe(expected);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('fails on any text only with invalidFilter, never with another error', () => {
    const alphabet = fc.constantFrom(
      ...'()[]" \\.:$-_aAeEnoqrtuxpl019'.split(''),
      ' eq ',
      ' and ',
      ' or ',
      'not (',
      ' pr',
      '"x"',
      '\\u00',
      'emails[',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        for (const parse of [parseFilter, parsePatchPath]) {
          try {
            parse(text);
          } catch (error) {
            expect(isScimProtocolError(error)).toBe(true);
            expect((error as Error).message).toMatch(/^Invalid (filter|path) at position \d+: /);
          }
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
