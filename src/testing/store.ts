/**
 * The in-memory store behind {@link ScimTestServer}: users and groups with the indexes that keep
 * lookups O(1) at benchmark scale (100,000 users, 10,000-member groups).
 */
import { randomUUID } from 'node:crypto';
import { findKey, isPlainObject } from '../scim/attributes';
import { ScimProtocolError } from '../scim/errors/ScimProtocolError';

/** The two resource types the server stores. */
export type StoredResourceType = 'User' | 'Group';

/**
 * One stored resource.
 *
 * @internal The server renders these into SCIM resources; they never leave the package as is.
 */
export interface StoredResource {
  readonly resourceType: StoredResourceType;
  readonly id: string;
  /** Insertion sequence: lists and cursors follow it. */
  readonly seq: number;
  /** The attributes as written by the client, without `id`, `meta`, `groups` and `password`. */
  data: Record<string, unknown>;
  /** A user's password (write-only: never rendered). */
  password?: string;
  created: string;
  lastModified: string;
  /** Incremented on every change; the ETag is `W/"<version>"`. */
  version: number;
  /** A group's member ids (the `value` of each member), kept in step with `data.members`. */
  memberIds?: Set<string>;
}

/** Options of the {@link ResourceStore}. */
export interface ResourceStoreOptions {
  /** Whether two groups may not share a `displayName` (compared case-insensitively). */
  readonly uniqueGroupDisplayName: boolean;
  /** Gives the current time for `meta.created` / `meta.lastModified`. */
  readonly now?: () => Date;
}

function lower(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

function addToIndex(index: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  let ids = index.get(key);
  if (ids === undefined) {
    ids = new Set();
    index.set(key, ids);
  }
  ids.add(id);
}

function removeFromIndex(index: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const ids = index.get(key);
  if (ids === undefined) return;
  ids.delete(id);
  if (ids.size === 0) index.delete(key);
}

/** Reads an attribute case-insensitively. */
export function readAttribute(data: Record<string, unknown>, name: string): unknown {
  const key = findKey(data, name);
  return key === undefined ? undefined : data[key];
}

/**
 * A copy of a resource body without its unassigned attributes. RFC 7643 section 2.5: "Unassigned
 * attributes, the null value, or empty array (in the case of a multi-valued attribute) SHALL be
 * considered to be equivalent in 'state'", so an attribute given as `null` or `[]` is left out,
 * and a replace (PUT) that sends one clears it. The same holds for sub-attributes, inside complex
 * values and inside the values of multi-valued attributes; a complex value left with no
 * sub-attribute, and a `null` among the values of a multi-valued attribute, are dropped too.
 * `body` is not modified.
 *
 * @example
 * ```ts
 * withoutUnassigned({ userName: 'bjensen', title: null, emails: [], name: { givenName: null } });
 * // { userName: 'bjensen' }
 * ```
 */
export function withoutUnassigned(body: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const assigned = assignedValue(value);
    if (assigned !== undefined) kept[key] = assigned;
  }
  return kept;
}

/** `value` without its unassigned parts, or `undefined` when nothing of it is assigned. */
function assignedValue(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(assignedValue).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isPlainObject(value)) {
    if (Object.keys(value).length === 0) return value;
    const kept = withoutUnassigned(value);
    return Object.keys(kept).length === 0 ? undefined : kept;
  }
  return value;
}

/** The path of the first `null` in `value` (`['name', 'givenName']`), or `undefined` when it holds none. */
export function findNull(
  value: unknown,
  path: readonly (string | number)[] = [],
): (string | number)[] | undefined {
  if (value === null) return [...path];
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNull(item, [...path, index]);
      if (found !== undefined) return found;
    }
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = findNull(item, [...path, key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Users and groups, with indexes on `userName` and `displayName` (case-insensitive) and a
 * reverse membership index (member id -> ids of the groups holding it).
 *
 * The store enforces what a SCIM service provider must: unique ids across both types, unique
 * `userName` (case-insensitive), unique group `displayName` when configured, and group members
 * that reference existing users or groups. It throws {@link ScimProtocolError} (`uniqueness`
 * with status 409, `invalidValue` with 400) when a write breaks one of these.
 *
 * @internal Used by {@link ScimTestServer}.
 */
export class ResourceStore {
  readonly users = new Map<string, StoredResource>();
  readonly groups = new Map<string, StoredResource>();
  private readonly userNameIndex = new Map<string, Set<string>>();
  private readonly displayNameIndex = new Map<string, Set<string>>();
  private readonly memberOf = new Map<string, Set<string>>();
  private sequence = 0;
  private orderedUserCache: StoredResource[] | undefined;
  private orderedGroupCache: StoredResource[] | undefined;
  private readonly now: () => Date;

  constructor(readonly options: ResourceStoreOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The stored resource with this id, of either type. */
  get(id: string): StoredResource | undefined {
    return this.users.get(id) ?? this.groups.get(id);
  }

  /** Every user, in creation order. The array is shared: do not modify it. */
  orderedUsers(): readonly StoredResource[] {
    this.orderedUserCache ??= [...this.users.values()];
    return this.orderedUserCache;
  }

  /** Every group, in creation order. The array is shared: do not modify it. */
  orderedGroups(): readonly StoredResource[] {
    this.orderedGroupCache ??= [...this.groups.values()];
    return this.orderedGroupCache;
  }

  /** Users whose `userName` equals `userName`, ignoring case. */
  usersByUserName(userName: string): StoredResource[] {
    return this.lookup(this.userNameIndex, this.users, userName);
  }

  /** Groups whose `displayName` equals `displayName`, ignoring case. */
  groupsByDisplayName(displayName: string): StoredResource[] {
    return this.lookup(this.displayNameIndex, this.groups, displayName);
  }

  /** Ids of the groups that hold `memberId` directly. */
  directGroupsOf(memberId: string): ReadonlySet<string> | undefined {
    return this.memberOf.get(memberId);
  }

  /**
   * Ids of the groups that hold `memberId` indirectly (through nested groups), not counting the
   * direct ones. Cycles are allowed and visited once.
   */
  indirectGroupsOf(memberId: string): Set<string> {
    const direct = this.memberOf.get(memberId);
    const indirect = new Set<string>();
    if (direct === undefined) return indirect;
    const queue = [...direct];
    const seen = new Set<string>(direct);
    for (let index = 0; index < queue.length; index++) {
      const parents = this.memberOf.get(queue[index]!);
      if (parents === undefined) continue;
      for (const parent of parents) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        indirect.add(parent);
        queue.push(parent);
      }
    }
    return indirect;
  }

  /** Creates a user. `id` is generated unless given. */
  createUser(data: Record<string, unknown>, password: string | undefined, id?: string): StoredResource {
    const userName = readAttribute(data, 'userName');
    this.checkUserName(userName, undefined);
    const record = this.newRecord('User', data, id);
    if (password !== undefined) record.password = password;
    this.users.set(record.id, record);
    this.orderedUserCache = undefined;
    addToIndex(this.userNameIndex, lower(userName), record.id);
    return record;
  }

  /** Replaces a user's attributes. `password`: a new one, `undefined` to keep the stored one, `null` to remove it. */
  replaceUser(
    id: string,
    data: Record<string, unknown>,
    password: string | null | undefined,
  ): StoredResource {
    const record = this.users.get(id);
    if (record === undefined)
      throw new ScimProtocolError('noTarget', `User ${id} not found`, { status: 404 });
    const before = readAttribute(record.data, 'userName');
    const after = readAttribute(data, 'userName');
    this.checkUserName(after, id);
    removeFromIndex(this.userNameIndex, lower(before), id);
    addToIndex(this.userNameIndex, lower(after), id);
    record.data = data;
    if (password === null) delete record.password;
    else if (password !== undefined) record.password = password;
    this.touch(record);
    return record;
  }

  /** Deletes a user and removes it from every group. Returns false when there was no such user. */
  deleteUser(id: string): boolean {
    const record = this.users.get(id);
    if (record === undefined) return false;
    this.users.delete(id);
    this.orderedUserCache = undefined;
    removeFromIndex(this.userNameIndex, lower(readAttribute(record.data, 'userName')), id);
    this.removeFromAllGroups(id);
    return true;
  }

  /** Creates a group. `id` is generated unless given. Members must exist. */
  createGroup(data: Record<string, unknown>, id?: string): StoredResource {
    const displayName = readAttribute(data, 'displayName');
    this.checkDisplayName(displayName, undefined);
    const memberIds = this.checkMembers(data, id);
    const record = this.newRecord('Group', data, id);
    record.memberIds = memberIds;
    this.groups.set(record.id, record);
    this.orderedGroupCache = undefined;
    addToIndex(this.displayNameIndex, lower(displayName), record.id);
    for (const memberId of memberIds) addToIndex(this.memberOf, memberId, record.id);
    return record;
  }

  /** Replaces a group's attributes (members included). Members must exist. */
  replaceGroup(id: string, data: Record<string, unknown>): StoredResource {
    const record = this.groups.get(id);
    if (record === undefined)
      throw new ScimProtocolError('noTarget', `Group ${id} not found`, { status: 404 });
    const before = readAttribute(record.data, 'displayName');
    const after = readAttribute(data, 'displayName');
    this.checkDisplayName(after, id);
    const memberIds = this.checkMembers(data, id);
    removeFromIndex(this.displayNameIndex, lower(before), id);
    addToIndex(this.displayNameIndex, lower(after), id);
    const previous = record.memberIds ?? new Set<string>();
    for (const memberId of previous) {
      if (!memberIds.has(memberId)) removeFromIndex(this.memberOf, memberId, id);
    }
    for (const memberId of memberIds) {
      if (!previous.has(memberId)) addToIndex(this.memberOf, memberId, id);
    }
    record.data = data;
    record.memberIds = memberIds;
    this.touch(record);
    return record;
  }

  /** Deletes a group and removes it from the groups that held it. */
  deleteGroup(id: string): boolean {
    const record = this.groups.get(id);
    if (record === undefined) return false;
    this.groups.delete(id);
    this.orderedGroupCache = undefined;
    removeFromIndex(this.displayNameIndex, lower(readAttribute(record.data, 'displayName')), id);
    for (const memberId of record.memberIds ?? []) removeFromIndex(this.memberOf, memberId, id);
    this.removeFromAllGroups(id);
    return true;
  }

  /** Removes every user and group. */
  clear(): void {
    this.users.clear();
    this.groups.clear();
    this.userNameIndex.clear();
    this.displayNameIndex.clear();
    this.memberOf.clear();
    this.orderedUserCache = undefined;
    this.orderedGroupCache = undefined;
  }

  private lookup(
    index: Map<string, Set<string>>,
    records: Map<string, StoredResource>,
    name: string,
  ): StoredResource[] {
    const ids = index.get(name.toLowerCase());
    if (ids === undefined) return [];
    const found: StoredResource[] = [];
    for (const id of ids) {
      const record = records.get(id);
      if (record !== undefined) found.push(record);
    }
    return found.sort((a, b) => a.seq - b.seq);
  }

  private newRecord(
    resourceType: StoredResourceType,
    data: Record<string, unknown>,
    id?: string,
  ): StoredResource {
    if (id !== undefined && (id === '' || this.get(id) !== undefined)) {
      throw new ScimProtocolError('uniqueness', `A resource with id ${JSON.stringify(id)} already exists`, {
        status: 409,
      });
    }
    let newId = id ?? randomUUID();
    while (this.get(newId) !== undefined) newId = randomUUID();
    const now = this.now().toISOString();
    this.sequence += 1;
    return { resourceType, id: newId, seq: this.sequence, data, created: now, lastModified: now, version: 1 };
  }

  private touch(record: StoredResource): void {
    record.version += 1;
    record.lastModified = this.now().toISOString();
  }

  private checkUserName(userName: unknown, selfId: string | undefined): void {
    if (typeof userName !== 'string' || userName === '') {
      throw new ScimProtocolError('invalidValue', 'userName is required and must be a non-empty string');
    }
    const holders = this.userNameIndex.get(userName.toLowerCase());
    if (holders !== undefined && [...holders].some((holder) => holder !== selfId)) {
      throw new ScimProtocolError('uniqueness', `userName ${JSON.stringify(userName)} is already in use`, {
        status: 409,
      });
    }
  }

  private checkDisplayName(displayName: unknown, selfId: string | undefined): void {
    if (typeof displayName !== 'string' || displayName === '') {
      throw new ScimProtocolError('invalidValue', 'displayName is required and must be a non-empty string');
    }
    if (!this.options.uniqueGroupDisplayName) return;
    const holders = this.displayNameIndex.get(displayName.toLowerCase());
    if (holders !== undefined && [...holders].some((holder) => holder !== selfId)) {
      throw new ScimProtocolError(
        'uniqueness',
        `displayName ${JSON.stringify(displayName)} is already in use`,
        {
          status: 409,
        },
      );
    }
  }

  /**
   * Checks that every member references an existing user or group (not the group itself) and that
   * a member's `type`, when given, is right. Removes repeated members (the first is kept) from
   * `data.members`, in place.
   */
  private checkMembers(data: Record<string, unknown>, selfId: string | undefined): Set<string> {
    const ids = new Set<string>();
    const key = findKey(data, 'members');
    if (key === undefined) return ids;
    const members = data[key];
    if (members === null) {
      delete data[key];
      return ids;
    }
    if (!Array.isArray(members)) throw new ScimProtocolError('invalidValue', 'members must be an array');
    const kept: unknown[] = [];
    members.forEach((member, index) => {
      const value = isPlainObject(member) ? readAttribute(member, 'value') : undefined;
      if (!isPlainObject(member) || typeof value !== 'string' || value === '') {
        throw new ScimProtocolError('invalidValue', `members[${index}].value must be a non-empty string`);
      }
      if (value === selfId) {
        throw new ScimProtocolError(
          'invalidValue',
          `members[${index}]: a group cannot be a member of itself`,
        );
      }
      const target = this.get(value);
      if (target === undefined) {
        throw new ScimProtocolError(
          'invalidValue',
          `members[${index}].value: no User or Group has id ${value}`,
        );
      }
      const type = readAttribute(member, 'type');
      if (typeof type === 'string' && type.toLowerCase() !== target.resourceType.toLowerCase()) {
        throw new ScimProtocolError(
          'invalidValue',
          `members[${index}].type is ${JSON.stringify(type)} but ${value} is a ${target.resourceType}`,
        );
      }
      if (ids.has(value)) return;
      ids.add(value);
      kept.push(member);
    });
    if (kept.length !== members.length) data[key] = kept;
    return ids;
  }

  private removeFromAllGroups(memberId: string): void {
    const holders = this.memberOf.get(memberId);
    if (holders === undefined) return;
    this.memberOf.delete(memberId);
    for (const groupId of holders) {
      const group = this.groups.get(groupId);
      if (group === undefined) continue;
      group.memberIds?.delete(memberId);
      const key = findKey(group.data, 'members');
      const members = key === undefined ? undefined : group.data[key];
      if (key !== undefined && Array.isArray(members)) {
        group.data = {
          ...group.data,
          [key]: members.filter(
            (member) => !isPlainObject(member) || readAttribute(member, 'value') !== memberId,
          ),
        };
      }
      this.touch(group);
    }
  }
}
