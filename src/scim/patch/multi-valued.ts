/**
 * @internal Values of multi-valued attributes as PATCH application handles them (RFC 7644 section
 * 3.5.2): when two values are the same, which values a removal names, and the `primary` rule.
 */
import { findKey, isPlainObject } from '../attributes';
import { ScimProtocolError } from '../errors/ScimProtocolError';

/**
 * The multi-valued attributes of the RFC 7643 core schemas (User, Group), lower-case. Used only when
 * the resource does not have the attribute yet, to know that a single value should start a list.
 */
export const CORE_MULTI_VALUED = new Set([
  'schemas',
  'emails',
  'phonenumbers',
  'ims',
  'photos',
  'addresses',
  'groups',
  'entitlements',
  'roles',
  'x509certificates',
  'members',
]);

/** Deep equality of JSON values; object keys compare case-insensitively (RFC 7643 section 2.1). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const aKeys = Object.keys(a).filter((key) => a[key] !== undefined);
    const bKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    if (aKeys.length !== bKeys.length) return false;
    return aKeys.every((key) => {
      const other = findKey(b, key);
      return other !== undefined && jsonEqual(a[key], b[other]);
    });
  }
  return false;
}

function subAttribute(value: Record<string, unknown>, name: string): unknown {
  const key = findKey(value, name);
  return key === undefined ? undefined : value[key];
}

/**
 * True when `candidate` is a value `existing` already holds, so that adding it adds nothing new:
 *
 * - simple values: equal;
 * - complex values with a `value` sub-attribute: equal `value`s and no conflicting `type`
 *   (`{ value: 'a@x', type: 'work' }` and `{ value: 'a@x', type: 'home' }` are two emails;
 *   `{ value: 'id' }` and `{ value: 'id', display: 'Babs' }` are one member);
 * - other complex values: deep-equal.
 */
export function isSameValue(existing: unknown, candidate: unknown): boolean {
  if (!isPlainObject(existing) || !isPlainObject(candidate)) return jsonEqual(existing, candidate);
  const existingValue = subAttribute(existing, 'value');
  const candidateValue = subAttribute(candidate, 'value');
  if (existingValue === undefined || candidateValue === undefined) return jsonEqual(existing, candidate);
  if (!jsonEqual(existingValue, candidateValue)) return false;
  const existingType = subAttribute(existing, 'type');
  const candidateType = subAttribute(candidate, 'type');
  return existingType === undefined || candidateType === undefined || jsonEqual(existingType, candidateType);
}

/**
 * True when `removal`, one item of a `remove` operation's `value` (the Entra form
 * `{ op: 'remove', path: 'members', value: [{ value: 'id' }] }`), names `existing`: simple values are
 * equal, or every sub-attribute the removal states has the same value in `existing`.
 */
export function isNamedByRemoval(existing: unknown, removal: unknown): boolean {
  if (!isPlainObject(removal)) return jsonEqual(existing, removal);
  if (!isPlainObject(existing)) return false;
  return Object.keys(removal).every((key) => {
    if (removal[key] === undefined) return true;
    const existingKey = findKey(existing, key);
    return existingKey !== undefined && jsonEqual(existing[existingKey], removal[key]);
  });
}

/** Sub-attributes of `source` written over `target`'s, matched case-insensitively, `target`'s spelling kept. */
export function mergeSubAttributes(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const existingKey = findKey(target, key) ?? key;
    if (value === null) delete target[existingKey];
    else target[existingKey] = value;
  }
}

function isPrimary(value: unknown): boolean {
  return isPlainObject(value) && subAttribute(value, 'primary') === true;
}

/**
 * The `primary` rule of RFC 7644 section 3.5.2: an operation that sets `primary: true` on a value makes
 * every other value of the attribute `primary: false`.
 *
 * @param values the attribute's values after the operation (changed in place).
 * @param touched the values the operation added or changed.
 * @throws ScimProtocolError `invalidValue` when the operation made more than one value primary.
 */
export function enforceSinglePrimary(values: unknown[], touched: ReadonlySet<unknown>, label: string): void {
  const primaries = [...touched].filter((value) => values.includes(value) && isPrimary(value));
  if (primaries.length > 1) {
    throw new ScimProtocolError('invalidValue', `${label}: more than one value has "primary": true`);
  }
  const chosen = primaries[0];
  if (chosen === undefined) return;
  for (const value of values) {
    if (value === chosen || !isPrimary(value) || !isPlainObject(value)) continue;
    value[findKey(value, 'primary') ?? 'primary'] = false;
  }
}
