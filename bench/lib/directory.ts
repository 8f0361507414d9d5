/**
 * Generated directories for the benchmarks: N users and M groups in an `InMemoryDatastore`, with
 * group sizes like a company's: one big group (10,000 members, or every user when there are fewer)
 * and the others small, so that the members of all groups average 20 per group.
 *
 * Everything is derived from the index and a seeded generator: the same sizes give the same
 * directory, run after run.
 */
import { InMemoryDatastore, type InMemoryUserInput } from '../../src/datastore/memory/InMemoryDatastore';
import type { AttributeMapping } from '../../src/engine/mapping/types';

/** The user mapping the benchmarks provision with (an inetOrgPerson-like source). */
export const BENCH_USER_MAPPING: AttributeMapping = Object.freeze({
  userName: 'uid',
  displayName: 'cn',
  'name.givenName': 'givenName',
  'name.familyName': 'sn',
  title: 'title',
  'emails[type eq "work"].value': 'mail',
  externalId: 'employeeNumber',
});

/** The shape of a generated directory. */
export interface DirectorySpec {
  /** How many users. */
  readonly users: number;
  /** How many groups (0 for none). */
  readonly groups: number;
  /**
   * Members per group on average, the big group included.
   * @default 20
   */
  readonly meanMembers?: number;
  /**
   * Members of the first group (capped at `users`).
   * @default 10000
   */
  readonly bigGroup?: number;
  /**
   * Seed of the generator that sizes and places the small groups.
   * @default 8
   */
  readonly seed?: number;
}

/** How a generated directory came out. */
export interface DirectoryFacts {
  readonly users: number;
  readonly groups: number;
  /** Member references over every group. */
  readonly memberships: number;
  /** Members of the biggest group. */
  readonly biggestGroup: number;
}

const TITLES = ['Engineer', 'Senior Engineer', 'Manager', 'Analyst', 'Director', 'Intern'];

/** The source id of user `index`. */
export function userId(index: number): string {
  return `u${index}`;
}

/** The source id of group `index`. */
export function groupId(index: number): string {
  return `g${index}`;
}

/**
 * User `index` as the datastore holds it; `revision` changes the title (an update to provision).
 *
 * @example
 * ```ts
 * datastore.addUser(benchUser(42)); // uid user42, mail user42@example.com
 * ```
 */
export function benchUser(index: number, revision = 0): InMemoryUserInput {
  return {
    id: userId(index),
    disabled: false,
    attributes: {
      uid: `user${index}`,
      cn: `User ${index}`,
      givenName: 'User',
      sn: `Number${index}`,
      title: revision === 0 ? (TITLES[index % TITLES.length] as string) : `Revised title ${revision}`,
      mail: `user${index}@example.com`,
      employeeNumber: String(100000 + index),
    },
  };
}

/** A small, fast, seeded generator (mulberry32): the same seed gives the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The member indexes of every group: group 0 holds users `0 .. bigGroup-1`; each other group a
 * run of consecutive users (wrapping around) at a random place, sized at random around the mean
 * that makes the whole directory average `meanMembers` per group.
 */
export function groupMembers(spec: DirectorySpec): (index: number) => number[] {
  const meanMembers = spec.meanMembers ?? 20;
  const big = Math.min(spec.bigGroup ?? 10_000, spec.users);
  const others = Math.max(0, spec.groups - 1);
  const remaining = Math.max(0, Math.round(meanMembers * spec.groups) - big);
  const mean = others === 0 ? 0 : remaining / others;
  const random = seededRandom(spec.seed ?? 8);
  const sizes: number[] = [];
  const starts: number[] = [];
  let total = 0;
  for (let index = 0; index < others; index++) {
    // Uniform on [1, 2*mean - 1] keeps the mean; the last group takes up the rounding.
    const size = Math.max(1, Math.round(1 + random() * Math.max(0, 2 * mean - 2)));
    const capped = Math.min(size, Math.max(1, spec.users));
    sizes.push(capped);
    starts.push(Math.floor(random() * Math.max(1, spec.users)));
    total += capped;
  }
  // Bring the total to exactly `remaining`, one member at a time, spread over the groups.
  const cap = Math.max(1, spec.users);
  const steps = (Math.abs(remaining - total) + 2) * others;
  for (let step = 0; step < steps && total !== remaining; step++) {
    const at = step % others;
    const size = sizes[at] as number;
    if (total > remaining && size > 1) {
      sizes[at] = size - 1;
      total -= 1;
    } else if (total < remaining && size < cap) {
      sizes[at] = size + 1;
      total += 1;
    }
  }
  return (index) => {
    if (spec.users === 0) return [];
    if (index === 0) return Array.from({ length: big }, (_, member) => member);
    const size = sizes[index - 1] ?? 0;
    const start = starts[index - 1] ?? 0;
    return Array.from({ length: size }, (_, member) => (start + member) % spec.users);
  };
}

/**
 * Fills `datastore` (a new one by default) with the directory of `spec`.
 *
 * @example
 * ```ts
 * const { datastore, facts } = generateDirectory({ users: 10_000, groups: 1_000 });
 * ```
 */
export function generateDirectory(
  spec: DirectorySpec,
  datastore: InMemoryDatastore = new InMemoryDatastore(),
): { datastore: InMemoryDatastore; facts: DirectoryFacts } {
  for (let index = 0; index < spec.users; index++) datastore.addUser(benchUser(index));
  const membersOf = groupMembers(spec);
  let memberships = 0;
  let biggestGroup = 0;
  for (let index = 0; index < spec.groups; index++) {
    const members = membersOf(index);
    memberships += members.length;
    biggestGroup = Math.max(biggestGroup, members.length);
    datastore.addGroup({
      id: groupId(index),
      name: `group-${index}`,
      memberIds: members.map(userId),
      attributes: { cn: `group-${index}` },
    });
  }
  return { datastore, facts: { users: spec.users, groups: spec.groups, memberships, biggestGroup } };
}

/**
 * Changes the title of `count` users spread evenly over the directory (`revision` tells the
 * changes of one round from another) and returns their indexes.
 */
export function changeUsers(
  datastore: InMemoryDatastore,
  users: number,
  count: number,
  revision: number,
): number[] {
  const changed: number[] = [];
  if (count <= 0 || users <= 0) return changed;
  const step = users / count;
  for (let k = 0; k < count; k++) {
    const index = Math.min(users - 1, Math.floor(k * step));
    datastore.updateUser(userId(index), { attributes: { title: `Revised title ${revision}` } });
    changed.push(index);
  }
  return changed;
}
