/**
 * The operations a cycle plans and applies, and the plan that lists them.
 *
 * @module
 */
import type { StateChange } from './state/changes';
import type { TargetGroup, TargetUser } from './target';

/** Why a user or group is removed. */
export type RemovalReason =
  /** The source account is disabled. */
  | 'disabled'
  /** The source object was deleted, or left the scope (filter, group, base DN). */
  | 'removed'
  /** `deprovisionAll()` was called ("deprovision on rule deletion"). */
  | 'deprovisionAll';

/** Why a user or group is created or linked. */
export type CreateReason =
  /** The engine meets the source object for the first time. */
  | 'new'
  /** The state had it, but the target no longer has it (deleted by someone else): re-created. */
  | 'missingInTarget';

/** Why a provisioned user or group is updated. */
export type UpdateReason =
  /** A mapped attribute changed in the source (the hash in the state differs). */
  | 'changed'
  /** The target's values differ from the mapped ones (changed in the target; full cycles only). */
  | 'drift';

/** Create a target user (`POST /Users`). */
export interface CreateUserOperation {
  readonly op: 'create';
  readonly sourceId: string;
  readonly userName: string;
  /** Whether the user is created active (`false`: a disabled source user with `provisionDisabled`). */
  readonly active: boolean;
  readonly reason: CreateReason;
  /** The hash of the mapped attributes, stored once created. */
  readonly hash: string;
  /**
   * The target id of a departed user with the same match key, deleted before this create (a
   * re-hire with `removeAction: 'delete'`): groups holding it get the new user instead.
   */
  readonly replaces?: string;
}

/** Link a source user to an existing target user with the same match key; write it if it differs. */
export interface LinkUserOperation {
  readonly op: 'link';
  readonly sourceId: string;
  readonly targetId: string;
  readonly userName: string;
  readonly active: boolean;
  readonly reason: CreateReason;
  readonly hash: string;
  /** The target user found. */
  readonly existing: TargetUser;
  /** Whether its attributes or status differ from the mapped ones, so that a PUT is sent. */
  readonly write: boolean;
}

/** Replace a provisioned user (GET, merge, `PUT /Users/{id}`): attributes changed, or drift. */
export interface UpdateUserOperation {
  readonly op: 'update';
  readonly sourceId: string;
  readonly targetId: string;
  readonly userName: string;
  /** The status to write (unchanged from the state). */
  readonly active: boolean;
  readonly reason: UpdateReason;
  readonly hash: string;
  /** The user as the target has it, when a listing gave it (no GET then). */
  readonly current: TargetUser | undefined;
}

/** Re-enable a user disabled by the engine (`active: true`, with its current attributes). */
export interface EnableUserOperation {
  readonly op: 'enable';
  readonly sourceId: string;
  readonly targetId: string;
  readonly userName: string;
  readonly hash: string;
  readonly current: TargetUser | undefined;
}

/** Disable a user (`active: false`; `removeAction: 'disable'`). A removal. */
export interface DisableUserOperation {
  readonly op: 'disable';
  readonly sourceId: string;
  readonly targetId: string;
  readonly userName: string;
  readonly reason: RemovalReason;
  /** The new hash when the source user is still read (its attributes are written too), else the state's. */
  readonly hash: string;
  /** Whether the mapped attributes are written along (the source user was read and updates are on). */
  readonly withAttributes: boolean;
  readonly current: TargetUser | undefined;
}

/** Delete a user (`DELETE /Users/{id}`; `removeAction: 'delete'`). A removal. */
export interface DeleteUserOperation {
  readonly op: 'delete';
  readonly sourceId: string;
  readonly targetId: string;
  readonly userName: string;
  readonly reason: RemovalReason;
}

/** One planned user operation. */
export type UserOperation =
  | CreateUserOperation
  | LinkUserOperation
  | UpdateUserOperation
  | EnableUserOperation
  | DisableUserOperation
  | DeleteUserOperation;

/**
 * A group member to write: a provisioned user or group, by source id. `targetId` is known when the
 * member is provisioned already; a member created in the same cycle gets it when applied.
 */
export interface MemberRef {
  readonly sourceId: string;
  readonly type: 'User' | 'Group';
  readonly targetId: string | undefined;
}

/** Create a target group (`POST /Groups`, with its members). */
export interface CreateGroupOperation {
  readonly op: 'create';
  readonly sourceId: string;
  readonly displayName: string;
  readonly reason: CreateReason;
  readonly hash: string;
  readonly members: readonly MemberRef[];
}

/** Link a source group to the target group with the same displayName. */
export interface LinkGroupOperation {
  readonly op: 'link';
  readonly sourceId: string;
  readonly targetId: string;
  readonly displayName: string;
  readonly reason: CreateReason;
  readonly hash: string;
  readonly existing: TargetGroup;
}

/** Rename a group (PATCH `replace` of its mapped attributes, displayName among them). */
export interface RenameGroupOperation {
  readonly op: 'rename';
  readonly sourceId: string;
  readonly targetId: string;
  readonly from: string;
  readonly displayName: string;
  readonly hash: string;
}

/** Update a group's mapped attributes other than its name (PATCH `replace`). */
export interface UpdateGroupOperation {
  readonly op: 'update';
  readonly sourceId: string;
  readonly targetId: string;
  readonly displayName: string;
  readonly reason: UpdateReason;
  readonly hash: string;
}

/**
 * Set a group's members: remove `remove`, add `add`. With `current: 'read'`, the target's member list
 * is read first (a linked group whose members were not listed) and the difference taken then.
 */
export interface GroupMembersOperation {
  readonly op: 'members';
  readonly sourceId: string;
  readonly targetId: string | undefined;
  readonly displayName: string;
  readonly add: readonly MemberRef[];
  /** Target ids of members to remove. */
  readonly remove: readonly string[];
  /** `'known'`: `add`/`remove` are the difference; `'read'`: read the group, then make it `wanted`. */
  readonly current: 'known' | 'read';
  /** Every member the group should have (for `current: 'read'`). */
  readonly wanted: readonly MemberRef[];
  /**
   * Target ids of members whose removal is held with a held removal (a held user, a group whose
   * delete is held): not removed, though the group should no longer hold them. With
   * `current: 'known'`, the held ones this group holds; with `'read'`, every held member (the
   * group's members are not known yet). Empty when nothing is held.
   */
  readonly keep: readonly string[];
}

/** Delete a group (`DELETE /Groups/{id}`, permanent). A removal. */
export interface DeleteGroupOperation {
  readonly op: 'delete';
  readonly sourceId: string;
  readonly targetId: string;
  readonly displayName: string;
  readonly reason: RemovalReason;
}

/** One planned group operation. */
export type GroupOperation =
  | CreateGroupOperation
  | LinkGroupOperation
  | RenameGroupOperation
  | UpdateGroupOperation
  | GroupMembersOperation
  | DeleteGroupOperation;

/** The kinds of operation, as reports and events name them. */
export type OperationKind = UserOperation['op'] | GroupOperation['op'];

/** An operation a toggle turned off (or a target that cannot do it): reported, not sent. */
export interface SkippedOperation {
  readonly kind: 'user' | 'group';
  readonly op: OperationKind;
  readonly sourceId: string;
  /** Why, e.g. `users.create is off`. */
  readonly because: string;
}

/** Removals held by the deletion threshold. */
export interface HeldRemovals {
  /** How many removals the cycle would have made (user disables and deletes, group deletes). */
  readonly count: number;
  /** How many were allowed. */
  readonly limit: number;
  /** Why: over the threshold, or a source that returned no user while users are provisioned. */
  readonly because: 'threshold' | 'emptySource';
  /** Source ids of the users that would have been removed. */
  readonly users: readonly string[];
  /** Source ids of the groups that would have been deleted. */
  readonly groups: readonly string[];
  /**
   * Group member removals held with them: members that are held users or groups whose delete is
   * held stay in their groups (one per group and member). They are planned again next cycle.
   */
  readonly memberRemovals: number;
}

/**
 * A source object that could not be planned: its mapping failed (`MappingError`), or it clashes
 * with another source object (`MatchConflictError`). Reported as a failure.
 */
export interface PlanningFailure {
  readonly kind: 'user' | 'group';
  readonly sourceId: string;
  readonly error: Error;
}

/**
 * What a cycle would do: every operation in the order it is applied (users before groups within
 * `users` and `groups`, removals last), what is skipped and held, and what is unchanged.
 *
 * @example
 * ```ts
 * const plan = await engine.plan();
 * for (const operation of plan.users) console.log(operation.op, operation.sourceId);
 * if (plan.held) console.warn(`${plan.held.count} removals would be held`);
 * ```
 */
export interface ProvisioningPlan {
  /** `full` (the whole source, reconciled against the target), `incremental` (changes only), `single`, `deprovisionAll`. */
  readonly mode: 'full' | 'incremental' | 'single' | 'deprovisionAll';
  /** User operations: creates, links, updates and re-enables, then removals. */
  readonly users: readonly UserOperation[];
  /** Group operations: creates, links, renames and updates, memberships, then deletes. */
  readonly groups: readonly GroupOperation[];
  /** Operations not sent because an option turned them off. */
  readonly skipped: readonly SkippedOperation[];
  /** Removals held by the deletion threshold, when any. */
  readonly held: HeldRemovals | undefined;
  /** Objects whose mapping failed. */
  readonly failures: readonly PlanningFailure[];
  /** Provisioned objects that need nothing. */
  readonly unchanged: { readonly users: number; readonly groups: number };
  /** State-only changes (a forgotten entry, an abandoned create), with no request. */
  readonly housekeeping: readonly StateChange[];
  /** Things worth knowing found while planning. */
  readonly warnings: readonly EngineWarning[];
}

/** A warning: something the engine could not do or noticed, that does not fail the cycle. */
export interface EngineWarning {
  /**
   * - `groupCreateRefused` / `groupDeleteRefused`: the target cannot create or delete groups;
   * - `missingInTarget`: a provisioned object was deleted in the target and is not re-created
   *   (creates are off, or it is a disabled user);
   * - `pendingCreateAbandoned`: an interrupted create of an object that is no longer in scope;
   * - `nullRejected`: the target refuses `null` in a PUT; attributes are cleared by omission;
   * - `attributeNotRetained`: the target answered a user POST or PUT without mapped attributes it
   *   was sent (it drops them silently); they are left out of drift comparison from then on;
   * - `duplicateInTarget`: a full cycle's listing shows other groups with a provisioned group's
   *   displayName, linked to no source group (e.g. a create the target carried out after the client
   *   gave up on it and created the group again); they are reported, never deleted;
   * - `listingMissedObject`: a full cycle's listing did not hold a provisioned object the target
   *   still has when read by its id (a listing that is short or wrong); it is not created again.
   */
  readonly code:
    | 'groupCreateRefused'
    | 'groupDeleteRefused'
    | 'missingInTarget'
    | 'pendingCreateAbandoned'
    | 'nullRejected'
    | 'attributeNotRetained'
    | 'duplicateInTarget'
    | 'listingMissedObject';
  readonly message: string;
  readonly kind?: 'user' | 'group';
  readonly sourceId?: string;
}
