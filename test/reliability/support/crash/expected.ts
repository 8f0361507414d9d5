/**
 * What the target must hold after the crash tests' cycles, worked out from the directory alone
 * (not from the engine's code), and how a ScimTestServer's content differs from it.
 */
import type { DatastoreAdapter, SourceUser } from '../../../../src/datastore/types';
import type { ScimTestServerSnapshot } from '../../../../src/testing/ScimTestServer';
import type { RemoveAction } from './engine';

/** One user as the target must hold it. */
export interface ExpectedUser {
  readonly userName: string;
  readonly displayName: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly title: string | undefined;
  readonly email: string;
  readonly externalId: string;
  readonly active: boolean;
}

/** Users by userName; groups by displayName, each with its members' names (`user:x`, `group:y`). */
export interface ExpectedTarget {
  readonly users: ReadonlyMap<string, ExpectedUser>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function text(user: SourceUser, name: string): string | undefined {
  const value = user.attributes[name];
  return typeof value === 'string' ? value : undefined;
}

function expectedUser(user: SourceUser, active: boolean): ExpectedUser {
  return {
    userName: String(text(user, 'uid')),
    displayName: String(text(user, 'cn')),
    givenName: String(text(user, 'givenName')),
    familyName: String(text(user, 'sn')),
    title: text(user, 'title'),
    email: String(text(user, 'mail')),
    externalId: String(text(user, 'employeeNumber')),
    active,
  };
}

/**
 * The target after provisioning `initial` and then, when given, `changed`:
 *
 * - enabled users are active with their current attributes;
 * - a provisioned user who is disabled or gone stays, inactive and as last written, with
 *   `removeAction: 'disable'`, and is absent with `'delete'`; a disabled user never provisioned
 *   is absent;
 * - each group holds exactly its source members that the target holds.
 */
export async function expectedTarget(
  initial: DatastoreAdapter,
  changed: DatastoreAdapter | undefined,
  removeAction: RemoveAction,
): Promise<ExpectedTarget> {
  const first = await collect(initial.users());
  const provisioned = new Map(first.filter((user) => !user.disabled).map((user) => [user.id, user]));
  const finalUsers = changed === undefined ? first : await collect(changed.users());
  const finalGroups = await collect((changed ?? initial).groups());
  const present = new Map<string, ExpectedUser>();
  for (const user of finalUsers) {
    if (!user.disabled) present.set(user.id, expectedUser(user, true));
    else if (provisioned.has(user.id) && removeAction === 'disable')
      present.set(user.id, expectedUser(user, false));
  }
  const stillThere = new Set(finalUsers.map((user) => user.id));
  if (removeAction === 'disable') {
    for (const [id, user] of provisioned) if (!stillThere.has(id)) present.set(id, expectedUser(user, false));
  }
  const groupNames = new Map(finalGroups.map((group) => [group.id, group.name]));
  const groups = new Map<string, string[]>();
  for (const group of finalGroups) {
    const members: string[] = [];
    for (const id of group.memberIds) {
      const user = present.get(id);
      if (user !== undefined) members.push(`user:${user.userName}`);
      const name = groupNames.get(id);
      if (name !== undefined) members.push(`group:${name}`);
    }
    groups.set(group.name, members.sort());
  }
  return { users: new Map([...present.values()].map((user) => [user.userName, user])), groups };
}

/** How a target differs from what it must hold; every list empty when it is right. */
export interface TargetDifferences {
  /** Expected users the target does not have. */
  readonly lost: string[];
  /** userNames or displayNames held more than once. */
  readonly duplicates: string[];
  /** Users that should be active and are inactive. */
  readonly wronglyRemoved: string[];
  /** Users or groups the target holds and should not. */
  readonly unexpected: string[];
  /** Users or groups whose attributes, status or members differ. */
  readonly wrong: string[];
}

function attribute(resource: Record<string, unknown>, name: string): unknown {
  return resource[name];
}

function workEmail(resource: Record<string, unknown>): unknown {
  const emails = attribute(resource, 'emails');
  if (!Array.isArray(emails)) return undefined;
  const work = emails.find(
    (email: unknown) =>
      typeof email === 'object' && email !== null && (email as { type?: unknown }).type === 'work',
  ) as { value?: unknown } | undefined;
  return work?.value;
}

function nameOf(resource: Record<string, unknown>, part: 'givenName' | 'familyName'): unknown {
  const name = attribute(resource, 'name');
  return typeof name === 'object' && name !== null ? (name as Record<string, unknown>)[part] : undefined;
}

/** Compares what `snapshot` holds with `expected`, exactly. */
export function compareTarget(snapshot: ScimTestServerSnapshot, expected: ExpectedTarget): TargetDifferences {
  const differences: TargetDifferences = {
    lost: [],
    duplicates: [],
    wronglyRemoved: [],
    unexpected: [],
    wrong: [],
  };
  const usersByName = new Map<string, Record<string, unknown>>();
  const nameById = new Map<string, string>();
  for (const user of snapshot.users) {
    const userName = String(user.userName);
    if (usersByName.has(userName)) differences.duplicates.push(`user:${userName}`);
    usersByName.set(userName, user);
    nameById.set(String(user.id), `user:${userName}`);
  }
  const groupsByName = new Map<string, Record<string, unknown>>();
  for (const group of snapshot.groups) {
    const displayName = String(group.displayName);
    if (groupsByName.has(displayName)) differences.duplicates.push(`group:${displayName}`);
    groupsByName.set(displayName, group);
    nameById.set(String(group.id), `group:${displayName}`);
  }
  for (const [userName, wanted] of expected.users) {
    const held = usersByName.get(userName);
    if (held === undefined) {
      differences.lost.push(userName);
      continue;
    }
    const active = held.active !== false;
    if (wanted.active && !active) differences.wronglyRemoved.push(userName);
    const actual = {
      displayName: held.displayName,
      givenName: nameOf(held, 'givenName'),
      familyName: nameOf(held, 'familyName'),
      title: held.title,
      email: workEmail(held),
      externalId: held.externalId,
      active,
    };
    const { userName: _userName, ...rest } = wanted;
    if (JSON.stringify(actual) !== JSON.stringify(rest)) {
      differences.wrong.push(
        `user:${userName} is ${JSON.stringify(actual)}, expected ${JSON.stringify(rest)}`,
      );
    }
  }
  for (const userName of usersByName.keys()) {
    if (!expected.users.has(userName)) differences.unexpected.push(`user:${userName}`);
  }
  for (const [displayName, wantedMembers] of expected.groups) {
    const held = groupsByName.get(displayName);
    if (held === undefined) {
      differences.lost.push(`group:${displayName}`);
      continue;
    }
    const members = Array.isArray(held.members) ? (held.members as { value?: unknown }[]) : [];
    const actual = members
      .map((member) => nameById.get(String(member.value)) ?? `unknown:${String(member.value)}`)
      .sort();
    if (JSON.stringify(actual) !== JSON.stringify(wantedMembers)) {
      differences.wrong.push(
        `group:${displayName} has ${actual.join(', ')}; expected ${wantedMembers.join(', ')}`,
      );
    }
  }
  for (const displayName of groupsByName.keys()) {
    if (!expected.groups.has(displayName)) differences.unexpected.push(`group:${displayName}`);
  }
  return differences;
}
