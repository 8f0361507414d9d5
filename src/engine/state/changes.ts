import type { GroupState, ProvisioningState, UserState } from './types';

/** A user was created, linked, updated, disabled or re-enabled: its entry becomes `user`. */
export interface SetUserChange {
  readonly type: 'setUser';
  readonly sourceId: string;
  readonly user: UserState;
}

/** A user was deleted from the target, or forgotten: its entry goes. */
export interface RemoveUserChange {
  readonly type: 'removeUser';
  readonly sourceId: string;
}

/** A group was created, linked, renamed or had its members set: its entry becomes `group`. */
export interface SetGroupChange {
  readonly type: 'setGroup';
  readonly sourceId: string;
  readonly group: GroupState;
}

/** A group was deleted from the target, or forgotten: its entry goes. */
export interface RemoveGroupChange {
  readonly type: 'removeGroup';
  readonly sourceId: string;
}

/**
 * Members were added to a group (a PATCH `add` succeeded). Recorded as a delta so that a change
 * to a group of 100,000 members does not write the whole member list again.
 */
export interface AddGroupMembersChange {
  readonly type: 'addGroupMembers';
  readonly sourceId: string;
  /** Target ids of the added members. */
  readonly targetIds: readonly string[];
  /** When, in milliseconds since the Unix epoch; becomes the group's `updatedAt`. */
  readonly at: number;
}

/** Members were removed from a group (a PATCH `remove` succeeded). */
export interface RemoveGroupMembersChange {
  readonly type: 'removeGroupMembers';
  readonly sourceId: string;
  /** Target ids of the removed members. */
  readonly targetIds: readonly string[];
  /** When, in milliseconds since the Unix epoch; becomes the group's `updatedAt`. */
  readonly at: number;
}

/**
 * The intent record written BEFORE a create is sent (see `PendingCreate`). It stays until a
 * `setUser`/`setGroup`, `removeUser`/`removeGroup` or `abandonCreate` for the same source id.
 */
export interface BeginCreateChange {
  readonly type: 'beginCreate';
  readonly kind: 'user' | 'group';
  readonly sourceId: string;
  /** The `userName` or `displayName` to look the object up by if the outcome is lost. */
  readonly matchKey: string;
  /** When, in milliseconds since the Unix epoch. */
  readonly at: number;
}

/** A started create is known to have failed (the target refused it): the intent goes. */
export interface AbandonCreateChange {
  readonly type: 'abandonCreate';
  readonly kind: 'user' | 'group';
  readonly sourceId: string;
}

/** An incremental read finished: the watermark to start the next one from. */
export interface SetWatermarkChange {
  readonly type: 'setWatermark';
  /** Opaque to the state; must survive a JSON round trip. `undefined` forgets the watermark. */
  readonly watermark: unknown;
}

/** One change to a {@link ProvisioningState}, as journaled by a `StateStore`. */
export type StateChange =
  | SetUserChange
  | RemoveUserChange
  | SetGroupChange
  | RemoveGroupChange
  | AddGroupMembersChange
  | RemoveGroupMembersChange
  | BeginCreateChange
  | AbandonCreateChange
  | SetWatermarkChange;

/**
 * Applies one change to `state` in place. The same function replays a journal on load, so the
 * in-memory state and the persisted one evolve identically.
 *
 * Every change is idempotent given the same prior entry: applying a journal twice, or applying
 * it to a snapshot that already contains it, gives the same state. A membership change for a
 * group the state does not hold is ignored (the group was removed after the change was made).
 */
export function applyStateChange(state: ProvisioningState, change: StateChange): void {
  switch (change.type) {
    case 'setUser':
      state.users.set(change.sourceId, change.user);
      state.pending.users.delete(change.sourceId);
      return;
    case 'removeUser':
      state.users.delete(change.sourceId);
      state.pending.users.delete(change.sourceId);
      return;
    case 'setGroup':
      state.groups.set(change.sourceId, change.group);
      state.pending.groups.delete(change.sourceId);
      return;
    case 'removeGroup':
      state.groups.delete(change.sourceId);
      state.pending.groups.delete(change.sourceId);
      return;
    case 'addGroupMembers': {
      const group = state.groups.get(change.sourceId);
      if (group === undefined) return;
      const members = new Set(group.members);
      for (const id of change.targetIds) members.add(id);
      state.groups.set(change.sourceId, { ...group, members: [...members], updatedAt: change.at });
      return;
    }
    case 'removeGroupMembers': {
      const group = state.groups.get(change.sourceId);
      if (group === undefined) return;
      const removed = new Set(change.targetIds);
      const members = group.members.filter((id) => !removed.has(id));
      state.groups.set(change.sourceId, { ...group, members, updatedAt: change.at });
      return;
    }
    case 'beginCreate':
      pendingOf(state, change.kind).set(change.sourceId, {
        matchKey: change.matchKey,
        startedAt: change.at,
      });
      return;
    case 'abandonCreate':
      pendingOf(state, change.kind).delete(change.sourceId);
      return;
    case 'setWatermark':
      if (change.watermark === undefined) delete state.watermark;
      else state.watermark = change.watermark;
      return;
  }
}

function pendingOf(state: ProvisioningState, kind: 'user' | 'group') {
  return kind === 'user' ? state.pending.users : state.pending.groups;
}
