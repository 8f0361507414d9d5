import { randomUUID } from 'node:crypto';
import { DatastoreError } from '../errors/DatastoreError';
import type {
  AttributeValue,
  ChangesOptions,
  DatastoreAdapter,
  DatastoreChanges,
  ReadOptions,
  RemovedIds,
  ScopeIds,
  SourceAttributes,
  SourceGroup,
  SourceUser,
  Watermark,
} from '../types';

/** A user to add to an {@link InMemoryDatastore}. */
export interface InMemoryUserInput {
  /** Stable id; must be unique among the store's users. */
  readonly id: string;
  /** Optional distinguished name, for hosts that mimic a directory. */
  readonly dn?: string;
  /** @default false */
  readonly disabled?: boolean;
  /** @default {} */
  readonly attributes?: SourceAttributes;
}

/** A group to add to an {@link InMemoryDatastore}. */
export interface InMemoryGroupInput {
  /** Stable id; must be unique among the store's groups. */
  readonly id: string;
  readonly dn?: string;
  readonly name: string;
  /** Ids of member users or groups. Ids that are not (or not yet) in the store are kept and reported once they are. @default [] */
  readonly memberIds?: readonly string[];
  /** @default {} */
  readonly attributes?: SourceAttributes;
}

/**
 * Changes to a user. `attributes` is merged into the current ones: a key set to `null` removes
 * that attribute, keys left out are kept.
 */
export interface InMemoryUserUpdate {
  readonly dn?: string;
  readonly disabled?: boolean;
  readonly attributes?: Readonly<Record<string, AttributeValue | null>>;
}

/** Changes to a group; `memberIds`, when given, replaces the member list. */
export interface InMemoryGroupUpdate {
  readonly dn?: string;
  readonly name?: string;
  readonly memberIds?: readonly string[];
  readonly attributes?: Readonly<Record<string, AttributeValue | null>>;
}

/** Options of {@link InMemoryDatastore}. */
export interface InMemoryDatastoreOptions {
  /** Users to start with. @default [] */
  readonly users?: readonly InMemoryUserInput[];
  /** Groups to start with. @default [] */
  readonly groups?: readonly InMemoryGroupInput[];
  /**
   * Which users are in scope, like a directory's base DN and filter. A user for which this
   * returns false is left out of every read and, if it was in scope before, reported as removed.
   * Must depend only on the user. @default every user
   */
  readonly userScope?: (user: SourceUser) => boolean;
  /** Which groups are in scope, as {@link InMemoryDatastoreOptions.userScope}. @default every group */
  readonly groupScope?: (group: SourceGroup) => boolean;
}

interface StoredUser {
  user: SourceUser;
  changedAt: number;
}

interface StoredGroup {
  group: SourceGroup;
  changedAt: number;
}

/** The watermark this adapter hands out: which store and how far its change counter had got. */
interface InMemoryWatermark {
  readonly store: string;
  readonly sequence: number;
}

function isInMemoryWatermark(
  value: Watermark | undefined,
  store: string,
): value is Watermark & InMemoryWatermark {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return value.store === store && typeof value.sequence === 'number' && Number.isInteger(value.sequence);
}

function copyValue(value: AttributeValue): AttributeValue {
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (typeof value === 'string') return value;
  if (value.every((item): item is string => typeof item === 'string')) return [...value];
  return (value as Buffer[]).map((item) => Buffer.from(item));
}

function copyAttributes(attributes: SourceAttributes | undefined): Record<string, AttributeValue> {
  const copy: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) copy[name] = copyValue(value);
  return copy;
}

function mergeAttributes(
  current: SourceAttributes,
  changes: Readonly<Record<string, AttributeValue | null>> | undefined,
): Record<string, AttributeValue> {
  const merged = copyAttributes(current);
  for (const [name, value] of Object.entries(changes ?? {})) {
    if (value === null) delete merged[name];
    else merged[name] = copyValue(value);
  }
  return merged;
}

function project(attributes: SourceAttributes, wanted: readonly string[] | undefined): SourceAttributes {
  if (wanted === undefined) return copyAttributes(attributes);
  const byLowerName = new Map(Object.keys(attributes).map((name) => [name.toLowerCase(), name]));
  const projected: Record<string, AttributeValue> = {};
  for (const name of wanted) {
    const stored = byLowerName.get(name.toLowerCase());
    const value = stored === undefined ? undefined : attributes[stored];
    if (value !== undefined) projected[name] = copyValue(value);
  }
  return projected;
}

function freezeUser(user: SourceUser): SourceUser {
  return Object.freeze({ ...user, attributes: Object.freeze(user.attributes) });
}

function freezeGroup(group: SourceGroup): SourceGroup {
  return Object.freeze({
    ...group,
    memberIds: Object.freeze([...group.memberIds]),
    attributes: Object.freeze(group.attributes),
  });
}

/**
 * A datastore held in memory and changed through methods: what tests, benchmarks, demos and hosts
 * without a directory use. Supports change tracking (`changes`, with a change counter as the
 * watermark) and id listing (`ids`).
 *
 * Every object handed in is copied and every object handed out is a frozen copy, so neither side
 * can change the other's data by accident.
 *
 * @example
 * ```ts
 * const datastore = new InMemoryDatastore();
 * datastore.addUser({ id: 'u1', attributes: { uid: 'alice', mail: 'alice@example.com' } });
 * datastore.addGroup({ id: 'g1', name: 'staff', memberIds: ['u1'] });
 * datastore.disableUser('u1');
 * const engine = new ProvisioningEngine({ datastore, client, mapping });
 * ```
 */
export class InMemoryDatastore implements DatastoreAdapter {
  readonly #store = randomUUID();
  readonly #users = new Map<string, StoredUser>();
  readonly #groups = new Map<string, StoredGroup>();
  /** When each id left the scope (or was removed), by change sequence; cleared if it comes back. */
  readonly #removedUsers = new Map<string, number>();
  readonly #removedGroups = new Map<string, number>();
  /** Ids in scope now, kept as objects change, so that reading them is not a scan. */
  readonly #usersInScope = new Set<string>();
  readonly #groupsInScope = new Set<string>();
  /** Every put of a user (group), in sequence order: what a delta reads instead of every object. */
  readonly #userLog: ChangeLogEntry[] = [];
  readonly #groupLog: ChangeLogEntry[] = [];
  readonly #userScope: (user: SourceUser) => boolean;
  readonly #groupScope: (group: SourceGroup) => boolean;
  #sequence = 0;

  /**
   * True when no scope predicate was given: the kept in-scope sets are then exact. A given
   * predicate is evaluated at each read instead, so that one whose answer changes over time (a
   * test narrowing the scope) is still followed.
   */
  readonly #scopeKept: boolean;

  constructor(options: InMemoryDatastoreOptions = {}) {
    this.#userScope = options.userScope ?? (() => true);
    this.#groupScope = options.groupScope ?? (() => true);
    this.#scopeKept = options.userScope === undefined && options.groupScope === undefined;
    for (const user of options.users ?? []) this.addUser(user);
    for (const group of options.groups ?? []) this.addGroup(group);
  }

  /** Number of changes made so far (each add, update, disable or removal counts one). */
  get changeCount(): number {
    return this.#sequence;
  }

  /** Adds a user; throws a {@link DatastoreError} when the id is taken. */
  addUser(input: InMemoryUserInput): void {
    if (this.#users.has(input.id))
      throw new DatastoreError(`InMemoryDatastore: user id ${input.id} already exists`);
    const user: SourceUser = {
      id: input.id,
      ...(input.dn === undefined ? {} : { dn: input.dn }),
      disabled: input.disabled ?? false,
      attributes: copyAttributes(input.attributes),
    };
    this.#putUser(undefined, user);
  }

  /** Changes a user; throws a {@link DatastoreError} when there is no such user. */
  updateUser(id: string, update: InMemoryUserUpdate): void {
    const current = this.#requireUser(id);
    const user: SourceUser = {
      id,
      ...(update.dn === undefined ? (current.dn === undefined ? {} : { dn: current.dn }) : { dn: update.dn }),
      disabled: update.disabled ?? current.disabled,
      attributes: mergeAttributes(current.attributes, update.attributes),
    };
    this.#putUser(current, user);
  }

  /** Marks a user disabled (a change even when it already was). */
  disableUser(id: string): void {
    this.updateUser(id, { disabled: true });
  }

  /** Marks a user enabled. */
  enableUser(id: string): void {
    this.updateUser(id, { disabled: false });
  }

  /** Removes a user, and removes it from every group's members (each such group counts as changed). */
  removeUser(id: string): void {
    const current = this.#requireUser(id);
    this.#users.delete(id);
    this.#usersInScope.delete(id);
    this.#sequence += 1;
    if (this.#userScope(current)) this.#removedUsers.set(id, this.#sequence);
    for (const stored of this.#groups.values()) {
      if (stored.group.memberIds.includes(id)) {
        this.updateGroup(stored.group.id, {
          memberIds: stored.group.memberIds.filter((member) => member !== id),
        });
      }
    }
  }

  /** Adds a group; throws a {@link DatastoreError} when the id is taken. */
  addGroup(input: InMemoryGroupInput): void {
    if (this.#groups.has(input.id))
      throw new DatastoreError(`InMemoryDatastore: group id ${input.id} already exists`);
    const group: SourceGroup = {
      id: input.id,
      ...(input.dn === undefined ? {} : { dn: input.dn }),
      name: input.name,
      memberIds: [...new Set(input.memberIds ?? [])],
      attributes: copyAttributes(input.attributes),
    };
    this.#putGroup(undefined, group);
  }

  /** Changes a group; throws a {@link DatastoreError} when there is no such group. */
  updateGroup(id: string, update: InMemoryGroupUpdate): void {
    const current = this.#requireGroup(id);
    const group: SourceGroup = {
      id,
      ...(update.dn === undefined ? (current.dn === undefined ? {} : { dn: current.dn }) : { dn: update.dn }),
      name: update.name ?? current.name,
      memberIds: update.memberIds === undefined ? [...current.memberIds] : [...new Set(update.memberIds)],
      attributes: mergeAttributes(current.attributes, update.attributes),
    };
    this.#putGroup(current, group);
  }

  /** Adds members to a group (ids already there are ignored). */
  addMembers(groupId: string, memberIds: readonly string[]): void {
    const current = this.#requireGroup(groupId);
    this.updateGroup(groupId, { memberIds: [...current.memberIds, ...memberIds] });
  }

  /** Removes members from a group (ids not there are ignored). */
  removeMembers(groupId: string, memberIds: readonly string[]): void {
    const current = this.#requireGroup(groupId);
    const gone = new Set(memberIds);
    this.updateGroup(groupId, { memberIds: current.memberIds.filter((id) => !gone.has(id)) });
  }

  /** Removes a group, and removes it from other groups' members. */
  removeGroup(id: string): void {
    const current = this.#requireGroup(id);
    this.#groups.delete(id);
    this.#groupsInScope.delete(id);
    this.#sequence += 1;
    if (this.#groupScope(current)) this.#removedGroups.set(id, this.#sequence);
    for (const stored of this.#groups.values()) {
      if (stored.group.memberIds.includes(id)) {
        this.updateGroup(stored.group.id, {
          memberIds: stored.group.memberIds.filter((member) => member !== id),
        });
      }
    }
  }

  /** Streams the users in scope. */
  async *users(options?: ReadOptions): AsyncIterable<SourceUser> {
    for (const stored of this.#users.values()) {
      if (this.#userScope(stored.user)) yield this.#outUser(stored.user, options);
    }
  }

  /** Streams the groups in scope, with the ids of their in-scope members. */
  async *groups(options?: ReadOptions): AsyncIterable<SourceGroup> {
    for (const stored of this.#groups.values()) {
      if (this.#groupScope(stored.group)) yield this.#outGroup(stored.group, options);
    }
  }

  /** Reads one user in scope by id. */
  async user(id: string, options?: ReadOptions): Promise<SourceUser | undefined> {
    const stored = this.#users.get(id);
    return stored !== undefined && this.#userScope(stored.user)
      ? this.#outUser(stored.user, options)
      : undefined;
  }

  /** Lists the ids in scope. */
  async ids(): Promise<ScopeIds> {
    return { users: new Set(this.#scopedUsers()), groups: new Set(this.#scopedGroups()) };
  }

  /** The user ids in scope now: the kept set, or a pass of the scope predicate over every user. */
  #scopedUsers(): ReadonlySet<string> {
    if (this.#scopeKept) return this.#usersInScope;
    const ids = new Set<string>();
    for (const stored of this.#users.values()) if (this.#userScope(stored.user)) ids.add(stored.user.id);
    return ids;
  }

  /** The group ids in scope now, as {@link InMemoryDatastore.#scopedUsers}. */
  #scopedGroups(): ReadonlySet<string> {
    if (this.#scopeKept) return this.#groupsInScope;
    const ids = new Set<string>();
    for (const stored of this.#groups.values()) if (this.#groupScope(stored.group)) ids.add(stored.group.id);
    return ids;
  }

  /**
   * What changed since `watermark`. The watermark is this store's change counter; a watermark
   * from another store (or none) gives a full read.
   */
  async changes(watermark: Watermark | undefined, options?: ChangesOptions): Promise<DatastoreChanges> {
    const since = isInMemoryWatermark(watermark, this.#store) ? watermark.sequence : undefined;
    const full = since === undefined || since > this.#sequence;
    const from = full ? -1 : since;
    const next: InMemoryWatermark = { store: this.#store, sequence: this.#sequence };
    const knownUsers = options?.known === undefined ? undefined : new Set(options.known.users);
    const knownGroups = options?.known === undefined ? undefined : new Set(options.known.groups);
    const self = this;

    const usersInScope = this.#scopedUsers();
    const groupsInScope = this.#scopedGroups();
    async function* changedUsers(): AsyncIterable<SourceUser> {
      const changed = full
        ? usersInScope
        : changedSince(self.#userLog, from, (id) => (self.#users.get(id)?.changedAt ?? -1) > from);
      for (const id of changed) {
        const stored = self.#users.get(id);
        if (stored !== undefined && usersInScope.has(id)) yield self.#outUser(stored.user, options);
      }
      if (full || knownUsers === undefined) return;
      for (const id of unknownIds(usersInScope, knownUsers, changed)) {
        const stored = self.#users.get(id);
        if (stored !== undefined) yield self.#outUser(stored.user, options);
      }
    }
    async function* changedGroups(): AsyncIterable<SourceGroup> {
      const changed = full
        ? groupsInScope
        : changedSince(self.#groupLog, from, (id) => (self.#groups.get(id)?.changedAt ?? -1) > from);
      for (const id of changed) {
        const stored = self.#groups.get(id);
        if (stored !== undefined && groupsInScope.has(id)) yield self.#outGroup(stored.group, options);
      }
      if (full || knownGroups === undefined) return;
      for (const id of unknownIds(groupsInScope, knownGroups, changed)) {
        const stored = self.#groups.get(id);
        if (stored !== undefined) yield self.#outGroup(stored.group, options);
      }
    }

    return {
      full,
      users: changedUsers(),
      groups: changedGroups(),
      removed: async (): Promise<RemovedIds> => {
        const users = new Set<string>();
        const groups = new Set<string>();
        if (!full) {
          for (const [id, at] of this.#removedUsers) if (at > from && !usersInScope.has(id)) users.add(id);
          for (const [id, at] of this.#removedGroups) if (at > from && !groupsInScope.has(id)) groups.add(id);
        }
        for (const id of knownUsers ?? []) if (!usersInScope.has(id)) users.add(id);
        for (const id of knownGroups ?? []) if (!groupsInScope.has(id)) groups.add(id);
        return { users: [...users], groups: [...groups] };
      },
      nextWatermark: async () => ({ ...next }),
    };
  }

  #requireUser(id: string): SourceUser {
    const stored = this.#users.get(id);
    if (stored === undefined) throw new DatastoreError(`InMemoryDatastore: no user with id ${id}`);
    return stored.user;
  }

  #requireGroup(id: string): SourceGroup {
    const stored = this.#groups.get(id);
    if (stored === undefined) throw new DatastoreError(`InMemoryDatastore: no group with id ${id}`);
    return stored.group;
  }

  #putUser(before: SourceUser | undefined, user: SourceUser): void {
    this.#sequence += 1;
    this.#users.set(user.id, { user, changedAt: this.#sequence });
    this.#userLog.push({ at: this.#sequence, id: user.id });
    const wasIn = before !== undefined && this.#userScope(before);
    const isIn = this.#userScope(user);
    if (isIn) this.#usersInScope.add(user.id);
    else this.#usersInScope.delete(user.id);
    if (wasIn && !isIn) this.#removedUsers.set(user.id, this.#sequence);
    if (isIn) this.#removedUsers.delete(user.id);
  }

  #putGroup(before: SourceGroup | undefined, group: SourceGroup): void {
    this.#sequence += 1;
    this.#groups.set(group.id, { group, changedAt: this.#sequence });
    this.#groupLog.push({ at: this.#sequence, id: group.id });
    const wasIn = before !== undefined && this.#groupScope(before);
    const isIn = this.#groupScope(group);
    if (isIn) this.#groupsInScope.add(group.id);
    else this.#groupsInScope.delete(group.id);
    if (wasIn && !isIn) this.#removedGroups.set(group.id, this.#sequence);
    if (isIn) this.#removedGroups.delete(group.id);
  }

  #outUser(user: SourceUser, options: ReadOptions | undefined): SourceUser {
    return freezeUser({ ...user, attributes: project(user.attributes, options?.attributes) });
  }

  #outGroup(group: SourceGroup, options: ReadOptions | undefined): SourceGroup {
    const memberIds = group.memberIds.filter((id) => {
      const user = this.#users.get(id);
      if (user !== undefined) return this.#userScope(user.user);
      const member = this.#groups.get(id);
      return member !== undefined && this.#groupScope(member.group);
    });
    return freezeGroup({ ...group, memberIds, attributes: project(group.attributes, options?.attributes) });
  }
}

/** One put of an object: its id and the change sequence it got. */
interface ChangeLogEntry {
  readonly at: number;
  readonly id: string;
}

/**
 * The ids put after sequence `from`, each once, in the order of their first put since then (a
 * binary search for where `from` ends, then the log's tail): proportional to the changes, not to
 * the store. `stillChanged` drops an id whose latest put is not after `from` (removed and re-added).
 */
function changedSince(
  log: readonly ChangeLogEntry[],
  from: number,
  stillChanged: (id: string) => boolean,
): Set<string> {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((log[middle] as ChangeLogEntry).at > from) high = middle;
    else low = middle + 1;
  }
  const ids = new Set<string>();
  for (let index = low; index < log.length; index += 1) {
    const { id } = log[index] as ChangeLogEntry;
    if (!ids.has(id) && stillChanged(id)) ids.add(id);
  }
  return ids;
}

/**
 * Ids in scope that the caller does not know and that were not already reported. Counting the
 * known ids in scope first skips the pass over the scope when there are none (the usual case).
 */
function unknownIds(
  inScope: ReadonlySet<string>,
  known: ReadonlySet<string>,
  reported: ReadonlySet<string>,
): string[] {
  let knownInScope = 0;
  for (const id of known) if (inScope.has(id)) knownInScope += 1;
  if (knownInScope === inScope.size) return [];
  const out: string[] = [];
  for (const id of inScope) if (!known.has(id) && !reported.has(id)) out.push(id);
  return out;
}
