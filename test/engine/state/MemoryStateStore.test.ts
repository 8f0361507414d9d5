import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../../src/engine/state/MemoryStateStore';
import { commitStateChanges } from '../../../src/engine/state/StateStore';
import { isStateStoreError } from '../../../src/engine/state/StateStoreError';
import { plain, sampleState, userEntry } from './fixtures';

describe('MemoryStateStore', () => {
  it('holds nothing until saved, then hands out what was saved', async () => {
    const store = new MemoryStateStore();
    expect(await store.load()).toBeUndefined();
    const state = sampleState(4, 1);
    state.watermark = { usn: 7 };
    await store.save(state);
    expect(plain(await store.load())).toEqual(plain(state));
  });

  it('lets a second engine resume where the first stopped (recorded changes survive)', async () => {
    const store = new MemoryStateStore();
    const first = sampleState(3);
    await store.save(first);
    await commitStateChanges(store, first, [
      { type: 'beginCreate', kind: 'user', sourceId: 'src-3', matchKey: 'user3@example.com', at: 1 },
      { type: 'removeUser', sourceId: 'src-0' },
    ]);
    // "Killed" here: the second engine loads from the store.
    const second = await store.load();
    expect(plain(second)).toEqual(plain(first));
    expect(second?.pending.users.get('src-3')?.matchKey).toBe('user3@example.com');
  });

  it('is not changed by changes to a loaded or saved state', async () => {
    const state = sampleState(2);
    state.watermark = { usn: 1 };
    const store = new MemoryStateStore(state);
    state.users.delete('src-0');
    (state.watermark as { usn: number }).usn = 99;
    const loaded = await store.load();
    expect(loaded?.users.has('src-0')).toBe(true);
    expect(loaded?.watermark).toEqual({ usn: 1 });
    loaded?.users.set('src-5', userEntry(5));
    expect((await store.load())?.users.has('src-5')).toBe(false);
  });

  it('refuses record() before load() or save(), and after close()', async () => {
    const store = new MemoryStateStore(sampleState(1));
    const before = await store
      .record({ type: 'removeUser', sourceId: 'src-0' })
      .catch((error: unknown) => error);
    expect(isStateStoreError(before) && before.code).toBe('notOpen');
    await store.load();
    await store.record({ type: 'removeUser', sourceId: 'src-0' });
    await store.close();
    await expect(store.record({ type: 'removeUser', sourceId: 'src-0' })).rejects.toMatchObject({
      code: 'notOpen',
    });
    expect((await store.load())?.users.size).toBe(0);
  });
});
