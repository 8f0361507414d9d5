/**
 * The filter builder: SCIM filters from code, with every value escaped.
 */
import { parseAttributePath } from '../attributes';
import { ScimProtocolError } from '../errors/ScimProtocolError';
import type { AttributePath, CompareOperator, CompareValue, FilterNode } from './ast';
import { stringifyFilter } from './stringify';

/** A filter built with {@link filter}: its syntax tree and its text. */
export interface FilterExpression {
  /** The syntax tree; frozen. Give it to {@link matchesFilter} or to another builder call. */
  readonly ast: FilterNode;
  /** The filter as SCIM filter text, ready for a `filter=` query parameter (URL-encode it). */
  toString(): string;
}

/** What the combinators accept: a built filter, or a syntax tree such as {@link parseFilter} returns. */
export type FilterInput = FilterExpression | FilterNode;

function expression(ast: FilterNode): FilterExpression {
  let text: string | undefined;
  return Object.freeze({
    ast,
    toString(): string {
      text ??= stringifyFilter(ast);
      return text;
    },
  });
}

function toNode(input: FilterInput): FilterNode {
  return 'ast' in input ? input.ast : input;
}

function path(text: string): AttributePath {
  return Object.freeze(parseAttributePath(text));
}

function checkValue(op: CompareOperator, value: unknown): CompareValue {
  const type = value === null ? 'null' : typeof value;
  const allowed =
    op === 'eq' || op === 'ne'
      ? ['string', 'number', 'boolean', 'null']
      : op === 'co' || op === 'sw' || op === 'ew'
        ? ['string']
        : ['string', 'number'];
  if (!allowed.includes(type)) {
    throw new ScimProtocolError('invalidFilter', `"${op}" cannot compare a value of type ${type}`);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new ScimProtocolError('invalidFilter', `A filter value must be a finite number, not ${value}`);
  }
  // -0 would be written as 0; normalise so that the tree and its text agree.
  return Object.is(value, -0) ? 0 : (value as CompareValue);
}

function compare(op: CompareOperator) {
  return (attributePath: string, value: CompareValue): FilterExpression =>
    expression(
      Object.freeze({ type: 'compare', path: path(attributePath), op, value: checkValue(op, value) }),
    );
}

function combine(type: 'and' | 'or', filters: readonly FilterInput[]): FilterExpression {
  const [first, ...rest] = filters.map(toNode);
  if (first === undefined)
    throw new ScimProtocolError('invalidFilter', `filter.${type}() needs at least one filter`);
  let node = first;
  for (const right of rest) node = Object.freeze({ type, left: node, right });
  return expression(node);
}

function containsValuePath(node: FilterNode): boolean {
  const pending: FilterNode[] = [node];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    if (current.type === 'valuePath') return true;
    if (current.type === 'and' || current.type === 'or') pending.push(current.left, current.right);
    else if (current.type === 'not') pending.push(current.filter);
  }
  return false;
}

/**
 * Builds SCIM filters (RFC 7644 section 3.4.2.2) without string concatenation.
 *
 * Paths are attribute paths as text (`userName`, `name.familyName`, `emails.value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`); a path that does
 * not parse throws `ScimProtocolError('invalidPath')`. String values are written as JSON string
 * literals, so `"`, `\` and control characters are escaped and no value, however hostile, can
 * change what the filter means. `and` and `or` take one or more filters and group from the left.
 * Every result's `toString()` parses back, with {@link parseFilter}, into a tree equal to its `ast`.
 *
 * @example
 * ```ts
 * const byName = filter.eq('userName', 'bjensen@example.com');
 * byName.toString(); // 'userName eq "bjensen@example.com"'
 *
 * filter.and(
 *   filter.valuePath('emails', filter.and(filter.eq('type', 'work'), filter.co('value', '@example.com'))),
 *   filter.not(filter.eq('active', false)),
 * ).toString();
 * // 'emails[type eq "work" and value co "@example.com"] and not (active eq false)'
 * ```
 */
export const filter = Object.freeze({
  /** `path eq value`: equal (strings case-insensitively unless the attribute is caseExact). */
  eq: compare('eq'),
  /** `path ne value`: not equal; also true when the attribute has no value. */
  ne: compare('ne'),
  /** `path co "value"`: the attribute contains the string. */
  co: compare('co') as (path: string, value: string) => FilterExpression,
  /** `path sw "value"`: the attribute starts with the string. */
  sw: compare('sw') as (path: string, value: string) => FilterExpression,
  /** `path ew "value"`: the attribute ends with the string. */
  ew: compare('ew') as (path: string, value: string) => FilterExpression,
  /** `path gt value`: greater than (strings lexicographically, dateTimes by time, numbers by value). */
  gt: compare('gt') as (path: string, value: string | number) => FilterExpression,
  /** `path ge value`: greater than or equal. */
  ge: compare('ge') as (path: string, value: string | number) => FilterExpression,
  /** `path lt value`: less than. */
  lt: compare('lt') as (path: string, value: string | number) => FilterExpression,
  /** `path le value`: less than or equal. */
  le: compare('le') as (path: string, value: string | number) => FilterExpression,
  /** `path pr`: the attribute has a value (not null, not an empty string, not an empty array). */
  pr(attributePath: string): FilterExpression {
    return expression(Object.freeze({ type: 'present', path: path(attributePath) }));
  },
  /** All of the filters: `a and b and c`. One filter is returned as it is; none throws `invalidFilter`. */
  and(...filters: FilterInput[]): FilterExpression {
    return combine('and', filters);
  },
  /** Any of the filters: `a or b or c`. One filter is returned as it is; none throws `invalidFilter`. */
  or(...filters: FilterInput[]): FilterExpression {
    return combine('or', filters);
  },
  /** The negation: `not (f)`. */
  not(inner: FilterInput): FilterExpression {
    return expression(Object.freeze({ type: 'not', filter: toNode(inner) }));
  },
  /**
   * A value path: `path[f]`, matching when some value of the multi-valued attribute `path`
   * matches `f`, whose paths name sub-attributes (`filter.valuePath('emails', filter.eq('type', 'work'))`
   * is `emails[type eq "work"]`).
   *
   * @throws ScimProtocolError `invalidPath` when `path` has a sub-attribute, `invalidFilter` when
   *   `f` itself contains a value path (the grammar does not nest them).
   */
  valuePath(attributePath: string, inner: FilterInput): FilterExpression {
    const parsed = path(attributePath);
    if (parsed.subAttr !== undefined) {
      throw new ScimProtocolError(
        'invalidPath',
        `A value path's attribute cannot have a sub-attribute (${JSON.stringify(attributePath)})`,
      );
    }
    const node = toNode(inner);
    if (containsValuePath(node)) {
      throw new ScimProtocolError('invalidFilter', 'A value path cannot be nested inside a value filter');
    }
    return expression(Object.freeze({ type: 'valuePath', path: parsed, filter: node }));
  },
});
