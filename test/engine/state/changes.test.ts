import { describe, expect, it } from 'vitest';
import { applyStateChange } from '../../../src/engine/state/changes';
import { createProvisioningState } from '../../../src/engine/state/types';
import { groupEntry, userEntry } from './fixtures';

describe('applyStateChange', () => {
  it('resolves a pending create when the object is recorded, removed or the create abandoned', () => {
    const state = createProvisioningState({ id: 't' });
    applyStateChange(state, { type: 'beginCreate', kind: 'user', sourceId: 'a', matchKey: 'a@x', at: 1 });
    applyStateChange(state, { type: 'beginCreate', kind: 'user', sourceId: 'b', matchKey: 'b@x', at: 1 });
    applyStateChange(state, { type: 'beginCreate', kind: 'group', sourceId: 'g', matchKey: 'Sales', at: 1 });
    expect([...state.pending.users.keys()]).toEqual(['a', 'b']);
    applyStateChange(state, { type: 'setUser', sourceId: 'a', user: userEntry(1) });
    applyStateChange(state, { type: 'abandonCreate', kind: 'user', sourceId: 'b' });
    applyStateChange(state, { type: 'removeGroup', sourceId: 'g' });
    expect(state.pending.users.size).toBe(0);
    expect(state.pending.groups.size).toBe(0);
    expect(state.users.get('a')).toEqual(userEntry(1));
  });

  it('adds members without duplicates and removes them, stamping updatedAt', () => {
    const state = createProvisioningState({ id: 't' });
    const group = groupEntry(1, [1, 2]);
    applyStateChange(state, { type: 'setGroup', sourceId: 'g', group });
    const [one, two] = group.members;
    applyStateChange(state, {
      type: 'addGroupMembers',
      sourceId: 'g',
      targetIds: [two ?? '', 'new-id'],
      at: 500,
    });
    expect(state.groups.get('g')?.members).toEqual([one, two, 'new-id']);
    expect(state.groups.get('g')?.updatedAt).toBe(500);
    applyStateChange(state, {
      type: 'removeGroupMembers',
      sourceId: 'g',
      targetIds: [one ?? '', 'absent'],
      at: 600,
    });
    expect(state.groups.get('g')?.members).toEqual([two, 'new-id']);
    // The recorded entry given to setGroup is not modified.
    expect(group.members).toEqual([one, two]);
  });

  it('ignores membership changes of a group the state no longer holds', () => {
    const state = createProvisioningState({ id: 't' });
    applyStateChange(state, { type: 'addGroupMembers', sourceId: 'gone', targetIds: ['x'], at: 1 });
    expect(state.groups.size).toBe(0);
  });

  it('sets and forgets the watermark', () => {
    const state = createProvisioningState({ id: 't' });
    applyStateChange(state, { type: 'setWatermark', watermark: { usn: '12' } });
    expect(state.watermark).toEqual({ usn: '12' });
    applyStateChange(state, { type: 'setWatermark', watermark: undefined });
    expect('watermark' in state).toBe(false);
  });
});
