/**
 * The datastore contract suite: the same cases, run against every adapter (in memory, slapd,
 * Samba AD), through a {@link ContractSource} that changes the adapter's backing store the way
 * an administrator would.
 *
 * Each case creates its own objects (handles made unique per case), so cases do not depend on
 * each other or on the store's other content.
 */
import { describe, expect, it } from 'vitest';
import type { DatastoreAdapter, SourceGroup, SourceUser, Watermark } from '../../src/datastore/types';

/** Changes the store behind an adapter. Handles are short names (`uid`, `sAMAccountName`, ...). */
export interface ContractSource {
  /** Attribute that holds a user's handle, as the adapter reports it. */
  readonly handleAttribute: string;
  /** A text attribute the source can change, as the adapter reports it (e.g. `title`). */
  readonly modifiableAttribute: string;
  /** Attributes to ask the adapter for. */
  readonly attributes: readonly string[];
  addUser(handle: string, options?: { readonly value?: string; readonly disabled?: boolean }): Promise<void>;
  modifyUser(handle: string, value: string): Promise<void>;
  disableUser(handle: string): Promise<void>;
  enableUser(handle: string): Promise<void>;
  /** Changes the user's name (DN or key) without changing its identity. */
  renameUser(handle: string, newHandle: string): Promise<void>;
  /** Moves the user out of the adapter's scope (another OU, or no longer matching). */
  moveUserOutOfScope(handle: string): Promise<void>;
  deleteUser(handle: string): Promise<void>;
  addGroup(name: string, memberHandles: readonly string[]): Promise<void>;
  addMember(group: string, handle: string): Promise<void>;
  removeMember(group: string, handle: string): Promise<void>;
  deleteGroup(name: string): Promise<void>;
}

/** An adapter and the store behind it. */
export interface ContractSubject {
  readonly adapter: DatastoreAdapter;
  readonly source: ContractSource;
  /**
   * True when `changes` reports exactly what changed; false when it may also report objects
   * changed shortly before the watermark (the timestamp algorithms look back a little).
   */
  readonly exactChanges: boolean;
}

/** Options of {@link describeDatastoreContract}. */
export interface ContractOptions {
  /** Per-test timeout. @default 30000 */
  readonly timeout?: number;
}

let caseCounter = 0;

/** A prefix unique to one case, so that cases never meet each other's objects. */
function uniquePrefix(): string {
  caseCounter += 1;
  return `c${caseCounter}${Math.random().toString(36).slice(2, 6)}`;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function usersByHandle(subject: ContractSubject): Promise<Map<string, SourceUser>> {
  const map = new Map<string, SourceUser>();
  for await (const user of subject.adapter.users({ attributes: subject.source.attributes })) {
    const handle = text(user.attributes[subject.source.handleAttribute]);
    if (handle !== undefined) map.set(handle.toLowerCase(), user);
  }
  return map;
}

async function groupsByName(subject: ContractSubject): Promise<Map<string, SourceGroup>> {
  const map = new Map<string, SourceGroup>();
  for await (const group of subject.adapter.groups({ attributes: subject.source.attributes })) {
    map.set(group.name.toLowerCase(), group);
  }
  return map;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}`);
  return value;
}

/**
 * Registers the contract cases for one adapter. `subject` is called inside each test (after the
 * caller's `beforeAll` has run), so it may return an object built there.
 */
export function describeDatastoreContract(
  name: string,
  subject: () => ContractSubject,
  options: ContractOptions = {},
): void {
  const timeout = options.timeout ?? 30_000;

  describe(`datastore contract: ${name}`, () => {
    it(
      'streams every user in scope once, with a stable id, its status and the attributes asked for',
      async () => {
        const s = subject();
        const p = uniquePrefix();
        await s.source.addUser(`${p}a`, { value: 'Alpha' });
        await s.source.addUser(`${p}b`, { value: 'Beta', disabled: true });

        const first = await collect(s.adapter.users({ attributes: s.source.attributes }));
        const ids = first.map((user) => user.id);
        expect(new Set(ids).size).toBe(ids.length);
        const byHandle = await usersByHandle(s);
        const a = required(byHandle.get(`${p}a`), 'user a');
        const b = required(byHandle.get(`${p}b`), 'user b');
        expect(a.disabled).toBe(false);
        expect(b.disabled).toBe(true);
        expect(text(a.attributes[s.source.modifiableAttribute])).toBe('Alpha');
        // Reading again gives the same ids: they are stable, not generated per read.
        const again = await collect(s.adapter.users({ attributes: s.source.attributes }));
        expect(again.map((user) => user.id).sort()).toEqual([...ids].sort());
      },
      timeout,
    );

    it(
      'reads one user by id and answers undefined for an id that is not in scope',
      async () => {
        const s = subject();
        const p = uniquePrefix();
        await s.source.addUser(`${p}a`, { value: 'One' });
        const a = required((await usersByHandle(s)).get(`${p}a`), 'user a');
        if (s.adapter.user === undefined) return;
        const read = required(await s.adapter.user(a.id, { attributes: s.source.attributes }), 'user by id');
        expect(read.id).toBe(a.id);
        expect(text(read.attributes[s.source.modifiableAttribute])).toBe('One');
        expect(await s.adapter.user('00000000-0000-4000-8000-000000000000')).toBeUndefined();
        expect(await s.adapter.user('not an id (*)\\')).toBeUndefined();
      },
      timeout,
    );

    it(
      'lists the same ids as the streams',
      async () => {
        const s = subject();
        const p = uniquePrefix();
        await s.source.addUser(`${p}a`);
        await s.source.addGroup(`${p}g`, [`${p}a`]);
        if (s.adapter.ids === undefined) return;
        const ids = await s.adapter.ids();
        const users = await collect(s.adapter.users());
        const groups = await collect(s.adapter.groups());
        expect([...ids.users].sort()).toEqual(users.map((user) => user.id).sort());
        expect([...ids.groups].sort()).toEqual(groups.map((group) => group.id).sort());
      },
      timeout,
    );

    it(
      'keeps a user out of every read once it leaves the scope',
      async () => {
        const s = subject();
        const p = uniquePrefix();
        await s.source.addUser(`${p}out`);
        const before = required((await usersByHandle(s)).get(`${p}out`), 'user');
        await s.source.moveUserOutOfScope(`${p}out`);
        expect((await usersByHandle(s)).has(`${p}out`)).toBe(false);
        if (s.adapter.ids !== undefined) expect((await s.adapter.ids()).users.has(before.id)).toBe(false);
        if (s.adapter.user !== undefined) expect(await s.adapter.user(before.id)).toBeUndefined();
      },
      timeout,
    );

    it(
      'keeps the id of a renamed user',
      async () => {
        const s = subject();
        const p = uniquePrefix();
        await s.source.addUser(`${p}old`);
        const before = required((await usersByHandle(s)).get(`${p}old`), 'user');
        await s.source.renameUser(`${p}old`, `${p}new`);
        const after = await usersByHandle(s);
        expect(after.has(`${p}old`)).toBe(false);
        expect(required(after.get(`${p}new`), 'renamed user').id).toBe(before.id);
      },
      timeout,
    );

    it(
      'gives each group its in-scope members by id, and follows membership changes',
      async () => {
        const s = subject();
        const p = uniquePrefix();
        await s.source.addUser(`${p}a`);
        await s.source.addUser(`${p}b`);
        await s.source.addUser(`${p}c`);
        await s.source.addUser(`${p}gone`);
        await s.source.addGroup(`${p}g`, [`${p}a`, `${p}b`, `${p}gone`]);
        await s.source.moveUserOutOfScope(`${p}gone`);
        const users = await usersByHandle(s);
        const idOf = (handle: string): string => required(users.get(handle), handle).id;

        const group = required((await groupsByName(s)).get(`${p}g`), 'group');
        expect([...group.memberIds].sort()).toEqual([idOf(`${p}a`), idOf(`${p}b`)].sort());

        await s.source.addMember(`${p}g`, `${p}c`);
        await s.source.removeMember(`${p}g`, `${p}a`);
        const changed = required((await groupsByName(s)).get(`${p}g`), 'group');
        expect(changed.id).toBe(group.id);
        expect([...changed.memberIds].sort()).toEqual([idOf(`${p}b`), idOf(`${p}c`)].sort());
      },
      timeout,
    );

    it(
      'can stop reading part-way and read again from the start',
      async () => {
        const s = subject();
        const p = uniquePrefix();
        await s.source.addUser(`${p}a`);
        await s.source.addUser(`${p}b`);
        const all = await collect(s.adapter.users());
        let taken = 0;
        for await (const _user of s.adapter.users()) {
          taken += 1;
          if (taken === 1) break;
        }
        expect(taken).toBe(1);
        expect((await collect(s.adapter.users())).length).toBe(all.length);
      },
      timeout,
    );

    it(
      'reports changes since a watermark: modified, disabled, new, moved out, deleted, membership',
      async () => {
        const s = subject();
        const changesOf = s.adapter.changes;
        if (changesOf === undefined || s.adapter.ids === undefined) return;
        const p = uniquePrefix();
        for (const handle of ['mod', 'dis', 'out', 'del', 'member', 'still'])
          await s.source.addUser(`${p}${handle}`);
        await s.source.addGroup(`${p}g`, [`${p}member`]);
        await s.source.addGroup(`${p}gdel`, [`${p}member`]);

        const first = await changesOf.call(s.adapter, undefined, { attributes: s.source.attributes });
        expect(first.full).toBe(true);
        const firstUsers = await collect(first.users);
        await collect(first.groups);
        const watermark: Watermark = await first.nextWatermark();
        JSON.stringify(watermark); // must be JSON-serialisable
        const known = await s.adapter.ids();
        const before = await usersByHandle(s);
        const idOf = (handle: string): string => required(before.get(`${p}${handle}`), handle).id;
        const deletedGroupId = required((await groupsByName(s)).get(`${p}gdel`), 'group to delete').id;
        expect(firstUsers.map((user) => user.id)).toEqual(
          expect.arrayContaining([idOf('mod'), idOf('still')]),
        );

        await s.source.modifyUser(`${p}mod`, 'Changed');
        await s.source.disableUser(`${p}dis`);
        await s.source.moveUserOutOfScope(`${p}out`);
        await s.source.deleteUser(`${p}del`);
        await s.source.addUser(`${p}new`);
        await s.source.removeMember(`${p}g`, `${p}member`);
        await s.source.deleteGroup(`${p}gdel`);

        const delta = await changesOf.call(s.adapter, JSON.parse(JSON.stringify(watermark)) as Watermark, {
          attributes: s.source.attributes,
          known: { users: known.users, groups: known.groups },
        });
        expect(delta.full).toBe(false);
        const users = await collect(delta.users);
        const groups = await collect(delta.groups);
        const removed = await delta.removed();
        const byId = new Map(users.map((user) => [user.id, user]));

        expect(
          text(required(byId.get(idOf('mod')), 'modified user').attributes[s.source.modifiableAttribute]),
        ).toBe('Changed');
        expect(required(byId.get(idOf('dis')), 'disabled user').disabled).toBe(true);
        const added = users.find(
          (user) => text(user.attributes[s.source.handleAttribute])?.toLowerCase() === `${p}new`,
        );
        expect(added).toBeDefined();
        expect(byId.has(idOf('out'))).toBe(false);
        expect(byId.has(idOf('del'))).toBe(false);
        if (s.exactChanges) expect(byId.has(idOf('still'))).toBe(false);
        expect(removed.users).toEqual(expect.arrayContaining([idOf('out'), idOf('del')]));
        expect(removed.users).not.toContain(idOf('still'));
        expect(removed.users).not.toContain(idOf('mod'));

        const group = required(
          groups.find((candidate) => candidate.name.toLowerCase() === `${p}g`),
          'group with a membership change',
        );
        expect(group.memberIds).not.toContain(idOf('member'));
        expect(removed.groups).toContain(deletedGroupId);
        expect(removed.groups).not.toContain(group.id);

        // The next watermark continues from here: nothing changed since, so nothing is removed.
        const next = await changesOf.call(s.adapter, await delta.nextWatermark(), {
          known: await s.adapter.ids(),
        });
        expect(next.full).toBe(false);
        await collect(next.users);
        await collect(next.groups);
        expect(await next.removed()).toEqual({ users: [], groups: [] });
      },
      timeout * 2,
    );

    it(
      'starts over with a full read when given a watermark it does not recognise',
      async () => {
        const s = subject();
        if (s.adapter.changes === undefined) return;
        const foreign = await s.adapter.changes({ kind: 'someone-else', at: 42 });
        expect(foreign.full).toBe(true);
        const all = await collect(s.adapter.users());
        expect((await collect(foreign.users)).length).toBe(all.length);
      },
      timeout,
    );
  });
}
