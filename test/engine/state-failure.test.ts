/**
 * A state store that fails while the engine writes: the change recorded after a create is not
 * awaited by the lane that made it (the create intent covers a crash), so its failure must still
 * stop the cycle with the store's error, and the next cycle must finish the job without a
 * duplicate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StateChange } from '../../src/engine/state/changes';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import { StateStoreError } from '../../src/engine/state/StateStoreError';
import { type Harness, harness, person } from './helpers';

/** A MemoryStateStore whose `record` fails for the `failAt`-th `setUser` change (counting from 1). */
class FailingStore extends MemoryStateStore {
  setUsers = 0;
  failAt: number | undefined;

  override async record(changes: readonly StateChange[]): Promise<void> {
    for (const change of changes) {
      if (change.type !== 'setUser') continue;
      this.setUsers += 1;
      if (this.setUsers === this.failAt) {
        throw new StateStoreError('io', 'the disk is full (test)', { path: '/test/state.json' });
      }
    }
    await super.record(changes);
  }
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a state store failing after a create', () => {
  it('stops the cycle with the store error, and the next cycle converges without duplicates', async () => {
    const store = new FailingStore();
    store.failAt = 5;
    h = await harness({ users: Array.from({ length: 40 }, (_unused, index) => person(index)), store });
    const engine = h.engine({ concurrency: 4 });
    await expect(engine.sync()).rejects.toMatchObject({ name: 'StateStoreError', code: 'io' });
    const createdFirst = h.usersByName().size;
    expect(createdFirst).toBeGreaterThan(0);
    expect(createdFirst).toBeLessThan(40);

    store.failAt = undefined;
    await h.engine({ concurrency: 4 }).sync();
    const users = [...h.server.snapshot().users.map((user) => String(user.userName))];
    expect(users).toHaveLength(40);
    expect(new Set(users).size).toBe(40);
  });
});
