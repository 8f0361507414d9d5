import type { StateChange } from './changes';
import { applyStateChange } from './changes';
import { isChangeList, type StateStore } from './StateStore';
import { StateStoreError } from './StateStoreError';
import { cloneProvisioningState, type ProvisioningState } from './types';

/**
 * A state store in memory: for tests and for hosts that rebuild the state on every start (a
 * full cycle then links existing target objects by userName and displayName).
 *
 * It keeps its own copy: `save()` copies the state in, `record()` applies changes to that copy,
 * `load()` hands out a fresh copy. So a second engine given the same store resumes exactly where
 * a first one stopped, which is how tests simulate a process killed mid-cycle.
 *
 * @example
 * ```ts
 * const store = new MemoryStateStore();
 * const engine = new ProvisioningEngine({ datastore, client, state: store, mapping });
 * ```
 */
export class MemoryStateStore implements StateStore {
  private state: ProvisioningState | undefined;
  private open = false;

  /** @param initial - a state to start from (copied), e.g. one built by a test. */
  constructor(initial?: ProvisioningState) {
    this.state = initial === undefined ? undefined : cloneProvisioningState(initial);
  }

  async load(): Promise<ProvisioningState | undefined> {
    this.open = true;
    return this.state === undefined ? undefined : cloneProvisioningState(this.state);
  }

  async save(state: ProvisioningState): Promise<void> {
    this.state = cloneProvisioningState(state);
    this.open = true;
  }

  async record(changes: StateChange | readonly StateChange[]): Promise<void> {
    if (!this.open || this.state === undefined) {
      throw new StateStoreError(
        'notOpen',
        'Memory state store is not open: call load() or save() before record().',
      );
    }
    const list = isChangeList(changes) ? changes : [changes];
    for (const change of list) applyStateChange(this.state, structuredCloneChange(change));
  }

  async close(): Promise<void> {
    this.open = false;
  }

  /** Never: `record` keeps the held state whole, so a compaction would only copy it. */
  compactionDue(): boolean {
    return false;
  }
}

/** A copy of the change's mutable parts, so that the caller changing them later changes nothing here. */
function structuredCloneChange(change: StateChange): StateChange {
  switch (change.type) {
    case 'setUser':
      return { ...change, user: { ...change.user } };
    case 'setGroup':
      return { ...change, group: { ...change.group, members: [...change.group.members] } };
    case 'addGroupMembers':
    case 'removeGroupMembers':
      return { ...change, targetIds: [...change.targetIds] };
    case 'setWatermark':
      return change.watermark === undefined
        ? change
        : { ...change, watermark: JSON.parse(JSON.stringify(change.watermark)) };
    default:
      return change;
  }
}
