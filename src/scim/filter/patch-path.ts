/**
 * The PATCH `path` grammar (RFC 7644 section 3.5.2).
 */
import { isAttributeName } from '../attributes';
import type { PatchPath } from './ast';
import { FilterParser } from './parser';

/**
 * Parses a PATCH operation's `path`: `attrPath` or `valuePath ["." subAttr]` (RFC 7644 section 3.5.2).
 *
 * - `name.familyName` gives `{ path: { attr: 'name', subAttr: 'familyName' } }`;
 * - `members[value eq "2819c223"]` gives `{ path: { attr: 'members' }, valueFilter: … }`;
 * - `emails[type eq "work"].value` gives `{ path: { attr: 'emails' }, valueFilter: …, subAttr: 'value' }`;
 * - `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` gives
 *   `{ path: { schema: 'urn:…:enterprise:2.0:User', attr: 'manager', subAttr: 'value' } }`.
 *
 * The value filter follows the filter grammar of {@link parseFilter} (without nested value paths).
 * No whitespace is allowed outside the brackets.
 *
 * @throws ScimProtocolError with scimType `invalidPath` (also for a value filter that does not
 *   parse), whose message names the position and what was expected there.
 * @example
 * ```ts
 * const { path, valueFilter, subAttr } = parsePatchPath('emails[type eq "work"].value');
 * ```
 */
export function parsePatchPath(text: string): PatchPath {
  const parser = new FilterParser(text, 'invalidPath', 'path');
  const first = parser.peek();
  if (first.kind === 'end') parser.failAt(0, 'the path is empty');
  if (first.start !== 0) parser.failAt(0, 'the path starts with whitespace');
  if (first.kind !== 'word') parser.expected('an attribute path');
  parser.next();
  const path = parser.parsePath(first);
  const open = parser.peek();
  if (open.kind === 'end') {
    if (open.start !== first.end) parser.failAt(first.end, 'the path ends with whitespace');
    return { path };
  }
  if (open.kind !== '[') return parser.expected('"[" or the end of the path', open);
  if (open.start !== first.end) {
    parser.failAt(open.start, `"[" must follow the attribute name "${first.text}" without a space`);
  }
  if (path.subAttr !== undefined) {
    parser.failAt(first.start, `a value path's attribute cannot have a sub-attribute ("${first.text}")`);
  }
  parser.next();
  const valueFilter = parser.parseOr(true);
  const close = parser.expect(']', `"and", "or" or "]" closing the "[" at position ${open.start}`);
  const after = parser.peek();
  if (after.kind === 'end') {
    if (after.start !== close.end) parser.failAt(close.end, 'the path ends with whitespace');
    return { path, valueFilter };
  }
  if (after.kind !== 'word' || !after.text.startsWith('.') || after.start !== close.end) {
    return parser.expected('"." and a sub-attribute name, or the end of the path', after);
  }
  const subAttr = after.text.slice(1);
  if (!isAttributeName(subAttr))
    parser.failAt(after.start + 1, `"${subAttr}" is not a valid sub-attribute name`);
  parser.next();
  const end = parser.peek();
  if (end.kind !== 'end') parser.expected('the end of the path', end);
  if (end.start !== after.end) parser.failAt(after.end, 'the path ends with whitespace');
  return { path, valueFilter, subAttr };
}
