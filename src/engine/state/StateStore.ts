import { applyStateChange, type StateChange } from './changes';
import type { ProvisioningState } from './types';

/**
 * Where the engine keeps its {@link ProvisioningState}: `MemoryStateStore` (tests, short-lived
 * hosts), `FileStateStore` (the embedded default), or a host's own (a database row, a blob).
 *
 * The API has two write paths, so that saving after each operation stays cheap with 100,000
 * users:
 *
 * - {@link StateStore.record} persists a few small {@link StateChange}s (a journal append);
 *   the engine calls it after EACH operation it applies, and for a create also BEFORE it;
 * - {@link StateStore.save} persists the whole state (a snapshot) and drops the journal; the
 *   engine calls it at the end of a cycle (compaction) and when it starts a new state.
 *
 * ## Crash safety: why a process killed at any point resumes without duplicates or lost work
 *
 * The engine follows this protocol (see {@link commitStateChanges}):
 *
 * 1. Before a create (POST), it records `beginCreate` (the intent: source id + `userName` or
 *    `displayName`) and waits for it to be durable.
 * 2. It sends the request.
 * 3. It records the outcome (`setUser`, `removeUser`, `setGroup`, membership deltas,
 *    `abandonCreate` when the target refused the create) and waits for it to be durable, then
 *    applies it to its in-memory state.
 * 4. At the end of the cycle it calls `save(state)` (compaction).
 *
 * A crash can land between any two steps:
 *
 * - between 1 and 3 for a create: the intent is in the state on the next load
 *   (`state.pending`), so the engine looks the object up by `matchKey` and links it if the POST
 *   did reach the target, or creates it if not. No duplicate, nothing lost.
 * - between 2 and 3 for an update (PUT/PATCH replace): the entry still has the old hash, so the
 *   next cycle sends the same update again; replacing is idempotent.
 * - between 2 and 3 for a delete: the entry is still there, the next cycle deletes again and
 *   takes the target's 404 as done.
 * - between 2 and 3 for a membership add/remove: the next cycle computes the same difference and
 *   sends it again; adding a present member or removing an absent one changes nothing.
 * - during `record`: a change is acknowledged only once durable, so an unacknowledged change
 *   may be lost but its operation is then covered by one of the cases above. A torn journal
 *   line (the process died mid-append) is dropped on load, and only that line.
 * - during `save`: the snapshot is replaced atomically (write a temporary file, `fsync`, rename
 *   over the old one, `fsync` the directory), so a load sees either the old snapshot with its
 *   journal or the new one; a journal older than the snapshot it belongs with is recognised by
 *   its generation number and not replayed twice.
 *
 * - a file changed after it was written (a disk error, a hand edit): the snapshot carries a
 *   checksum and so does each journal line (see `FileStateStore`), so a changed byte is refused
 *   as `corrupt` rather than read as another source id or target id (an entry under a wrong
 *   source id would make a user still in the directory look departed, and be removed).
 *
 * Implementations must keep these guarantees: `record` resolves only when the changes survive a
 * crash of the process (and, for a file store, of the machine), calls are serialised in call
 * order, and a file that is not a valid state of this package is refused with a
 * `StateStoreError`, never overwritten.
 *
 * @example
 * ```ts
 * const store = new FileStateStore('/var/lib/provisioner/state.json');
 * let state = await store.load();
 * if (state === undefined) {
 *   state = createProvisioningState({ id: targetFingerprint(baseUrl) });
 *   await store.save(state);
 * }
 * await commitStateChanges(store, state, { type: 'beginCreate', kind: 'user', sourceId, matchKey: userName, at: Date.now() });
 * const created = await client.users.create(body);
 * await commitStateChanges(store, state, { type: 'setUser', sourceId, user: { targetId: created.id, ... } });
 * await store.save(state); // end of cycle
 * await store.close();
 * ```
 */
export interface StateStore {
  /**
   * Reads the state: the last snapshot with the journal replayed on it. A store may compact
   * (write a fresh snapshot) while loading.
   *
   * @returns the state, or `undefined` when the store holds none yet.
   * @throws StateStoreError when what the store holds is corrupt, foreign or of an unknown
   *   version; it is then left exactly as it was.
   */
  load(): Promise<ProvisioningState | undefined>;

  /**
   * Persists the whole state atomically and drops the journal (compaction). Resolves once
   * durable. The store keeps no reference to `state`.
   *
   * @throws StateStoreError `corrupt`/`foreign`/`unsupportedVersion` when the store holds
   *   something it did not write and has not been able to load: it is never overwritten.
   */
  save(state: ProvisioningState): Promise<void>;

  /**
   * Persists changes made since the last save, in order; resolves once they are durable.
   * Concurrent calls are allowed and are written in call order (a file store groups the calls
   * that arrive while a write is in flight into one write and one `fsync`).
   *
   * @throws StateStoreError `notOpen` before the first `load()` or `save()`.
   */
  record(changes: StateChange | readonly StateChange[]): Promise<void>;

  /** Finishes pending writes and releases files. The store can be loaded again afterwards. */
  close(): Promise<void>;

  /**
   * Whether a compaction ({@link StateStore.save}) would pay now. The engine compacts after a cycle
   * that recorded something only when this returns true; `close()` of the engine always does.
   * Optional: a store without it is compacted after every cycle that recorded something.
   */
  compactionDue?(): boolean;
}

/**
 * Records `changes` durably, then applies them to the in-memory `state`: the order that keeps
 * memory and store in step (if the write fails, memory is not advanced either).
 *
 * @example
 * ```ts
 * await commitStateChanges(store, state, { type: 'removeUser', sourceId: 'a1b2' });
 * ```
 */
export async function commitStateChanges(
  store: StateStore,
  state: ProvisioningState,
  changes: StateChange | readonly StateChange[],
): Promise<void> {
  const list = isChangeList(changes) ? changes : [changes];
  await store.record(list);
  for (const change of list) applyStateChange(state, change);
}

/** @internal */
export function isChangeList(
  changes: StateChange | readonly StateChange[],
): changes is readonly StateChange[] {
  return Array.isArray(changes);
}
