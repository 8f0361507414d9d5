/**
 * Group changes as PATCH requests within a service provider's limits: so many operations per
 * request, so many member values per operation.
 */
import type { PatchOp, PatchOperation } from '../models/patch-op';
import { SCHEMAS } from '../schemas';
import { diffGroupMembers } from './group-diff';
import type { ScimGroupLike } from './group-like';
import { addMembersOps, type RemoveMembersForm, removeMembersOps, resolvePositiveLimit } from './member-ops';

/** Default of {@link GroupPatchOptions.maxOperations}. */
export const DEFAULT_MAX_OPERATIONS = 10;

/** Options of {@link toPatchOps}. */
export interface PatchOpLimits {
  /**
   * The most operations one PATCH request carries; more operations give more requests.
   * `Infinity` puts them all in one.
   *
   * @default 10
   */
  readonly maxOperations?: number;
}

/** Options of {@link buildGroupPatches}. */
export interface GroupPatchOptions extends PatchOpLimits {
  /**
   * The most member values one `add` operation (or one `'valueArray'` removal) carries.
   *
   * @default 100
   */
  readonly maxMembersPerOperation?: number;
  /**
   * How member removals are written: `'valuePath'` (`members[value eq "id"]`, one operation per member,
   * RFC 7644 section 3.5.2.2) or `'valueArray'` (`path: 'members'` with `value: [{ value }, …]`, the
   * Microsoft Entra ID form).
   *
   * @default 'valuePath'
   */
  readonly removeForm?: RemoveMembersForm;
}

/**
 * Packs operations, in order, into PATCH request bodies of at most `maxOperations` operations each.
 * No operations: `[]` (no request to send).
 *
 * @throws RangeError when `maxOperations` is not a positive integer (or `Infinity`).
 * @example
 * ```ts
 * for (const body of toPatchOps(operations, { maxOperations: 20 })) await client.groups.patch(id, body);
 * ```
 */
export function toPatchOps(operations: readonly PatchOperation[], options?: PatchOpLimits): PatchOp[] {
  const limit = resolvePositiveLimit('maxOperations', options?.maxOperations, DEFAULT_MAX_OPERATIONS);
  const bodies: PatchOp[] = [];
  for (let start = 0; start < operations.length; start += limit) {
    bodies.push({ schemas: [SCHEMAS.PatchOp], Operations: operations.slice(start, start + limit) });
  }
  return bodies;
}

/**
 * The PATCH requests that turn group `current` into `desired`, to be sent in order: the same changes
 * as `diffGroups` (rename first, then member removals, then additions), with member values split into
 * operations of at most `maxMembersPerOperation` and operations into requests of at most
 * `maxOperations`. Members compare by `value`, exactly. Nothing differs: `[]`.
 *
 * With the defaults, removing 1,000 members takes 100 requests in the `'valuePath'` form (one member
 * per operation) and 1 request in the `'valueArray'` form (10 operations of 100 members).
 *
 * @throws RangeError when a limit is not a positive integer (or `Infinity`) or `removeForm` is unknown.
 * @example
 * ```ts
 * const bodies = buildGroupPatches(targetGroup, desiredGroup, { removeForm: 'valueArray', maxOperations: 5 });
 * for (const body of bodies) await client.groups.patch(targetGroup.id, body);
 * ```
 */
export function buildGroupPatches(
  current: ScimGroupLike,
  desired: ScimGroupLike,
  options?: GroupPatchOptions,
): PatchOp[] {
  const maxMembersPerOperation = options?.maxMembersPerOperation;
  const memberLimits = maxMembersPerOperation === undefined ? {} : { maxMembersPerOperation };
  const operations: PatchOperation[] = [];
  if (desired.displayName !== undefined && desired.displayName !== current.displayName) {
    operations.push({ op: 'replace', path: 'displayName', value: desired.displayName });
  }
  const { toAdd, toRemove } = diffGroupMembers(current, desired);
  operations.push(
    ...removeMembersOps(toRemove, { ...memberLimits, removeForm: options?.removeForm ?? 'valuePath' }),
  );
  operations.push(...addMembersOps(toAdd, memberLimits));
  const maxOperations = options?.maxOperations;
  return toPatchOps(operations, maxOperations === undefined ? {} : { maxOperations });
}
