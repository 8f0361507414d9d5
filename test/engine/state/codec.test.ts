import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StateChange } from '../../../src/engine/state/changes';
import { decodeChange, decodeSnapshot, encodeChange, encodeSnapshot } from '../../../src/engine/state/codec';
import { createProvisioningState, type GroupState, type UserState } from '../../../src/engine/state/types';
import { plain } from './fixtures';

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const time = fc.integer({ min: 0, max: 4_102_444_800_000 });
const user: fc.Arbitrary<UserState> = fc.record({
  targetId: text,
  userName: text,
  hash: text,
  status: fc.constantFrom('active' as const, 'disabled' as const),
  createdAt: time,
  updatedAt: time,
});
const group: fc.Arbitrary<GroupState> = fc.record({
  targetId: text,
  displayName: text,
  hash: text,
  members: fc.uniqueArray(text, { maxLength: 5 }),
  createdAt: time,
  updatedAt: time,
});
const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);

describe('state encoding', () => {
  it('decodes every snapshot it encodes to an equal state', () => {
    fc.assert(
      fc.property(
        text,
        fc.option(json, { nil: undefined }),
        fc.array(fc.tuple(text, user), { maxLength: 8 }),
        fc.array(fc.tuple(text, group), { maxLength: 4 }),
        fc.array(fc.tuple(text, text, time), { maxLength: 3 }),
        (targetId, watermark, users, groups, pending) => {
          const state = createProvisioningState({ id: targetId });
          if (watermark !== undefined) state.watermark = watermark;
          for (const [id, entry] of users) state.users.set(id, entry);
          for (const [id, entry] of groups) state.groups.set(id, entry);
          for (const [id, matchKey, startedAt] of pending)
            state.pending.users.set(id, { matchKey, startedAt });
          const encoded = [...encodeSnapshot(state, 3, new Date(0))].join('');
          const decoded = decodeSnapshot(encoded);
          expect(decoded.generation).toBe(3);
          expect(plain(decoded.state)).toEqual(plain(state));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decodes every journal line it encodes to an equal change, one line each', () => {
    const change: fc.Arbitrary<StateChange> = fc.oneof(
      fc.record({ type: fc.constant('setUser' as const), sourceId: text, user }),
      fc.record({ type: fc.constant('removeUser' as const), sourceId: text }),
      fc.record({ type: fc.constant('setGroup' as const), sourceId: text, group }),
      fc.record({ type: fc.constant('removeGroup' as const), sourceId: text }),
      fc.record({
        type: fc.constantFrom('addGroupMembers' as const, 'removeGroupMembers' as const),
        sourceId: text,
        targetIds: fc.array(text, { maxLength: 4 }),
        at: time,
      }),
      fc.record({
        type: fc.constant('beginCreate' as const),
        kind: fc.constantFrom('user' as const, 'group' as const),
        sourceId: text,
        matchKey: text,
        at: time,
      }),
      fc.record({
        type: fc.constant('abandonCreate' as const),
        kind: fc.constantFrom('user' as const, 'group' as const),
        sourceId: text,
      }),
      fc.record({
        type: fc.constant('setWatermark' as const),
        watermark: fc.option(json, { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(change, (value) => {
        const line = encodeChange(value);
        expect(line.indexOf('\n')).toBe(line.length - 1);
        expect(decodeChange(line.slice(0, -1))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});
