/**
 * What the target must hold after provisioning a datastore, derived from the datastore itself, and
 * the comparison of a `ScimTestServer` snapshot with it: every discrepancy by kind, so that a failed
 * assertion says what went wrong (a lost user, a duplicate, a wrong removal, a wrong membership).
 */
import type { DatastoreAdapter, SourceUser } from '../../../../src/datastore/types';
import type { ScimTestServerSnapshot } from '../../../../src/testing/ScimTestServer';

/** A user as the target must hold it. */
export interface ExpectedUser {
  readonly userName: string;
  readonly displayName: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly title: string;
  readonly email: string;
  readonly externalId: string;
  readonly active: boolean;
}

/** The target a datastore should give: users by userName, group members (userNames) by displayName. */
export interface ExpectedTarget {
  readonly users: ReadonlyMap<string, ExpectedUser>;
  readonly groups: ReadonlyMap<string, ReadonlySet<string>>;
}

function text(user: SourceUser, name: string): string {
  const value = user.attributes[name];
  return typeof value === 'string' ? value : '';
}

function expectedUser(user: SourceUser, active: boolean): ExpectedUser {
  return {
    userName: text(user, 'uid'),
    displayName: text(user, 'cn'),
    givenName: text(user, 'givenName'),
    familyName: text(user, 'sn'),
    title: text(user, 'title'),
    email: text(user, 'mail'),
    externalId: text(user, 'employeeNumber'),
    active,
  };
}

/**
 * The target `datastore` should give with `removeAction: 'disable'`: every source user (active
 * unless disabled in the source), every user in `departed` (removed from the source after it was
 * provisioned: kept, inactive), and every group with its source members.
 */
export async function expectedTarget(
  datastore: DatastoreAdapter,
  departed: Iterable<SourceUser> = [],
): Promise<ExpectedTarget> {
  const users = new Map<string, ExpectedUser>();
  const userNames = new Map<string, string>();
  for await (const user of datastore.users()) {
    const expected = expectedUser(user, !user.disabled);
    users.set(expected.userName, expected);
    userNames.set(user.id, expected.userName);
  }
  for (const user of departed) {
    const expected = expectedUser(user, false);
    users.set(expected.userName, expected);
  }
  const groups = new Map<string, ReadonlySet<string>>();
  for await (const group of datastore.groups()) {
    const members = new Set<string>();
    for (const id of group.memberIds) {
      const userName = userNames.get(id);
      if (userName !== undefined) members.add(userName);
    }
    groups.set(group.name, members);
  }
  return { users, groups };
}

/** Every way the target differs from what it should hold. All empty: the target is right. */
export interface TargetDiscrepancies {
  /** Expected users the target lacks (accounts lost). */
  readonly missingUsers: string[];
  /** Users the target holds that no source object accounts for. */
  readonly unexpectedUsers: string[];
  /** userNames held more than once (ignoring case). */
  readonly duplicateUsers: string[];
  /** Users the target holds inactive that should be active (wrong removals). */
  readonly wronglyRemoved: string[];
  /** Users active in the target that should be inactive (removals not done). */
  readonly notRemoved: string[];
  /** Users with an attribute different from the source's, as `userName.attribute`. */
  readonly wrongAttributes: string[];
  readonly missingGroups: string[];
  readonly unexpectedGroups: string[];
  /** displayNames held more than once (ignoring case). */
  readonly duplicateGroups: string[];
  /** Memberships the target lacks, as `group <- userName`. */
  readonly missingMembers: string[];
  /** Memberships the target holds that the source does not, as `group <- userName`. */
  readonly extraMembers: string[];
}

type Resource = Record<string, unknown>;

function workEmail(user: Resource): string | undefined {
  const emails = user.emails;
  if (!Array.isArray(emails)) return undefined;
  const work = emails.find((email) => (email as { type?: unknown }).type === 'work') as
    | { value?: unknown }
    | undefined;
  return typeof work?.value === 'string' ? work.value : undefined;
}

function duplicatesOf(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key)) duplicates.add(name);
    seen.add(key);
  }
  return [...duplicates];
}

/** Compares a server snapshot with the expected target. */
export function compareTarget(
  snapshot: ScimTestServerSnapshot,
  expected: ExpectedTarget,
): TargetDiscrepancies {
  const result: TargetDiscrepancies = {
    missingUsers: [],
    unexpectedUsers: [],
    duplicateUsers: duplicatesOf(snapshot.users.map((user) => String(user.userName))),
    wronglyRemoved: [],
    notRemoved: [],
    wrongAttributes: [],
    missingGroups: [],
    unexpectedGroups: [],
    duplicateGroups: duplicatesOf(snapshot.groups.map((group) => String(group.displayName))),
    missingMembers: [],
    extraMembers: [],
  };
  const byId = new Map<string, string>();
  const held = new Map<string, Resource>();
  for (const user of snapshot.users) {
    const userName = String(user.userName);
    byId.set(String(user.id), userName);
    held.set(userName, user);
    const want = expected.users.get(userName);
    if (want === undefined) {
      result.unexpectedUsers.push(userName);
      continue;
    }
    const active = user.active !== false;
    if (want.active && !active) result.wronglyRemoved.push(userName);
    if (!want.active && active) result.notRemoved.push(userName);
    const name = (user.name ?? {}) as Resource;
    const actual: Record<string, unknown> = {
      displayName: user.displayName,
      givenName: name.givenName,
      familyName: name.familyName,
      title: user.title,
      email: workEmail(user),
      externalId: user.externalId,
    };
    for (const [attribute, value] of Object.entries(actual)) {
      if (value !== want[attribute as keyof ExpectedUser])
        result.wrongAttributes.push(`${userName}.${attribute}`);
    }
  }
  for (const userName of expected.users.keys()) if (!held.has(userName)) result.missingUsers.push(userName);

  const heldGroups = new Set<string>();
  for (const group of snapshot.groups) {
    const displayName = String(group.displayName);
    heldGroups.add(displayName);
    const want = expected.groups.get(displayName);
    if (want === undefined) {
      result.unexpectedGroups.push(displayName);
      continue;
    }
    const members = new Set<string>();
    for (const member of Array.isArray(group.members) ? group.members : []) {
      const value = String((member as { value?: unknown }).value);
      members.add(byId.get(value) ?? `unknown id ${value}`);
    }
    for (const userName of want)
      if (!members.has(userName)) result.missingMembers.push(`${displayName} <- ${userName}`);
    for (const userName of members)
      if (!want.has(userName)) result.extraMembers.push(`${displayName} <- ${userName}`);
  }
  for (const displayName of expected.groups.keys()) {
    if (!heldGroups.has(displayName)) result.missingGroups.push(displayName);
  }
  return result;
}

/** The discrepancies with at most `limit` examples each, for readable assertion messages. */
export function summarise(discrepancies: TargetDiscrepancies, limit = 5): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [kind, items] of Object.entries(discrepancies) as [string, string[]][]) {
    if (items.length > 0) out[kind] = [`${items.length} in all`, ...items.slice(0, limit)];
  }
  return out;
}
