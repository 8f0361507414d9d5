/**
 * Create intents recorded ahead, in batches. A create must not be sent before its intent
 * (`beginCreate`) is durable: after a crash, the intent tells the next cycle that a user with that
 * userName may be ours, to find and link rather than create again. Recording each intent on its
 * own made every create wait for one `fsync`; here the intents of the next creates of a phase
 * are recorded together, so that one `fsync` covers many creates.
 *
 * An intent recorded for a create that then never starts (the cycle stopped) is abandoned when the
 * phase ends. After a crash, such an intent only costs the next cycle a lookup: the plan had
 * already found no target user with that userName.
 */
import type { StateChange } from './state/changes';

/** What an intent is recorded for. */
export interface PlannedCreate {
  readonly sourceId: string;
  /** The userName the created user will have: what the next cycle looks it up by. */
  readonly matchKey: string;
}

/** Records the create intents of one phase in batches; one per applier. */
export class CreateIntents {
  private readonly commit: (changes: readonly StateChange[]) => Promise<void>;
  private readonly now: () => number;
  private readonly batchSize: number;
  private queue: readonly PlannedCreate[] = [];
  private position = new Map<string, number>();
  /** Queue positions below this have their intent recorded (or being recorded). */
  private recordedUpTo = 0;
  /** Recorded intents whose create has not started yet: source id -> the record. */
  private readonly unused = new Map<string, Promise<void>>();

  /**
   * @param commit - records changes durably and applies them to the state in memory.
   * @param now - the clock, in epoch milliseconds.
   * @param batchSize - how many intents one record holds at most.
   */
  constructor(
    commit: (changes: readonly StateChange[]) => Promise<void>,
    now: () => number,
    batchSize: number,
  ) {
    this.commit = commit;
    this.now = now;
    this.batchSize = Math.max(1, batchSize);
  }

  /** The creates of the coming phase, in the order its lanes take them. */
  plan(creates: readonly PlannedCreate[]): void {
    this.queue = creates;
    this.position = new Map(creates.map((create, index) => [create.sourceId, index]));
    this.recordedUpTo = 0;
  }

  /**
   * Resolves once the intent of `create` is durable: at once when it was recorded with an earlier
   * batch, otherwise after recording it with the next creates of the phase (or alone, for a
   * create the phase did not plan).
   */
  ready(create: PlannedCreate): Promise<void> {
    const recorded = this.unused.get(create.sourceId);
    if (recorded !== undefined) {
      this.unused.delete(create.sourceId);
      return recorded;
    }
    const index = this.position.get(create.sourceId);
    if (index === undefined || index < this.recordedUpTo) return this.commit([this.intent(create)]);
    const end = Math.min(this.queue.length, Math.max(index + 1, this.recordedUpTo + this.batchSize));
    const batch = this.queue.slice(this.recordedUpTo, end);
    this.recordedUpTo = end;
    const record = this.commit(batch.map((planned) => this.intent(planned)));
    // Every intent of the batch shares the record; a failure is the failure of each of its creates.
    record.catch(() => undefined);
    for (const planned of batch)
      if (planned.sourceId !== create.sourceId) this.unused.set(planned.sourceId, record);
    return record;
  }

  /** Abandons the intents recorded for creates that did not start. Call when the phase ends. */
  async release(): Promise<void> {
    const leftover = [...this.unused];
    this.unused.clear();
    this.queue = [];
    this.position.clear();
    this.recordedUpTo = 0;
    const abandon: StateChange[] = [];
    for (const [sourceId, record] of leftover) {
      try {
        await record;
      } catch {
        continue;
      }
      abandon.push({ type: 'abandonCreate', kind: 'user', sourceId });
    }
    if (abandon.length > 0) await this.commit(abandon);
  }

  private intent(create: PlannedCreate): StateChange {
    return {
      type: 'beginCreate',
      kind: 'user',
      sourceId: create.sourceId,
      matchKey: create.matchKey,
      at: this.now(),
    };
  }
}
