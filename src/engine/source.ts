/**
 * Reading the source for one cycle: the whole scope (a full cycle), or what changed since the
 * watermark (an incremental one), with the ids that left the scope.
 *
 * @module
 */
import type { DatastoreAdapter, SourceGroup, SourceUser, Watermark } from '../datastore/types';
import type { ProvisioningState } from './state/types';

/** What one cycle read from the source. */
export interface SourceRead {
  /** True when `users` and `groups` are the whole scope (removals were found by comparison). */
  readonly full: boolean;
  /** Users read, by source id (the whole scope, or the changed ones). */
  readonly users: ReadonlyMap<string, SourceUser>;
  /** Groups read, by source id. */
  readonly groups: ReadonlyMap<string, SourceGroup>;
  /** Source ids the state (or a pending create) holds that are no longer in scope. */
  readonly removedUsers: readonly string[];
  /** Group source ids the state holds that are no longer in scope. */
  readonly removedGroups: readonly string[];
  /** The watermark to store once the cycle has applied everything, when the source tracks changes. */
  readonly nextWatermark: Watermark | undefined;
}

/** Options of {@link readSource}. */
export interface ReadSourceOptions {
  /** Read the whole scope even when a watermark allows an incremental read. */
  readonly full: boolean;
  /** The datastore watermark to read changes from (`undefined`: read the whole scope). */
  readonly watermark: Watermark | undefined;
  /** Source attributes the user mapping and the match rule read. */
  readonly userAttributes: readonly string[];
  /** Source attributes the group mapping reads. */
  readonly groupAttributes: readonly string[];
  /** When the watermark was recorded (see `watermarkRecordedAt`); `undefined` when unknown. */
  readonly watermarkRecordedAt?: number | undefined;
}

/**
 * Reads the source. Incremental when the adapter tracks changes, the state has a watermark and
 * `full` is not asked for; the adapter may still answer with a full read (it lost its change
 * history), which is then treated as one.
 *
 * Errors of the adapter propagate: a partial read is never taken for a complete one.
 */
export async function readSource(
  datastore: DatastoreAdapter,
  state: ProvisioningState,
  options: ReadSourceOptions,
): Promise<SourceRead> {
  const users = new Map<string, SourceUser>();
  const groups = new Map<string, SourceGroup>();
  const canTrack = typeof datastore.changes === 'function';
  const attributes = union(options.userAttributes, options.groupAttributes);

  if (canTrack) {
    const incremental = !options.full && options.watermark !== undefined;
    const delta = await (datastore.changes as NonNullable<DatastoreAdapter['changes']>).call(
      datastore,
      incremental ? options.watermark : undefined,
      { attributes, known: { users: [...state.users.keys()], groups: [...state.groups.keys()] } },
    );
    for await (const user of delta.users) users.set(user.id, user);
    for await (const group of delta.groups) groups.set(group.id, group);
    const removed = await delta.removed();
    const nextWatermark = await delta.nextWatermark();
    if (delta.full || !incremental) {
      return {
        full: true,
        users,
        groups,
        ...removalsByComparison(state, users, groups),
        nextWatermark,
      };
    }
    await addGroupsOfNewMembers(datastore, state, users, groups, options);
    const pendingGone = [...state.pending.users.keys()].filter((id) => removed.users.includes(id));
    return {
      full: false,
      users,
      groups,
      removedUsers: unique([...removed.users.filter((id) => state.users.has(id)), ...pendingGone]),
      removedGroups: unique([
        ...removed.groups.filter((id) => state.groups.has(id) || state.pending.groups.has(id)),
      ]),
      nextWatermark,
    };
  }

  for await (const user of datastore.users({ attributes: options.userAttributes })) users.set(user.id, user);
  for await (const group of datastore.groups({ attributes: options.groupAttributes }))
    groups.set(group.id, group);
  return {
    full: true,
    users,
    groups,
    ...removalsByComparison(state, users, groups),
    nextWatermark: undefined,
  };
}

/**
 * Adds to an incremental read the groups that hold a reported user whose memberships may never
 * have been written: a user the state does not hold yet (provisioned for the first time: enabled
 * after being disabled, or back in scope, may have been a member all along, and the directory then
 * reports no change to the group), a user the state holds as disabled, and a user created after
 * the watermark was recorded (by a cycle killed before it wrote the memberships; the next cycle
 * reads again from the same watermark). Updates of provisioned users, the usual incremental work,
 * cost no group read.
 */
async function addGroupsOfNewMembers(
  datastore: DatastoreAdapter,
  state: ProvisioningState,
  users: ReadonlyMap<string, SourceUser>,
  groups: Map<string, SourceGroup>,
  options: ReadSourceOptions,
): Promise<void> {
  const recordedAt = options.watermarkRecordedAt;
  const newMembers = new Set<string>();
  for (const id of users.keys()) {
    const entry = state.users.get(id);
    if (
      entry === undefined ||
      entry.status === 'disabled' ||
      recordedAt === undefined ||
      entry.createdAt > recordedAt
    ) {
      newMembers.add(id);
    }
  }
  if (newMembers.size === 0) return;
  for await (const group of datastore.groups({ attributes: options.groupAttributes })) {
    if (!groups.has(group.id) && group.memberIds.some((id) => newMembers.has(id)))
      groups.set(group.id, group);
  }
}

/** Reads one user for `provisionOne`: through `user()` when the adapter has it, else by a scan. */
export async function readOneUser(
  datastore: DatastoreAdapter,
  sourceId: string,
  attributes: readonly string[],
): Promise<SourceUser | undefined> {
  if (typeof datastore.user === 'function') return datastore.user(sourceId, { attributes });
  for await (const user of datastore.users({ attributes })) if (user.id === sourceId) return user;
  return undefined;
}

function removalsByComparison(
  state: ProvisioningState,
  users: ReadonlyMap<string, SourceUser>,
  groups: ReadonlyMap<string, SourceGroup>,
): { removedUsers: string[]; removedGroups: string[] } {
  const removedUsers = unique([...state.users.keys(), ...state.pending.users.keys()]).filter(
    (id) => !users.has(id),
  );
  const removedGroups = unique([...state.groups.keys(), ...state.pending.groups.keys()]).filter(
    (id) => !groups.has(id),
  );
  return { removedUsers, removedGroups };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const name of [...a, ...b]) if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  return [...seen.values()];
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
