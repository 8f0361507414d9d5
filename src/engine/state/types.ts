/**
 * The provisioning state: what the engine has written to one SCIM target, per source object.
 *
 * It is what lets a cycle send only what changed: for every provisioned user and group, the id
 * the target gave it, a hash of the attributes last written, its status, and (for groups) the
 * members last written. It holds no secrets: no passwords, no tokens, no attribute values other
 * than the `userName` and `displayName` used to find an object again.
 *
 * Sized for 1,000,000 users: entries are flat objects of one shape with no optional fields (one
 * hidden class, no per-entry dictionaries), timestamps are numbers, collections are `Map`s (no
 * prototype keys to trip over, `size` in O(1)), and on disk each entry is one JSON array row
 * (see `FileStateStore`), about 150 bytes per user.
 */

/** The format marker written into every state snapshot; a file without it is not ours. */
export const STATE_FORMAT = 'aquera-provisioner/state';

/** The snapshot layout version this package writes and reads. */
export const STATE_VERSION = 1;

/**
 * A provisioned user's status in the target as the engine last left it.
 *
 * - `active`: created or re-enabled, `active: true` in the target.
 * - `disabled`: disabled by the engine (`removeAction: 'disable'`), or created inactive
 *   (`provisionDisabled`), `active: false` in the target.
 *
 * A user deleted from the target has no entry.
 */
export type UserStatus = 'active' | 'disabled';

/** What the state remembers about one provisioned user, keyed by its source id. */
export interface UserState {
  /** The target's `id` of the user. */
  readonly targetId: string;
  /** The `userName` last written, used to find the user again when its target id is lost. */
  readonly userName: string;
  /**
   * Hash of the mapped attributes last written (see `mapUser`); a user whose hash is unchanged is
   * not updated.
   */
  readonly hash: string;
  /** The status the engine last set. */
  readonly status: UserStatus;
  /** When the engine created or linked the user, in milliseconds since the Unix epoch. */
  readonly createdAt: number;
  /** When the engine last wrote the user, in milliseconds since the Unix epoch. */
  readonly updatedAt: number;
}

/**
 * What the state remembers about one provisioned group, keyed by its source id.
 *
 * `members` holds TARGET ids (the `value` of the target group's `members`), not source ids:
 *
 * - it is a record of what the engine last wrote to the target group, in the target's own
 *   vocabulary, so the difference with the wanted members gives the PATCH `add`/`remove` values
 *   directly;
 * - a member whose user entry has since gone from the state (the user was deleted, or re-linked
 *   to another target id) can still be removed, because its target id is here;
 * - a user re-created under a new target id (deleted out of band, then re-provisioned) shows up
 *   as a change (old id out, new id in) instead of passing for a member it no longer is.
 *
 * The wanted members are the group's source member ids mapped through `users.get(id)?.targetId`
 * (only provisioned users can be members).
 */
export interface GroupState {
  /** The target's `id` of the group. */
  readonly targetId: string;
  /** The `displayName` last written, used to find the group again and to notice a rename. */
  readonly displayName: string;
  /** Hash of the mapped group attributes last written (members excluded; see `mapGroup`). */
  readonly hash: string;
  /** Target ids of the members the engine last wrote, without duplicates. */
  readonly members: readonly string[];
  /** When the engine created or linked the group, in milliseconds since the Unix epoch. */
  readonly createdAt: number;
  /** When the engine last wrote the group or its members, in milliseconds since the Unix epoch. */
  readonly updatedAt: number;
}

/**
 * A create that was started and has no known outcome: the intent record written before a POST.
 *
 * If the process dies after the POST reached the target but before its result was recorded, the
 * object may exist in the target without a state entry. On the next cycle the engine must look it
 * up by `matchKey` (and link it) before creating it again, so no duplicate is made.
 */
export interface PendingCreate {
  /** The `userName` (users) or `displayName` (groups) the object was being created with. */
  readonly matchKey: string;
  /** When the create was started, in milliseconds since the Unix epoch. */
  readonly startedAt: number;
}

/** Which target the state describes; a state is only valid against that target. */
export interface StateTarget {
  /**
   * An identifier of the target chosen by the host, or `targetFingerprint(baseUrl)`. The engine
   * refuses a state whose target id differs from its own, so that pointing a host at another
   * target does not make it believe every user already exists there.
   */
  readonly id: string;
}

/** The persisted provisioning state of one source -> target pair. */
export interface ProvisioningState {
  /** Always {@link STATE_FORMAT}. */
  readonly format: typeof STATE_FORMAT;
  /** Always {@link STATE_VERSION}. */
  readonly version: typeof STATE_VERSION;
  /** The target this state describes. */
  readonly target: StateTarget;
  /**
   * Where the last incremental read of the source ended (an AD `uSNChanged`, a timestamp): opaque
   * to the state, handed back to the datastore adapter. Must survive a JSON round trip.
   */
  watermark?: unknown;
  /** Provisioned users by source id. */
  readonly users: Map<string, UserState>;
  /** Provisioned groups by source id. */
  readonly groups: Map<string, GroupState>;
  /** Creates started and not yet resolved, by source id (see {@link PendingCreate}). */
  readonly pending: {
    readonly users: Map<string, PendingCreate>;
    readonly groups: Map<string, PendingCreate>;
  };
}

/**
 * An empty state for `target`: nothing provisioned yet.
 *
 * @example
 * ```ts
 * const state = (await store.load()) ?? createProvisioningState({ id: targetFingerprint(baseUrl) });
 * ```
 */
export function createProvisioningState(target: StateTarget): ProvisioningState {
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    target: { id: target.id },
    users: new Map(),
    groups: new Map(),
    pending: { users: new Map(), groups: new Map() },
  };
}

/**
 * A copy of `state` that shares nothing mutable with it (entries are immutable and are shared;
 * maps and the watermark are copied).
 */
export function cloneProvisioningState(state: ProvisioningState): ProvisioningState {
  const copy: ProvisioningState = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    target: { id: state.target.id },
    users: new Map(state.users),
    groups: new Map(state.groups),
    pending: { users: new Map(state.pending.users), groups: new Map(state.pending.groups) },
  };
  if (state.watermark !== undefined) copy.watermark = cloneJson(state.watermark);
  return copy;
}

function cloneJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
