/**
 * PATCH operations that add or remove group members (RFC 7644 section 3.5.2), split so that no
 * operation carries more member values than a service provider accepts.
 */
import { filter } from '../filter/builder';
import type { PatchOperation } from '../models/patch-op';
import type { ScimGroupMemberLike } from './group-like';

/**
 * How member removals are written:
 *
 * - `'valuePath'`: one operation per member, `{ op: 'remove', path: 'members[value eq "id"]' }`
 *   (RFC 7644 section 3.5.2.2; every service provider understands it);
 * - `'valueArray'`: `{ op: 'remove', path: 'members', value: [{ value: 'id' }, …] }`, several members per
 *   operation (the form Microsoft Entra ID sends; cheaper, but not every service provider reads it).
 */
export type RemoveMembersForm = 'valuePath' | 'valueArray';

/** Options of {@link addMembersOps}. */
export interface AddMembersOptions {
  /**
   * The most member values one `add` operation carries; more members give more operations.
   * `Infinity` puts them all in one.
   *
   * @default 100
   */
  readonly maxMembersPerOperation?: number;
}

/** Options of {@link removeMembersOps}. */
export interface RemoveMembersOptions {
  /**
   * How removals are written; see {@link RemoveMembersForm}.
   *
   * @default 'valuePath'
   */
  readonly removeForm?: RemoveMembersForm;
  /**
   * With `removeForm: 'valueArray'`, the most member values one `remove` operation carries.
   * Ignored by `'valuePath'`, which always names one member per operation.
   *
   * @default 100
   */
  readonly maxMembersPerOperation?: number;
}

/** Default of {@link AddMembersOptions.maxMembersPerOperation} and {@link RemoveMembersOptions.maxMembersPerOperation}. */
export const DEFAULT_MAX_MEMBERS_PER_OPERATION = 100;

/**
 * Operations that add the given members to a group: `{ op: 'add', path: 'members', value: [{ value }, …] }`,
 * at most `maxMembersPerOperation` values each. A member given as an object keeps its `type` (`User` or
 * `Group`); `display` is not sent. Repeated ids are sent once. No ids: `[]`.
 *
 * @throws RangeError when `maxMembersPerOperation` is not a positive integer (or `Infinity`).
 * @example
 * ```ts
 * addMembersOps(['2819c223', '902c246b']);
 * // [{ op: 'add', path: 'members', value: [{ value: '2819c223' }, { value: '902c246b' }] }]
 * ```
 */
export function addMembersOps(
  members: readonly (string | ScimGroupMemberLike)[],
  options?: AddMembersOptions,
): PatchOperation[] {
  const limit = resolveMaxMembers(options?.maxMembersPerOperation);
  const values = uniqueMembers(members).map(toMemberValue);
  return chunk(values, limit).map((value) => ({ op: 'add', path: 'members', value }));
}

/**
 * Operations that remove the members with the given ids from a group, in the chosen
 * {@link RemoveMembersForm}. Ids are written into filters escaped, so an id holding `"` or `\`
 * cannot change the filter's meaning. Repeated ids are sent once. No ids: `[]`.
 *
 * @throws RangeError when `maxMembersPerOperation` is not a positive integer (or `Infinity`), or
 *   `removeForm` is not one of the two forms.
 * @example
 * ```ts
 * removeMembersOps(['2819c223']);
 * // [{ op: 'remove', path: 'members[value eq "2819c223"]' }]
 * removeMembersOps(['2819c223', '902c246b'], { removeForm: 'valueArray' });
 * // [{ op: 'remove', path: 'members', value: [{ value: '2819c223' }, { value: '902c246b' }] }]
 * ```
 */
export function removeMembersOps(ids: readonly string[], options?: RemoveMembersOptions): PatchOperation[] {
  const limit = resolveMaxMembers(options?.maxMembersPerOperation);
  const form = options?.removeForm ?? 'valuePath';
  const unique = [...new Set(ids)];
  switch (form) {
    case 'valuePath':
      return unique.map((id) => ({ op: 'remove', path: memberValuePath(id) }));
    case 'valueArray':
      return chunk(
        unique.map((id) => ({ value: id })),
        limit,
      ).map((value) => ({ op: 'remove', path: 'members', value }));
    default:
      throw new RangeError(`removeForm must be 'valuePath' or 'valueArray', got ${JSON.stringify(form)}`);
  }
}

/** `members[value eq "<id>"]`, with the id escaped by the filter builder. */
export function memberValuePath(id: string): string {
  return filter.valuePath('members', filter.eq('value', id)).toString();
}

/** @internal Checks and defaults a `maxMembersPerOperation` option. */
export function resolveMaxMembers(value: number | undefined): number {
  return resolvePositiveLimit('maxMembersPerOperation', value, DEFAULT_MAX_MEMBERS_PER_OPERATION);
}

/** @internal A limit option: a positive integer or `Infinity`, else a RangeError naming the option. */
export function resolvePositiveLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1)) return value;
  throw new RangeError(`${name} must be a positive integer or Infinity, got ${String(value)}`);
}

function uniqueMembers(members: readonly (string | ScimGroupMemberLike)[]): ScimGroupMemberLike[] {
  const seen = new Set<string>();
  const out: ScimGroupMemberLike[] = [];
  for (const member of members) {
    const normalized = typeof member === 'string' ? { value: member } : member;
    if (seen.has(normalized.value)) continue;
    seen.add(normalized.value);
    out.push(normalized);
  }
  return out;
}

function toMemberValue(member: ScimGroupMemberLike): { value: string; type?: string } {
  return member.type === undefined ? { value: member.value } : { value: member.value, type: member.type };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
