/**
 * Evaluating a SCIM filter against a resource, as a service provider would (RFC 7644 section 3.4.2.2).
 */
import { findKey, getAttributeValues, isPlainObject } from '../attributes';
import { ScimProtocolError } from '../errors/ScimProtocolError';
import type { AttributePath, CompareFilter, CompareOperator, CompareValue, FilterNode } from './ast';
import { defaultCaseExact } from './case-exact';
import { stringifyFilter } from './stringify';

/** Options of {@link matchesFilter}. */
export interface MatchFilterOptions {
  /**
   * Whether string comparisons on an attribute are case-sensitive. Called with the attribute's
   * full path: inside a value path `emails[type eq "work"]` it gets `{ attr: 'emails', subAttr: 'type' }`,
   * and a complex attribute compared without a sub-attribute (`emails co "@x"`) gets its `value`
   * sub-attribute (`{ attr: 'emails', subAttr: 'value' }`). Use it to apply a service's `/Schemas`.
   *
   * @default defaultCaseExact (the RFC 7643 rule: id, externalId, $ref, meta.location,
   *   meta.version, x509Certificates.value and password are caseExact; nothing else is)
   */
  readonly caseExact?: (path: AttributePath) => boolean;
  /**
   * The multi-valued attribute that `resource` is one value of, when the filter is a value filter
   * applied to a single value (as PATCH does with `members[value eq "…"]`). Only used to give
   * {@link MatchFilterOptions.caseExact} full paths (`value` becomes `members.value`).
   *
   * @default undefined (the filter's paths are the resource's attributes)
   */
  readonly within?: AttributePath;
}

interface Context {
  readonly caseExact: (path: AttributePath) => boolean;
  readonly within: AttributePath | undefined;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Whether `resource` matches the filter `ast`, with the semantics of RFC 7644 section 3.4.2.2:
 *
 * - attribute names are case-insensitive; string values compare case-insensitively unless the
 *   attribute is caseExact (see {@link MatchFilterOptions.caseExact}); case folding is `toLowerCase()`;
 * - a multi-valued attribute matches when ANY of its values matches, for every operator (`ne`
 *   included: `emails ne "a"` matches when some email is not `a`);
 * - a complex attribute compared without a sub-attribute compares its `value` sub-attribute
 *   (`emails co "@example.com"` is `emails.value co "@example.com"`);
 * - a missing attribute (absent, `null` or `[]`) matches nothing, except `ne`, which it matches;
 *   `attr eq null` matches exactly when the attribute has no value, `attr ne null` when it has one;
 * - `pr`: some value is present: not `null`, not `""`, not an empty array or an object with
 *   nothing present in it;
 * - `eq`/`ne` compare strings with strings, numbers with numbers and booleans with booleans; a
 *   value of another type is not equal;
 * - `co`, `sw`, `ew` compare strings only (a filter value of another type throws `invalidFilter`);
 * - `gt`, `ge`, `lt`, `le` compare numbers by value, dateTime strings (`2024-05-01T10:00:00Z`, both
 *   sides) by instant, other strings lexicographically by UTF-16 code unit after case folding; a
 *   boolean or `null` on either side throws `invalidFilter`;
 * - a value path `emails[type eq "work"]` matches when some value of `emails` matches the inner
 *   filter; a value that is not an object is seen as `{ value: it }`.
 *
 * Extension attributes are read through URN-qualified paths, see `getAttributeContainer`.
 *
 * @throws ScimProtocolError `invalidFilter` for an operator and value that cannot be compared
 *   (`active gt true`, `title co 3`).
 * @example
 * ```ts
 * const ast = parseFilter('emails[type eq "work" and value ew "@example.com"]');
 * users.filter((user) => matchesFilter(ast, user));
 * ```
 */
export function matchesFilter(
  ast: FilterNode,
  resource: Record<string, unknown>,
  options: MatchFilterOptions = {},
): boolean {
  checkOperands(ast);
  const context: Context = { caseExact: options.caseExact ?? defaultCaseExact, within: options.within };
  return evaluate(ast, resource, context);
}

function evaluate(node: FilterNode, resource: Record<string, unknown>, context: Context): boolean {
  switch (node.type) {
    case 'compare':
      return evaluateCompare(node, resource, context);
    case 'present':
      return getAttributeValues(resource, node.path).some(isPresent);
    case 'not':
      return !evaluate(node.filter, resource, context);
    case 'valuePath': {
      const inner: Context = { caseExact: context.caseExact, within: fullPath(node.path, context.within) };
      const attribute = { ...node.path };
      delete (attribute as { subAttr?: string }).subAttr;
      return getAttributeValues(resource, attribute).some((value) =>
        evaluate(node.filter, isPlainObject(value) ? value : { value }, inner),
      );
    }
    case 'and':
    case 'or': {
      // Walk the left spine iteratively: built chains of thousands of terms must not exhaust the stack.
      const operands: FilterNode[] = [];
      let current: FilterNode = node;
      while (current.type === node.type) {
        operands.push(current.right);
        current = current.left;
      }
      operands.push(current);
      const wanted = node.type === 'or';
      for (let i = operands.length - 1; i >= 0; i--) {
        if (evaluate(operands[i] as FilterNode, resource, context) === wanted) return wanted;
      }
      return !wanted;
    }
  }
}

function evaluateCompare(node: CompareFilter, resource: Record<string, unknown>, context: Context): boolean {
  const values = getAttributeValues(resource, node.path);
  if (node.value === null) return node.op === 'eq' ? values.length === 0 : values.length > 0;
  if (values.length === 0) return node.op === 'ne';
  const path = fullPath(node.path, context.within);
  const valuePath: AttributePath = path.subAttr === undefined ? { ...path, subAttr: 'value' } : path;
  return values.some((actual) => {
    if (isPlainObject(actual)) {
      const key = findKey(actual, 'value');
      const inner = key === undefined ? undefined : actual[key];
      return compareOne(inner, node, context.caseExact(valuePath));
    }
    return compareOne(actual, node, context.caseExact(path));
  });
}

function compareOne(actual: unknown, node: CompareFilter, caseExact: boolean): boolean {
  const expected = node.value;
  switch (node.op) {
    case 'eq':
      return isEqual(actual, expected, caseExact);
    case 'ne':
      return !isEqual(actual, expected, caseExact);
    case 'co':
    case 'sw':
    case 'ew': {
      if (typeof actual !== 'string' || typeof expected !== 'string') return false;
      const haystack = fold(actual, caseExact);
      const needle = fold(expected, caseExact);
      if (node.op === 'co') return haystack.includes(needle);
      return node.op === 'sw' ? haystack.startsWith(needle) : haystack.endsWith(needle);
    }
    default: {
      if (typeof actual === 'boolean') {
        throw new ScimProtocolError(
          'invalidFilter',
          `"${node.op}" cannot order boolean attribute values (${stringifyFilter(node)})`,
        );
      }
      const order = compareOrder(actual, expected, caseExact);
      return order !== undefined && isOrdered(node.op, order);
    }
  }
}

function isOrdered(op: CompareOperator, order: number): boolean {
  if (op === 'gt') return order > 0;
  if (op === 'ge') return order >= 0;
  if (op === 'lt') return order < 0;
  return order <= 0;
}

function isEqual(actual: unknown, expected: CompareValue, caseExact: boolean): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') {
    return fold(actual, caseExact) === fold(expected, caseExact);
  }
  return (typeof actual === 'number' || typeof actual === 'boolean') && actual === expected;
}

/** Negative, zero or positive as `actual` is before, at or after `expected`; undefined when not comparable. */
function compareOrder(actual: unknown, expected: CompareValue, caseExact: boolean): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') return Math.sign(actual - expected);
  if (typeof actual !== 'string' || typeof expected !== 'string') return undefined;
  const actualTime = parseDateTime(actual);
  const expectedTime = parseDateTime(expected);
  if (actualTime !== undefined && expectedTime !== undefined) return Math.sign(actualTime - expectedTime);
  const a = fold(actual, caseExact);
  const b = fold(expected, caseExact);
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseDateTime(text: string): number | undefined {
  if (!DATE_TIME.test(text)) return undefined;
  const hasZone = /(?:Z|[+-]\d{2}:\d{2})$/i.test(text);
  const time = Date.parse(hasZone ? text : `${text}Z`);
  return Number.isNaN(time) ? undefined : time;
}

function fold(text: string, caseExact: boolean): string {
  return caseExact ? text : text.toLowerCase();
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isPlainObject(value)) return Object.values(value).some(isPresent);
  return true;
}

/** The path `caseExact` is asked about: inside a value path, `within.attr` with the inner name as sub-attribute. */
function fullPath(path: AttributePath, within: AttributePath | undefined): AttributePath {
  if (within === undefined || path.schema !== undefined) return path;
  return {
    ...(within.schema === undefined ? {} : { schema: within.schema }),
    attr: within.attr,
    subAttr: path.attr,
  };
}

/** Rejects operator/value pairs that can never be compared, before looking at any data. */
function checkOperands(ast: FilterNode): void {
  const pending: FilterNode[] = [ast];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.type === 'and' || node.type === 'or') pending.push(node.left, node.right);
    else if (node.type === 'not' || node.type === 'valuePath') pending.push(node.filter);
    else if (node.type === 'compare') checkOperand(node);
  }
}

function checkOperand(node: CompareFilter): void {
  const type = node.value === null ? 'null' : typeof node.value;
  const textual = node.op === 'co' || node.op === 'sw' || node.op === 'ew';
  const ordering = !textual && node.op !== 'eq' && node.op !== 'ne';
  if ((textual && type !== 'string') || (ordering && (type === 'boolean' || type === 'null'))) {
    throw new ScimProtocolError(
      'invalidFilter',
      `"${node.op}" cannot compare with ${type === 'null' ? 'null' : `a ${type}`} (${stringifyFilter(node)})`,
    );
  }
}
