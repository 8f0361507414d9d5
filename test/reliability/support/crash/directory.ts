/**
 * The directory the crash tests provision: a seeded company of people and teams (nested teams
 * included), and a seeded set of changes to it (updates, renames, an attribute cleared,
 * disables, re-enables, removals, new people, a team renamed, a team removed, a new team, members
 * moved). The test process and the child process build the same datastore from the same seed.
 *
 * The datastore tracks changes with a watermark that survives a process restart (as a
 * directory's USN does): a cycle that follows a completed one reads only what changed.
 */
import { InMemoryDatastore } from '../../../../src/datastore/memory/InMemoryDatastore';
import type {
  ChangesOptions,
  DatastoreAdapter,
  DatastoreChanges,
  ReadOptions,
  ScopeIds,
  SourceGroup,
  SourceUser,
  Watermark,
} from '../../../../src/datastore/types';

/** How big a directory is. */
export interface DirectoryScale {
  readonly users: number;
  readonly groups: number;
}

/** The size CI runs: small enough for 40 crashes in well under a minute and a half. */
export const CI_SCALE: DirectoryScale = { users: 60, groups: 8 };

/** The size `RELIABILITY_SCALE=full` runs. */
export const FULL_SCALE: DirectoryScale = { users: 1000, groups: 40 };

/** The scale chosen by `RELIABILITY_SCALE` (`full`, or anything else for CI's). */
export function scaleFromEnvironment(value: string | undefined): DirectoryScale {
  return value === 'full' ? FULL_SCALE : CI_SCALE;
}

/** Which state of the directory: as first provisioned, or after the changes. */
export type DirectoryPhase = 'initial' | 'changed';

/** A small, fast, seeded generator (mulberry32): the same seed gives the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `items` in a seeded random order (a copy). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    const held = copy[index] as T;
    copy[index] = copy[other] as T;
    copy[other] = held;
  }
  return copy;
}

function personAttributes(index: number): Record<string, string> {
  return {
    uid: `person${index}`,
    cn: `Person ${index}`,
    givenName: 'Person',
    sn: `Number${index}`,
    title: index % 3 === 0 ? 'Engineer' : 'Analyst',
    mail: `person${index}@example.com`,
    employeeNumber: `E${10_000 + index}`,
  };
}

/** What {@link seedCompany} made: the ids the changes pick from. */
interface Company {
  readonly users: readonly { readonly id: string; readonly disabled: boolean }[];
  readonly groups: readonly { readonly id: string; readonly memberIds: readonly string[] }[];
}

/** Builds the seeded company into `datastore`: about 1 in 20 people disabled, teams of 3 to 12. */
function seedCompany(datastore: InMemoryDatastore, seed: number, scale: DirectoryScale): Company {
  const random = seededRandom(seed);
  const users: Company['users'][number][] = [];
  const groups: Company['groups'][number][] = [];
  for (let index = 0; index < scale.users; index++) {
    const user = { id: `u${index}`, disabled: random() < 0.05 };
    datastore.addUser({ ...user, attributes: personAttributes(index) });
    users.push(user);
  }
  for (let index = 0; index < scale.groups; index++) {
    const size = 3 + Math.floor(random() * 10);
    const members = new Set<string>();
    for (let pick = 0; pick < size; pick++) members.add(`u${Math.floor(random() * scale.users)}`);
    // Team 0 holds team 1: a nested group.
    if (index === 0 && scale.groups > 1) members.add('g1');
    const group = { id: `g${index}`, memberIds: [...members] };
    datastore.addGroup({ ...group, name: `Team ${index}` });
    groups.push(group);
  }
  // A group of the disabled people only, which the changes never touch: the people re-enabled
  // later must join it in the target then, though the directory reports no change to it.
  const dormant = { id: 'dormant', memberIds: users.filter((user) => user.disabled).map((user) => user.id) };
  datastore.addGroup({ ...dormant, name: 'Dormant accounts' });
  groups.push(dormant);
  return { users, groups };
}

/**
 * Applies the seeded changes: every kind a cycle handles, each on people of its own, so that the
 * expected outcome of each is plain.
 */
function applyChanges(
  datastore: InMemoryDatastore,
  seed: number,
  scale: DirectoryScale,
  company: Company,
): void {
  const random = seededRandom(seed ^ 0x5eed);
  const enabled = shuffled(
    company.users.filter((user) => !user.disabled).map((user) => user.id),
    random,
  );
  const share = (fraction: number) => Math.max(1, Math.round(scale.users * fraction));
  const take = (count: number) => enabled.splice(0, count);
  for (const id of take(share(0.1))) datastore.updateUser(id, { attributes: { title: `Lead ${id}` } });
  for (const id of take(share(0.03))) datastore.updateUser(id, { attributes: { title: null } });
  for (const id of take(share(0.05))) {
    const index = id.slice(1);
    datastore.updateUser(id, {
      attributes: {
        uid: `person${index}.renamed`,
        cn: `Person ${index} Renamed`,
        mail: `p${index}@example.org`,
      },
    });
  }
  for (const id of take(share(0.05))) datastore.disableUser(id);
  for (const id of take(share(0.05))) datastore.removeUser(id);
  const disabled = company.users.filter((user) => user.disabled).map((user) => user.id);
  for (const id of disabled.slice(0, Math.ceil(disabled.length / 2))) datastore.enableUser(id);
  const newcomers: string[] = [];
  for (let count = 0; count < share(0.05); count++) {
    const index = scale.users + count;
    datastore.addUser({ id: `u${index}`, attributes: personAttributes(index) });
    newcomers.push(`u${index}`);
  }
  if (scale.groups < 4) return;
  datastore.updateGroup('g1', { name: 'Team 1 Renamed' });
  datastore.removeGroup(`g${scale.groups - 1}`);
  datastore.addGroup({
    id: `g${scale.groups}`,
    name: `Team ${scale.groups}`,
    memberIds: ['g2', ...newcomers],
  });
  // Members move: two join and two leave each of a few teams.
  for (const group of company.groups.slice(2, Math.min(scale.groups - 1, 6))) {
    datastore.addMembers(group.id, take(2));
    datastore.removeMembers(group.id, group.memberIds.filter((id) => id.startsWith('u')).slice(0, 2));
  }
}

/**
 * A datastore whose watermarks name the directory, not the object: a new process that builds the
 * same directory reads the changes since a watermark an earlier process stored, as it would from
 * a directory server.
 */
class StableWatermarkDatastore implements DatastoreAdapter {
  readonly #inner: InMemoryDatastore;
  readonly #name: string;
  #innerName: string | undefined;

  constructor(inner: InMemoryDatastore, name: string) {
    this.#inner = inner;
    this.#name = name;
  }

  users(options?: ReadOptions): AsyncIterable<SourceUser> {
    return this.#inner.users(options);
  }

  groups(options?: ReadOptions): AsyncIterable<SourceGroup> {
    return this.#inner.groups(options);
  }

  user(id: string, options?: ReadOptions): Promise<SourceUser | undefined> {
    return this.#inner.user(id, options);
  }

  ids(): Promise<ScopeIds> {
    return this.#inner.ids();
  }

  async changes(watermark: Watermark | undefined, options?: ChangesOptions): Promise<DatastoreChanges> {
    const innerName = await this.#nameOfInner();
    const sequence = sequenceOf(watermark, this.#name);
    const changes = await this.#inner.changes(
      sequence === undefined ? undefined : { store: innerName, sequence },
      options,
    );
    return {
      full: changes.full,
      users: changes.users,
      groups: changes.groups,
      removed: () => changes.removed(),
      nextWatermark: async () => ({
        store: this.#name,
        sequence: sequenceOf(await changes.nextWatermark(), innerName) ?? 0,
      }),
    };
  }

  async #nameOfInner(): Promise<string> {
    if (this.#innerName === undefined) {
      const probe = await (await this.#inner.changes(undefined)).nextWatermark();
      const store =
        typeof probe === 'object' && probe !== null && !Array.isArray(probe) ? probe.store : undefined;
      if (typeof store !== 'string') throw new Error('InMemoryDatastore watermark without a store name');
      this.#innerName = store;
    }
    return this.#innerName;
  }
}

function sequenceOf(watermark: Watermark | undefined, store: string): number | undefined {
  if (typeof watermark !== 'object' || watermark === null || Array.isArray(watermark)) return undefined;
  return watermark.store === store && typeof watermark.sequence === 'number' ? watermark.sequence : undefined;
}

/**
 * The seeded directory as a datastore, in `phase`. Built the same way in every process, so the
 * watermark a completed cycle stored lets the next process read only the changes.
 */
export function crashDirectory(seed: number, scale: DirectoryScale, phase: DirectoryPhase): DatastoreAdapter {
  const datastore = new InMemoryDatastore();
  const company = seedCompany(datastore, seed, scale);
  if (phase === 'changed') applyChanges(datastore, seed, scale, company);
  return new StableWatermarkDatastore(datastore, `crash-directory-${seed}`);
}
