/**
 * Writing a filter syntax tree back as SCIM filter text.
 */
import { isAttributeName, isSchemaUri, stringifyAttributePath } from '../attributes';
import { ScimProtocolError } from '../errors/ScimProtocolError';
import type { AttributePath, CompareValue, FilterNode } from './ast';

/**
 * Writes `ast` as SCIM filter text that {@link parseFilter} reads back into an equal tree.
 *
 * Parentheses appear only where the tree needs them: an `or` inside an `and`, and a right-hand
 * operand of the same operator (`a or (b or c)`, since both operators group from the left);
 * `not` always writes `not (…)` as the grammar requires. Strings are written as JSON string
 * literals, so `"`, `\` and control characters are escaped and a value can never end the string
 * early. Operators and keywords are written in lower case.
 *
 * @throws ScimProtocolError `invalidPath` for an attribute path that is not valid SCIM syntax, and
 *   `invalidFilter` for a value path nested in a value path or a number that is not finite, since
 *   neither could be read back.
 * @example
 * ```ts
 * stringifyFilter(parseFilter('(userName EQ "a" OR userName eq "b") and active eq TRUE'));
 * // '(userName eq "a" or userName eq "b") and active eq true'
 * ```
 */
export function stringifyFilter(ast: FilterNode): string {
  return write(ast, false);
}

/** Writes a comparison value as a JSON literal. */
export function stringifyCompareValue(value: CompareValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new ScimProtocolError('invalidFilter', `A filter value must be a finite number, not ${value}`);
    }
    return Object.is(value, -0) ? '0' : String(value);
  }
  return String(value);
}

function write(node: FilterNode, insideValuePath: boolean): string {
  switch (node.type) {
    case 'compare':
      return `${writePath(node.path)} ${node.op} ${stringifyCompareValue(node.value)}`;
    case 'present':
      return `${writePath(node.path)} pr`;
    case 'not':
      return `not (${write(node.filter, insideValuePath)})`;
    case 'valuePath':
      if (insideValuePath) {
        throw new ScimProtocolError('invalidFilter', 'A value path cannot be nested inside a value filter');
      }
      if (node.path.subAttr !== undefined) {
        throw new ScimProtocolError('invalidPath', "A value path's attribute cannot have a sub-attribute");
      }
      return `${writePath(node.path)}[${write(node.filter, true)}]`;
    case 'and':
    case 'or':
      return writeChain(node, insideValuePath);
  }
}

/**
 * Writes a left-leaning chain of one operator without recursion on its left spine, so that long
 * built chains (`or` of thousands of ids) do not exhaust the stack.
 */
function writeChain(node: FilterNode & { type: 'and' | 'or' }, insideValuePath: boolean): string {
  const operator = node.type;
  const rights: FilterNode[] = [];
  let current: FilterNode = node;
  while (current.type === operator) {
    rights.push(current.right);
    current = current.left;
  }
  const parts = [writeOperand(current, operator, false, insideValuePath)];
  for (let i = rights.length - 1; i >= 0; i--) {
    parts.push(writeOperand(rights[i] as FilterNode, operator, true, insideValuePath));
  }
  return parts.join(` ${operator} `);
}

function writeOperand(
  operand: FilterNode,
  operator: 'and' | 'or',
  isRight: boolean,
  insideValuePath: boolean,
): string {
  const text = write(operand, insideValuePath);
  const needsParentheses =
    (operator === 'and' && operand.type === 'or') || (isRight && operand.type === operator);
  return needsParentheses ? `(${text})` : text;
}

function writePath(path: AttributePath): string {
  const badName = [path.attr, path.subAttr].find((name) => name !== undefined && !isAttributeName(name));
  if (badName !== undefined) {
    throw new ScimProtocolError('invalidPath', `${JSON.stringify(badName)} is not a valid attribute name`);
  }
  if (path.schema !== undefined && !isSchemaUri(path.schema)) {
    throw new ScimProtocolError('invalidPath', `${JSON.stringify(path.schema)} is not a schema URI`);
  }
  return stringifyAttributePath(path);
}
