/**
 * Bounded concurrency for the apply phase.
 *
 * @module
 */

/**
 * Runs `worker` on each item, at most `concurrency` at once, in order of the list. Before starting
 * each item it asks `stopped()`; once that is true no further item starts (those in flight finish).
 * `worker` must not throw (the applier isolates each operation's failure); if it does, the error
 * propagates once the items in flight have finished.
 *
 * @returns how many items were not started.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T) => Promise<void>,
  stopped: () => boolean,
): Promise<number> {
  let next = 0;
  let thrown: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < items.length && !stopped() && thrown === undefined) {
      const item = items[next] as T;
      next += 1;
      try {
        await worker(item);
      } catch (error) {
        thrown ??= { error };
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane);
  await Promise.all(lanes);
  if (thrown !== undefined) throw thrown.error;
  return items.length - next;
}
