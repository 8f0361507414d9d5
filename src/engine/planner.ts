/**
 * The planner: state + source objects + what is known of the target in, operations out. Pure: no
 * I/O, no clock, nothing of its input is modified, the same input gives the same plan.
 *
 * Users are planned first. Groups are planned against the users as they stand once the user
 * operations are applied (in a dry run: as they would stand), since only provisioned users can
 * be members.
 *
 * @module
 */
import type { SourceGroup, SourceUser } from '../datastore/types';
import { MatchConflictError } from './errors/MatchConflictError';
import type { CompiledMapping } from './mapping/compile';
import { driftedAttributes } from './mapping/drift';
import type { MappedResource } from './mapping/map';
import { groupKey, groupKeyOfTarget, type UserMatcher } from './match';
import type {
  CreateGroupOperation,
  EngineWarning,
  GroupOperation,
  MemberRef,
  PlanningFailure,
  RemovalReason,
  SkippedOperation,
  UserOperation,
} from './operations';
import type { ResolvedEngineOptions } from './options';
import type { StateChange } from './state/changes';
import type { ProvisioningState, UserState } from './state/types';
import type { TargetGroup, TargetUser } from './target';
import type { TargetIndex } from './target-index';

/** What a user should be in the target. */
export type DesiredUser = 'active' | 'inactive' | 'absent';

/**
 * What a source user should be in the target, given whether it is provisioned:
 *
 * - enabled: active;
 * - disabled, `removeAction: 'delete'`: absent (a disabled user is one to remove, and one the
 *   engine deleted is never re-created, whatever `provisionDisabled` says);
 * - disabled, `removeAction: 'disable'`: inactive when provisioned, or when `provisionDisabled`;
 *   otherwise absent (not created).
 */
export function desiredUser(
  user: Pick<SourceUser, 'disabled'>,
  provisioned: boolean,
  options: ResolvedEngineOptions['users'],
): DesiredUser {
  if (!user.disabled) return 'active';
  if (options.removeAction === 'delete') return 'absent';
  return provisioned || options.provisionDisabled ? 'inactive' : 'absent';
}

/** What the user planner works from. */
export interface UserPlanInput {
  readonly state: ProvisioningState;
  /** Users read from the source (all in scope, or the changed ones). */
  readonly users: ReadonlyMap<string, SourceUser>;
  /** Source ids no longer in scope. */
  readonly removed: readonly string[];
  /** Each read user's mapping (users whose mapping failed are absent). */
  readonly mapped: ReadonlyMap<string, MappedResource>;
  readonly options: ResolvedEngineOptions['users'];
  readonly matcher: UserMatcher;
  /** The mapping the values were made with (for drift). */
  readonly compiled: CompiledMapping;
  /** The target's users (a complete listing in full cycles, possibly a partial one otherwise). */
  readonly listing: TargetIndex<TargetUser> | undefined;
  /** Lookup results for users the listing could not settle: the target user, or `undefined` for none. */
  readonly lookups: ReadonlyMap<string, TargetUser | undefined>;
  /** Mapping keys the target does not retain, left out of drift comparison. */
  readonly notRetained?: ReadonlySet<string>;
}

/** The users part of a plan. */
export interface UserPlan {
  /** Creates, links, updates and re-enables. */
  readonly upserts: UserOperation[];
  /** Disables and deletes. */
  readonly removals: UserOperation[];
  readonly skipped: SkippedOperation[];
  unchanged: number;
  readonly housekeeping: StateChange[];
  readonly warnings: EngineWarning[];
  /** Source users that clash with another over a match key or a target user. */
  readonly failures: PlanningFailure[];
  /**
   * Departed source ids (`removeAction: 'delete'`) whose delete in `removals` is applied before the
   * upserts: a newcomer with their match key (a re-hire) is created once their target user is gone.
   */
  readonly deleteFirst: Set<string>;
}

/**
 * The users a cycle must look up in the target before planning: read users without a state entry
 * that should exist in the target and that the listing (if any) cannot settle.
 */
export function usersToMatch(input: Omit<UserPlanInput, 'lookups'>): string[] {
  const out: string[] = [];
  for (const user of input.users.values()) {
    const mapped = input.mapped.get(user.id);
    if (mapped === undefined || input.state.users.has(user.id)) continue;
    if (desiredUser(user, false, input.options) === 'absent') continue;
    if (input.listing?.complete === true) continue;
    if (matchInIndex(input, user, mapped) !== undefined) continue;
    out.push(user.id);
  }
  return out;
}

/** Plans the user operations. */
export function planUsers(input: UserPlanInput): UserPlan {
  const { state, options, listing } = input;
  const plan: UserPlan = {
    upserts: [],
    removals: [],
    skipped: [],
    unchanged: 0,
    housekeeping: [],
    warnings: [],
    failures: [],
    deleteFirst: new Set(),
  };
  // Target id -> source id of every provisioned user: built on first use, as only a plan that
  // matches newcomers needs it (a cycle of updates would copy every user for nothing).
  let claimedMap: Map<string, string> | undefined;
  const claimed = (): Map<string, string> => {
    if (claimedMap === undefined) {
      claimedMap = new Map();
      for (const [sourceId, entry] of state.users) claimedMap.set(entry.targetId, sourceId);
    }
    return claimedMap;
  };
  /** userName (lower-cased) -> source id of the users created in this plan. */
  const creating = new Map<string, string>();
  const skip = (op: UserOperation['op'], sourceId: string, because: string) =>
    plan.skipped.push({ kind: 'user', op, sourceId, because });
  /**
   * Provisioned users gone from the source, with their planned removal. A newcomer matching the
   * target user of one whose removal is not a delete takes that target user over (a re-hire: same
   * key, new source id); see {@link mayTakeOver}.
   */
  const departed = new Map<string, ReturnType<typeof planUserRemoval>>();
  for (const sourceId of input.removed) {
    const entry = state.users.get(sourceId);
    if (entry !== undefined && !input.users.has(sourceId))
      departed.set(sourceId, planUserRemoval(sourceId, entry, 'removed', options, listing));
  }
  /** Departed source ids whose target user a newcomer took over. */
  const takenOver = new Set<string>();

  for (const user of input.users.values()) {
    const mapped = input.mapped.get(user.id);
    if (mapped === undefined) continue;
    const userName = String(mapped.resource.userName);
    const stored = state.users.get(user.id);
    const listed = stored === undefined ? undefined : listing?.byId.get(stored.targetId);
    const missing = stored !== undefined && listing?.complete === true && listed === undefined;
    const entry = missing ? undefined : stored;
    const desired = desiredUser(user, stored !== undefined, options);

    if (entry === undefined) {
      if (desired === 'absent' || (missing && desired === 'inactive' && !options.provisionDisabled)) {
        if (stored !== undefined) {
          plan.housekeeping.push({ type: 'removeUser', sourceId: user.id });
          if (desired !== 'absent') {
            plan.warnings.push({
              code: 'missingInTarget',
              kind: 'user',
              sourceId: user.id,
              message: `User ${user.id} (${stored.userName}) was deleted in the target and is disabled in the source: not re-created`,
            });
          }
        } else if (state.pending.users.has(user.id)) {
          plan.housekeeping.push({ type: 'abandonCreate', kind: 'user', sourceId: user.id });
        }
        continue;
      }
      const active = desired === 'active';
      const reason = missing ? 'missingInTarget' : 'new';
      let match = findUserMatch(input, user, mapped);
      /** The target user deleted first for this newcomer (a re-hire, `removeAction: 'delete'`). */
      let replaces: string | undefined;
      const matchOwner = typeof match?.id === 'string' ? claimed().get(match.id) : undefined;
      if (matchOwner !== undefined && matchOwner !== user.id && deletesFirst(departed.get(matchOwner))) {
        replaces = match?.id;
        match = undefined;
      }
      if (match !== undefined && typeof match.id === 'string') {
        const owner = claimed().get(match.id);
        const takeOver = owner !== undefined && owner !== user.id && mayTakeOver(departed.get(owner));
        if (owner !== undefined && owner !== user.id && !takeOver) {
          plan.failures.push({
            kind: 'user',
            sourceId: user.id,
            error: new MatchConflictError({
              kind: 'user',
              sourceId: user.id,
              otherSourceId: owner,
              key: userName,
              targetId: match.id,
            }),
          });
          continue;
        }
        if (takeOver) {
          takenOver.add(owner);
          plan.housekeeping.push({ type: 'removeUser', sourceId: owner });
        }
        claimed().set(match.id, user.id);
        const write = options.update && userDiffers(match, mapped, active, input.compiled, input.notRetained);
        plan.upserts.push({
          op: 'link',
          sourceId: user.id,
          targetId: match.id,
          userName,
          active,
          reason,
          hash: mapped.hash,
          existing: match,
          write,
        });
        continue;
      }
      if (!options.create) {
        skip('create', user.id, 'users.create is off');
        if (stored !== undefined) {
          plan.housekeeping.push({ type: 'removeUser', sourceId: user.id });
          plan.warnings.push({
            code: 'missingInTarget',
            kind: 'user',
            sourceId: user.id,
            message: `User ${user.id} (${stored.userName}) was deleted in the target; users.create is off, so it is not re-created`,
          });
        }
        continue;
      }
      const twin = creating.get(userName.toLowerCase());
      if (twin !== undefined) {
        plan.failures.push({
          kind: 'user',
          sourceId: user.id,
          error: new MatchConflictError({
            kind: 'user',
            sourceId: user.id,
            otherSourceId: twin,
            key: userName,
          }),
        });
        continue;
      }
      creating.set(userName.toLowerCase(), user.id);
      if (replaces !== undefined && matchOwner !== undefined) {
        plan.deleteFirst.add(matchOwner);
        plan.upserts.push({
          op: 'create',
          sourceId: user.id,
          userName,
          active,
          reason,
          hash: mapped.hash,
          replaces,
        });
      } else {
        plan.upserts.push({ op: 'create', sourceId: user.id, userName, active, reason, hash: mapped.hash });
      }
      continue;
    }

    const changed = mapped.hash !== entry.hash;
    if (desired === 'absent') {
      if (options.delete) {
        plan.removals.push({
          op: 'delete',
          sourceId: user.id,
          targetId: entry.targetId,
          userName: entry.userName,
          reason: 'disabled',
        });
      } else skip('delete', user.id, 'users.delete is off');
      continue;
    }
    if (desired === 'inactive' && entry.status === 'active') {
      if (options.disable) {
        plan.removals.push({
          op: 'disable',
          sourceId: user.id,
          targetId: entry.targetId,
          userName: entry.userName,
          reason: 'disabled',
          hash: options.update ? mapped.hash : entry.hash,
          withAttributes: options.update && changed,
          current: listed,
        });
      } else skip('disable', user.id, 'users.disable is off');
      continue;
    }
    if (desired === 'active' && entry.status === 'disabled') {
      if (options.update) {
        plan.upserts.push({
          op: 'enable',
          sourceId: user.id,
          targetId: entry.targetId,
          userName,
          hash: mapped.hash,
          current: listed,
        });
      } else skip('enable', user.id, 'users.update is off');
      continue;
    }
    const active = entry.status === 'active';
    const drift =
      !changed &&
      listed !== undefined &&
      userDiffers(listed, mapped, active, input.compiled, input.notRetained);
    if (!changed && !drift) {
      plan.unchanged += 1;
      continue;
    }
    if (!options.update) {
      skip('update', user.id, 'users.update is off');
      continue;
    }
    plan.upserts.push({
      op: 'update',
      sourceId: user.id,
      targetId: entry.targetId,
      userName,
      active,
      reason: changed ? 'changed' : 'drift',
      hash: mapped.hash,
      current: listed,
    });
  }

  for (const sourceId of input.removed) {
    if (takenOver.has(sourceId)) continue;
    const entry = state.users.get(sourceId);
    if (entry === undefined) {
      if (state.pending.users.has(sourceId)) abandonPendingCreate(plan, 'user', sourceId);
      continue;
    }
    const removal = departed.get(sourceId) ?? planUserRemoval(sourceId, entry, 'removed', options, listing);
    if (removal === 'forget') plan.housekeeping.push({ type: 'removeUser', sourceId });
    else if (removal === 'none') plan.unchanged += 1;
    else if ('because' in removal) plan.skipped.push(removal);
    else plan.removals.push(removal);
  }
  return plan;
}

/**
 * The removal of one provisioned user: a disable or a delete per `removeAction`, `'none'` when it is
 * disabled already (`removeAction: 'disable'`), `'forget'` when the target no longer has it, or the
 * skipped operation when its toggle is off.
 */
export function planUserRemoval(
  sourceId: string,
  entry: UserState,
  reason: RemovalReason,
  options: ResolvedEngineOptions['users'],
  listing: TargetIndex<TargetUser> | undefined,
): UserOperation | SkippedOperation | 'none' | 'forget' {
  if (listing?.complete === true && !listing.byId.has(entry.targetId)) return 'forget';
  if (options.removeAction === 'delete') {
    if (!options.delete) return { kind: 'user', op: 'delete', sourceId, because: 'users.delete is off' };
    return { op: 'delete', sourceId, targetId: entry.targetId, userName: entry.userName, reason };
  }
  if (entry.status === 'disabled') return 'none';
  if (!options.disable) return { kind: 'user', op: 'disable', sourceId, because: 'users.disable is off' };
  return {
    op: 'disable',
    sourceId,
    targetId: entry.targetId,
    userName: entry.userName,
    reason,
    hash: entry.hash,
    withAttributes: false,
    current: listing?.byId.get(entry.targetId),
  };
}

/**
 * Whether a newcomer may take over the target user of a provisioned user gone from the source
 * (its planned removal is given; `undefined`: the owner is not gone, two live users clash). Not
 * when that target user is deleted this cycle (`removeAction: 'delete'`): the newcomer is then
 * created once the delete is applied. Not when the target no longer has it (`'forget'`).
 */
function mayTakeOver(removal: ReturnType<typeof planUserRemoval> | undefined): boolean {
  if (removal === undefined || removal === 'forget') return false;
  if (removal === 'none') return true;
  if ('because' in removal) return true;
  return removal.op !== 'delete';
}

/** Whether a departed user's planned removal is a delete, to apply before a newcomer with its key is created. */
function deletesFirst(removal: ReturnType<typeof planUserRemoval> | undefined): boolean {
  return removal !== undefined && typeof removal === 'object' && 'op' in removal && removal.op === 'delete';
}

function findUserMatch(
  input: UserPlanInput,
  user: SourceUser,
  mapped: MappedResource,
): TargetUser | undefined {
  if (input.lookups.has(user.id)) return input.lookups.get(user.id);
  return matchInIndex(input, user, mapped);
}

function matchInIndex(
  input: Omit<UserPlanInput, 'lookups'>,
  user: SourceUser,
  mapped: MappedResource,
): TargetUser | undefined {
  const listing = input.listing;
  if (listing === undefined) return undefined;
  const { matcher } = input;
  if (matcher.indexable) {
    const key = matcher.keyOf(user, mapped.resource);
    if (key === undefined) return undefined;
    return listing.byKey.get(key)?.find((candidate) => matcher.matches(candidate, user));
  }
  return listing.all.find((candidate) => matcher.matches(candidate, user));
}

/** Whether a target user's mapped attributes or status differ from what the engine would write. */
function userDiffers(
  target: TargetUser,
  mapped: MappedResource,
  active: boolean,
  compiled: CompiledMapping,
  notRetained: ReadonlySet<string> | undefined,
): boolean {
  if (activeOf(target) !== active) return true;
  return driftedAttributes(target, mapped, compiled, notRetained).length > 0;
}

/** A target user's `active`; RFC 7643 leaves a missing one to the service, taken here as active. */
export function activeOf(resource: Readonly<Record<string, unknown>>): boolean {
  const value = resource.active;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.toLowerCase() !== 'false';
  return true;
}

// ------------------------------------------------------------------------------------------------
// Groups

/** What the group planner works from. */
export interface GroupPlanInput {
  readonly state: ProvisioningState;
  /** Groups read from the source. */
  readonly groups: ReadonlyMap<string, SourceGroup>;
  /** Each read group's mapping (groups whose mapping failed are absent). */
  readonly mapped: ReadonlyMap<string, MappedResource>;
  /** The group removals, from {@link planGroupRemovals} (empty when held). */
  readonly removals: GroupRemovalPlan;
  /**
   * Users that will be provisioned once the user operations are applied: source id -> target id
   * (`undefined` for a user being created in a dry run). Users being deleted are not in it.
   */
  readonly provisionedUsers: Pick<ReadonlyMap<string, string | undefined>, 'has' | 'get'>;
  /**
   * Target ids of users that are no longer members anywhere: deleted this cycle, or gone from the
   * scope (incremental cycles fix the groups the source did not report as changed).
   */
  readonly staleMembers: ReadonlySet<string>;
  /**
   * Target ids of members whose removal follows from a held removal (held users, groups whose
   * delete is held): they stay in their groups this cycle. Empty when nothing is held.
   */
  readonly heldMembers: ReadonlySet<string>;
  /** Users given a new target id this cycle (re-created): old id -> new id. */
  readonly retargeted: ReadonlyMap<string, { readonly sourceId: string; readonly targetId: string }>;
  /** Group source ids no longer in scope (their fate is in `removals`). */
  readonly notInScope: ReadonlySet<string>;
  readonly options: ResolvedEngineOptions['groups'];
  readonly compiled: CompiledMapping;
  /** The target's groups (a complete listing in full cycles). */
  readonly listing: TargetIndex<TargetGroup> | undefined;
  /** Lookup results for groups the listing could not settle. */
  readonly lookups: ReadonlyMap<string, TargetGroup | undefined>;
  /** The target refused a group create before: creates are skipped with a warning. */
  readonly createRefused: boolean;
}

/** The groups part of a plan. */
export interface GroupPlan {
  /** Creates, links, renames and updates. */
  readonly upserts: GroupOperation[];
  /** Membership changes. */
  readonly memberships: GroupOperation[];
  /** Deletes. */
  readonly removals: GroupOperation[];
  readonly skipped: SkippedOperation[];
  unchanged: number;
  readonly housekeeping: StateChange[];
  readonly warnings: EngineWarning[];
  /** Source groups that clash with another over a displayName or a target group. */
  readonly failures: PlanningFailure[];
  /**
   * Member removals left out because they follow from a held removal (members of `current: 'known'`
   * operations; a `'read'` operation's are counted when it is applied).
   */
  heldMemberRemovals: number;
}

/** The group removals of a cycle, planned before anything is applied (they count towards the threshold). */
export interface GroupRemovalPlan {
  readonly removals: GroupOperation[];
  readonly skipped: SkippedOperation[];
  readonly housekeeping: StateChange[];
  readonly warnings: EngineWarning[];
}

/** Plans the deletes of provisioned groups that are gone from the source. */
export function planGroupRemovals(
  state: ProvisioningState,
  removed: readonly string[],
  options: ResolvedEngineOptions['groups'],
  listing: TargetIndex<TargetGroup> | undefined,
  reason: RemovalReason = 'removed',
): GroupRemovalPlan {
  const plan: GroupRemovalPlan = { removals: [], skipped: [], housekeeping: [], warnings: [] };
  for (const sourceId of removed) {
    const entry = state.groups.get(sourceId);
    if (entry === undefined) {
      if (state.pending.groups.has(sourceId)) abandonPendingCreate(plan, 'group', sourceId);
      continue;
    }
    if (listing?.complete === true && !listing.byId.has(entry.targetId)) {
      plan.housekeeping.push({ type: 'removeGroup', sourceId });
      continue;
    }
    if (!options.delete) {
      plan.skipped.push({ kind: 'group', op: 'delete', sourceId, because: 'groups.delete is off' });
      continue;
    }
    plan.removals.push({
      op: 'delete',
      sourceId,
      targetId: entry.targetId,
      displayName: entry.displayName,
      reason,
    });
  }
  return plan;
}

/** Plans creates, links, renames, updates and memberships of groups. */
export function planGroups(input: GroupPlanInput): GroupPlan {
  const { state, options, listing } = input;
  const plan: GroupPlan = {
    upserts: [],
    memberships: [],
    removals: [...input.removals.removals],
    skipped: [...input.removals.skipped],
    unchanged: 0,
    housekeeping: [...input.removals.housekeeping],
    warnings: [...input.removals.warnings],
    failures: [],
    heldMemberRemovals: 0,
  };
  const deleted = new Set(input.removals.removals.map((operation) => operation.sourceId));
  const claimed = new Map<string, string>();
  for (const [sourceId, entry] of state.groups) claimed.set(entry.targetId, sourceId);

  // Pass 1: which groups exist (or will) in the target, and under which id.
  const groupTargets = new Map<string, string | undefined>();
  for (const [sourceId, entry] of state.groups)
    if (!deleted.has(sourceId)) groupTargets.set(sourceId, entry.targetId);
  interface Decided {
    readonly group: SourceGroup;
    readonly mapped: MappedResource;
    readonly entryTargetId: string | undefined;
    readonly listed: TargetGroup | undefined;
    readonly linked: TargetGroup | undefined;
    readonly created: boolean;
  }
  const decided: Decided[] = [];
  const creatingGroups = new Map<string, string>();
  for (const group of input.groups.values()) {
    const mapped = input.mapped.get(group.id);
    if (mapped === undefined) continue;
    const displayName = String(mapped.resource.displayName);
    const stored = state.groups.get(group.id);
    const listed = stored === undefined ? undefined : listing?.byId.get(stored.targetId);
    const missing = stored !== undefined && listing?.complete === true && listed === undefined;
    if (stored !== undefined && !missing) {
      if (listing !== undefined) warnTwins(plan, listing, claimed, group.id, stored.targetId, displayName);
      decided.push({
        group,
        mapped,
        entryTargetId: stored.targetId,
        listed,
        linked: undefined,
        created: false,
      });
      continue;
    }
    groupTargets.delete(group.id);
    const match = input.lookups.has(group.id)
      ? input.lookups.get(group.id)
      : listing?.byKey.get(groupKey(displayName))?.[0];
    if (match !== undefined && typeof match.id === 'string') {
      const owner = claimed.get(match.id);
      // A group gone from the source (deleted and re-created: a new id, the same name) hands its
      // target group over instead of having it deleted.
      if (owner !== undefined && owner !== group.id && input.notInScope.has(owner)) {
        takeOverGroup(plan, owner);
        deleted.delete(owner);
        groupTargets.delete(owner);
      } else if (owner !== undefined && owner !== group.id) {
        plan.failures.push({
          kind: 'group',
          sourceId: group.id,
          error: new MatchConflictError({
            kind: 'group',
            sourceId: group.id,
            otherSourceId: owner,
            key: displayName,
            targetId: match.id,
          }),
        });
        continue;
      }
      claimed.set(match.id, group.id);
      groupTargets.set(group.id, match.id);
      decided.push({ group, mapped, entryTargetId: match.id, listed: match, linked: match, created: false });
      continue;
    }
    const refusedBy = !options.create
      ? 'groups.create is off'
      : input.createRefused
        ? 'the target cannot create groups'
        : undefined;
    if (refusedBy !== undefined) {
      plan.skipped.push({ kind: 'group', op: 'create', sourceId: group.id, because: refusedBy });
      if (input.createRefused && options.create) {
        plan.warnings.push({
          code: 'groupCreateRefused',
          kind: 'group',
          sourceId: group.id,
          message: `Group ${group.id} (${displayName}) is not created: the target refuses group creates`,
        });
      }
      if (missing) {
        plan.housekeeping.push({ type: 'removeGroup', sourceId: group.id });
        plan.warnings.push({
          code: 'missingInTarget',
          kind: 'group',
          sourceId: group.id,
          message: `Group ${group.id} (${displayName}) was deleted in the target and is not re-created`,
        });
      }
      continue;
    }
    const twin = creatingGroups.get(groupKey(displayName));
    if (twin !== undefined) {
      plan.failures.push({
        kind: 'group',
        sourceId: group.id,
        error: new MatchConflictError({
          kind: 'group',
          sourceId: group.id,
          otherSourceId: twin,
          key: displayName,
        }),
      });
      continue;
    }
    creatingGroups.set(groupKey(displayName), group.id);
    groupTargets.set(group.id, undefined);
    decided.push({
      group,
      mapped,
      entryTargetId: undefined,
      listed: undefined,
      linked: undefined,
      created: true,
    });
  }

  const wantedOf = (group: SourceGroup): MemberRef[] => {
    const refs: MemberRef[] = [];
    const seen = new Set<string>();
    for (const memberId of group.memberIds) {
      if (seen.has(memberId)) continue;
      seen.add(memberId);
      if (input.provisionedUsers.has(memberId)) {
        refs.push({ sourceId: memberId, type: 'User', targetId: input.provisionedUsers.get(memberId) });
      } else if (groupTargets.has(memberId) && memberId !== group.id) {
        refs.push({ sourceId: memberId, type: 'Group', targetId: groupTargets.get(memberId) });
      }
    }
    return refs;
  };

  // Pass 2: creates, renames, updates and memberships.
  for (const { group, mapped, entryTargetId, listed, linked, created } of decided) {
    const displayName = String(mapped.resource.displayName);
    const wanted = wantedOf(group);
    if (created) {
      const create: CreateGroupOperation = {
        op: 'create',
        sourceId: group.id,
        displayName,
        reason: state.groups.has(group.id) ? 'missingInTarget' : 'new',
        hash: mapped.hash,
        members: wanted,
      };
      plan.upserts.push(create);
      continue;
    }
    const targetId = entryTargetId as string;
    const entry = linked === undefined ? state.groups.get(group.id) : undefined;
    const previousName =
      entry?.displayName ?? (linked === undefined ? displayName : String(linked.displayName));
    const renamed = previousName !== displayName;
    const changed = entry !== undefined && entry.hash !== mapped.hash;
    const current = listed ?? linked;
    const drift =
      !renamed &&
      !changed &&
      current !== undefined &&
      (String(current.displayName) !== displayName ||
        groupAttributesDrifted(current, mapped, input.compiled));
    let touched = linked !== undefined;
    if (linked !== undefined) {
      plan.upserts.push({
        op: 'link',
        sourceId: group.id,
        targetId,
        displayName,
        reason: state.groups.has(group.id) ? 'missingInTarget' : 'new',
        // A rename or update still to come: store no hash, so that a failure of it is retried.
        hash: (renamed || drift) && options.update ? '' : mapped.hash,
        existing: linked,
      });
    }
    if (renamed || changed || drift) {
      touched = true;
      const op = renamed || (drift && String(current?.displayName) !== displayName) ? 'rename' : 'update';
      if (!options.update) {
        plan.skipped.push({ kind: 'group', op, sourceId: group.id, because: 'groups.update is off' });
      } else if (op === 'rename') {
        plan.upserts.push({
          op: 'rename',
          sourceId: group.id,
          targetId,
          from: renamed ? previousName : String(current?.displayName),
          displayName,
          hash: mapped.hash,
        });
      } else {
        plan.upserts.push({
          op: 'update',
          sourceId: group.id,
          targetId,
          displayName,
          reason: changed ? 'changed' : 'drift',
          hash: mapped.hash,
        });
      }
    }

    const membership = membershipChange(
      wanted,
      current,
      entry?.members,
      linked !== undefined,
      input.heldMembers,
    );
    const sends =
      membership !== undefined &&
      (membership.current === 'read' || membership.add.length > 0 || membership.remove.length > 0);
    if (membership !== undefined && sends) {
      touched = true;
      if (!options.update) {
        plan.skipped.push({
          kind: 'group',
          op: 'members',
          sourceId: group.id,
          because: 'groups.update is off',
        });
      } else {
        plan.memberships.push({
          op: 'members',
          sourceId: group.id,
          targetId,
          displayName,
          add: membership.add,
          remove: membership.remove,
          current: membership.current,
          wanted,
          keep: membership.keep,
        });
      }
    }
    if (membership?.current === 'known' && options.update) plan.heldMemberRemovals += membership.keep.length;
    if (!touched) plan.unchanged += 1;
  }

  // Groups the source did not report (incremental cycles): drop stale members, follow re-created users.
  if (input.staleMembers.size > 0 || input.retargeted.size > 0) {
    for (const [sourceId, entry] of state.groups) {
      if (input.groups.has(sourceId) || deleted.has(sourceId) || input.notInScope.has(sourceId)) continue;
      const remove = entry.members.filter((id) => input.staleMembers.has(id) || input.retargeted.has(id));
      if (remove.length === 0) continue;
      const add: MemberRef[] = [];
      for (const id of remove) {
        const next = input.retargeted.get(id);
        if (next !== undefined) add.push({ sourceId: next.sourceId, type: 'User', targetId: next.targetId });
      }
      if (!options.update) {
        plan.skipped.push({ kind: 'group', op: 'members', sourceId, because: 'groups.update is off' });
        continue;
      }
      plan.memberships.push({
        op: 'members',
        sourceId,
        targetId: entry.targetId,
        displayName: entry.displayName,
        add,
        remove,
        current: 'known',
        wanted: [],
        keep: [],
      });
    }
  }
  return plan;
}

/** Drops the planned delete (or its skip) of a departed group whose target group a newcomer takes over. */
function takeOverGroup(plan: GroupPlan, owner: string): void {
  const removal = plan.removals.findIndex((operation) => operation.sourceId === owner);
  if (removal >= 0) plan.removals.splice(removal, 1);
  const skipped = plan.skipped.findIndex((operation) => operation.sourceId === owner);
  if (skipped >= 0) plan.skipped.splice(skipped, 1);
  plan.housekeeping.push({ type: 'removeGroup', sourceId: owner });
}

/**
 * Whether a target group's mapped attributes other than its name differ from the mapped ones
 * (the name is compared on its own, exactly: it may come from the source group's `name`).
 */
function groupAttributesDrifted(
  current: TargetGroup,
  mapped: MappedResource,
  compiled: CompiledMapping,
): boolean {
  const isName = (key: string) => {
    const rule = compiled.rules.find((candidate) => candidate.key === key);
    return rule !== undefined && rule.schema === undefined && rule.attr.toLowerCase() === 'displayname';
  };
  return driftedAttributes(current, mapped, compiled).some((key) => !isName(key));
}

/**
 * The membership change that makes a group hold `wanted`: against the target's members when they
 * are known (a listing, a linked group), else against the members the state says were written.
 * Members in `held` are kept (their removal follows from a held removal) and listed in `keep`.
 */
function membershipChange(
  wanted: readonly MemberRef[],
  current: TargetGroup | undefined,
  stateMembers: readonly string[] | undefined,
  linked: boolean,
  held: ReadonlySet<string>,
): { add: MemberRef[]; remove: string[]; current: 'known' | 'read'; keep: string[] } | undefined {
  let have: readonly string[];
  if (current === undefined) {
    have = stateMembers ?? [];
  } else if (Array.isArray(current.members)) {
    have = current.members.map((member) => member.value);
  } else if (!linked && wanted.length === 0 && (stateMembers?.length ?? 0) === 0) {
    // Listed without members, and none were written or wanted: nothing to do.
    return undefined;
  } else {
    // Listed without members: a target may leave them out of listings. Read the group to know.
    return { add: [...wanted], remove: [], current: 'read', keep: [...held] };
  }
  const haveSet = new Set(have);
  const wantedIds = new Set<string>();
  const add: MemberRef[] = [];
  for (const ref of wanted) {
    if (ref.targetId !== undefined) wantedIds.add(ref.targetId);
    if (ref.targetId === undefined || !haveSet.has(ref.targetId)) add.push(ref);
  }
  const remove: string[] = [];
  const keep: string[] = [];
  for (const id of haveSet) {
    if (wantedIds.has(id)) continue;
    if (held.has(id)) keep.push(id);
    else remove.push(id);
  }
  if (add.length === 0 && remove.length === 0 && keep.length === 0) return undefined;
  return { add, remove, current: 'known', keep };
}

/** The groups a cycle must look up in the target: read groups without a state entry that a listing cannot settle. */
export function groupsToMatch(
  groups: ReadonlyMap<string, SourceGroup>,
  mapped: ReadonlyMap<string, MappedResource>,
  state: ProvisioningState,
  listing: TargetIndex<TargetGroup> | undefined,
): string[] {
  const out: string[] = [];
  for (const group of groups.values()) {
    const result = mapped.get(group.id);
    if (result === undefined || state.groups.has(group.id)) continue;
    if (listing?.complete === true) continue;
    if (listing?.byKey.has(groupKey(String(result.resource.displayName))) === true) continue;
    out.push(group.id);
  }
  return out;
}

/** The key a listed group is indexed under (for building a listing index). */
export function groupIndexKeys(resource: TargetGroup): string[] {
  const key = groupKeyOfTarget(resource);
  return key === undefined ? [] : [key];
}

/** Drops the create intent of an object that left the scope before its interrupted create was resolved. */
function abandonPendingCreate(
  plan: { readonly housekeeping: StateChange[]; readonly warnings: EngineWarning[] },
  kind: 'user' | 'group',
  sourceId: string,
): void {
  plan.housekeeping.push({ type: 'abandonCreate', kind, sourceId });
  plan.warnings.push({
    code: 'pendingCreateAbandoned',
    kind,
    sourceId,
    message: `An interrupted create of ${kind} ${sourceId} is abandoned: the ${kind} is no longer in scope`,
  });
}

/**
 * Warns about target groups that carry a provisioned group's displayName under another id and belong
 * to no other provisioned group: twins a target that allows repeated group names can end up with
 * when a create's answer was lost after the client gave up (a create slower than the timeout that
 * the target still carried out after the retry). They are reported, never deleted: the engine
 * cannot tell its own late create from a group someone else made.
 */
function warnTwins(
  plan: GroupPlan,
  listing: TargetIndex<TargetGroup>,
  claimed: ReadonlyMap<string, string>,
  sourceId: string,
  targetId: string,
  displayName: string,
): void {
  const twins = (listing.byKey.get(groupKey(displayName)) ?? []).filter(
    (candidate) =>
      typeof candidate.id === 'string' && candidate.id !== targetId && !claimed.has(candidate.id),
  );
  if (twins.length === 0) return;
  plan.warnings.push({
    code: 'duplicateInTarget',
    kind: 'group',
    sourceId,
    message: `Group ${sourceId} (${displayName}) has ${twins.length} other group(s) with its displayName in the target (${twins.map((twin) => twin.id).join(', ')}); they are left alone: delete them in the target if they are duplicates`,
  });
}
