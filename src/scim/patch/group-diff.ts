/**
 * The difference between the group a target holds and the group it should hold, as PATCH
 * operations (RFC 7644 section 3.5.2).
 */
import type { PatchOperation } from '../models/patch-op';
import type { ScimGroupLike, ScimGroupMemberLike } from './group-like';
import { addMembersOps, type RemoveMembersForm, removeMembersOps } from './member-ops';

/** The member changes that take `current` to `desired`. */
export interface GroupMemberChanges {
  /** Members of `desired` that `current` lacks, in `desired`'s order, each once. */
  readonly toAdd: readonly ScimGroupMemberLike[];
  /** `value`s of members of `current` that `desired` lacks, in `current`'s order, each once. */
  readonly toRemove: readonly string[];
}

/** Options of {@link diffGroups}. */
export interface DiffGroupsOptions {
  /**
   * How member removals are written: `'valuePath'` gives one operation per member,
   * `{ op: 'remove', path: 'members[value eq "id"]' }` (RFC 7644 section 3.5.2.2, understood by every
   * service provider); `'valueArray'` gives one operation for all of them,
   * `{ op: 'remove', path: 'members', value: [{ value: 'id' }, …] }` (the form Microsoft Entra ID sends).
   *
   * @default 'valuePath'
   */
  readonly removeForm?: RemoveMembersForm;
}

/**
 * Which members to add and which to remove so that `current` gets exactly `desired`'s member set.
 * Members are compared by `value`, exactly (ids are case-sensitive); duplicates count once.
 *
 * @example
 * ```ts
 * diffGroupMembers({ members: [{ value: 'a' }, { value: 'b' }] }, { members: [{ value: 'b' }, { value: 'c' }] });
 * // { toAdd: [{ value: 'c' }], toRemove: ['a'] }
 * ```
 */
export function diffGroupMembers(current: ScimGroupLike, desired: ScimGroupLike): GroupMemberChanges {
  const currentValues = new Set((current.members ?? []).map((member) => member.value));
  const desiredValues = new Set<string>();
  const toAdd: ScimGroupMemberLike[] = [];
  for (const member of desired.members ?? []) {
    if (desiredValues.has(member.value)) continue;
    desiredValues.add(member.value);
    if (!currentValues.has(member.value)) toAdd.push(member);
  }
  const toRemove: string[] = [];
  for (const value of currentValues) {
    if (!desiredValues.has(value)) toRemove.push(value);
  }
  return { toAdd, toRemove };
}

/**
 * The smallest list of PATCH operations that turns `current` into `desired`:
 *
 * 1. `{ op: 'replace', path: 'displayName', value }` when the desired name is given and differs
 *    (exactly: a change of case is a rename);
 * 2. removals of the members `desired` lacks (see {@link DiffGroupsOptions.removeForm});
 * 3. one `{ op: 'add', path: 'members', value: [{ value }, …] }` with the members `current` lacks.
 *
 * Removals come before additions, so that a request cut short never leaves a member in the group
 * that should have left it while newcomers were added. Nothing differs: `[]`.
 *
 * The operations are not split; use `buildGroupPatches` to get PATCH requests within a service
 * provider's limits.
 *
 * @example
 * ```ts
 * const operations = diffGroups(targetGroup, { displayName: 'Sales', members: [{ value: userId }] });
 * await client.groups.patch(targetGroup.id, operations);
 * ```
 */
export function diffGroups(
  current: ScimGroupLike,
  desired: ScimGroupLike,
  options?: DiffGroupsOptions,
): PatchOperation[] {
  const operations: PatchOperation[] = [];
  if (desired.displayName !== undefined && desired.displayName !== current.displayName) {
    operations.push({ op: 'replace', path: 'displayName', value: desired.displayName });
  }
  const { toAdd, toRemove } = diffGroupMembers(current, desired);
  const unlimited = { maxMembersPerOperation: Number.POSITIVE_INFINITY };
  operations.push(
    ...removeMembersOps(toRemove, { ...unlimited, removeForm: options?.removeForm ?? 'valuePath' }),
  );
  operations.push(...addMembersOps(toAdd, unlimited));
  return operations;
}
