/**
 * A picture of what a ScimTestServer holds that two moments can be compared by: users by userName
 * with their status, groups by displayName with their members' userNames, and any name held twice.
 */
import type { ScimTestServer } from '../../../../src/testing/ScimTestServer';

/** What the target holds, by name. */
export interface TargetPicture {
  /** `active` or `inactive`, by userName. */
  readonly users: Record<string, 'active' | 'inactive'>;
  /** Member userNames (sorted), by group displayName. */
  readonly groups: Record<string, string[]>;
  /** userNames and displayNames held more than once (ignoring case). */
  readonly duplicates: string[];
}

/** Takes the picture of `server`'s store. */
export function pictureOf(server: ScimTestServer): TargetPicture {
  const snapshot = server.snapshot();
  const users: Record<string, 'active' | 'inactive'> = {};
  const names = new Map<string, string>();
  const duplicates: string[] = [];
  const seen = new Set<string>();
  const note = (kind: string, name: string) => {
    const key = `${kind}:${name.toLowerCase()}`;
    if (seen.has(key)) duplicates.push(`${kind} ${name}`);
    seen.add(key);
  };
  for (const user of snapshot.users) {
    const userName = String(user.userName);
    note('user', userName);
    users[userName] = user.active === false ? 'inactive' : 'active';
    names.set(String(user.id), userName);
  }
  const groups: Record<string, string[]> = {};
  for (const group of snapshot.groups) {
    const displayName = String(group.displayName);
    note('group', displayName);
    const members = Array.isArray(group.members) ? group.members : [];
    groups[displayName] = members
      .map((member) => {
        const value = String((member as { value?: unknown }).value);
        return names.get(value) ?? `group or unknown ${value}`;
      })
      .sort();
  }
  return { users, groups, duplicates };
}

/** How many users of a picture are active. */
export function activeUsers(picture: TargetPicture): number {
  return Object.values(picture.users).filter((status) => status === 'active').length;
}
