/**
 * The reconciliation engine: keeps a SCIM target in step with a datastore.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import type { TargetKnowledge } from './apply';
import { Cycle, type CycleOptions, type CycleResult, type TargetProfile } from './cycle';
import { EngineOptionsError } from './errors/EngineOptionsError';
import { StateTargetMismatchError } from './errors/StateTargetMismatchError';
import { isSyncAbortedError } from './errors/SyncAbortedError';
import type { EngineFallbackEvent, ProvisioningEvents } from './events';
import { compileMapping } from './mapping/compile';
import { mappingsEquivalent } from './mapping/equivalent';
import { type UserMatcher, userMatcher } from './match';
import type { ProvisioningPlan } from './operations';
import { type EngineOptions, type ResolvedEngineOptions, resolveEngineOptions } from './options';
import type { SyncReport } from './report';
import type { StateStore } from './state/StateStore';
import { createProvisioningState, type ProvisioningState } from './state/types';
import { sourceWatermark } from './watermark';

/** Options of one {@link ProvisioningEngine.sync} call. */
export interface SyncOptions {
  /**
   * Plan without writing anything to the target or the state; the report counts what would be done.
   * @default the engine's `dryRun` option
   */
  readonly dryRun?: boolean;
  /**
   * Read the whole source and reconcile the state against a listing of the target (objects deleted,
   * attributes changed and members added or removed in the target are repaired), even when an
   * incremental read is possible.
   * @default false: incremental when the datastore tracks changes and a watermark is stored
   */
  readonly full?: boolean;
  /**
   * Apply the removals the deletion threshold would hold (PingFederate has no such guard).
   * @default false
   */
  readonly allowRemovals?: boolean;
  /**
   * Stops the cycle: no operation starts after it aborts, requests in flight are aborted, and what
   * was applied is in the state; the call rejects with the signal's reason.
   * @default none
   */
  readonly signal?: AbortSignal;
}

/** Options of {@link ProvisioningEngine.plan}. */
export interface PlanOptions {
  /** Plan a full cycle. @default false */
  readonly full?: boolean;
  /** Plan as if `allowRemovals` were given (held removals then appear as operations). @default false */
  readonly allowRemovals?: boolean;
  /** Aborts the planning. @default none */
  readonly signal?: AbortSignal;
}

/** Options of {@link ProvisioningEngine.provisionOne} and {@link ProvisioningEngine.deprovisionAll}. */
export interface SingleOptions {
  /** @default the engine's `dryRun` option */
  readonly dryRun?: boolean;
  /** Let a removal through the deletion threshold (`provisionOne` only). @default false */
  readonly allowRemovals?: boolean;
  /** @default none */
  readonly signal?: AbortSignal;
}

/** Emits to the target's events, when it is an event emitter (a `ScimClient` is). */
interface EventSource {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Provisions users and groups from a datastore to a SCIM target, and keeps them in step.
 *
 * Each cycle reads the source (incrementally when the datastore tracks changes), maps each object,
 * finds existing target objects for new ones, plans creates, links, updates, re-enables, disables,
 * deletes, renames and membership changes, holds removals past the deletion threshold, applies the
 * rest with bounded concurrency (users, then groups and memberships, then removals), records each
 * outcome in the state as it completes, and returns a {@link SyncReport}. See `docs/engine.md`.
 *
 * Calls are serialised: a `sync()` while another runs waits for it, and the scheduler never runs
 * two cycles at once.
 *
 * @example
 * ```ts
 * const engine = new ProvisioningEngine({
 *   datastore,
 *   client: new ScimClient({ baseUrl, auth: { type: 'bearer', token } }),
 *   state: new FileStateStore('/var/lib/provisioner/state.json'),
 *   mapping: { users: ACTIVE_DIRECTORY_USER_MAPPING },
 *   users: { removeAction: 'disable' },
 * });
 * engine.on('userOperation', (event) => console.log(event.op, event.sourceId));
 * const report = await engine.sync();
 * console.log(report.users.created, report.failures.length);
 * engine.start(15 * 60_000); // then every 15 minutes
 * // ...
 * await engine.stop();
 * ```
 */
export class ProvisioningEngine extends EventEmitter<ProvisioningEvents> {
  private readonly options: ResolvedEngineOptions;
  private readonly matcher: UserMatcher;
  private readonly knowledge: TargetKnowledge = {
    groupCreateRefused: false,
    groupCreateWorks: false,
    groupDeleteRefused: false,
    groupDeleteWorks: false,
    nullRejected: false,
    userAttributesNotRetained: new Set(),
  };
  private state: ProvisioningState | undefined;
  private stateUnsaved = false;
  /** True when changes were recorded (journaled) since the last snapshot: the state needs compacting. */
  private recordedSinceSave = false;
  /** The state store, noting each record so that a cycle that recorded nothing is not compacted. */
  private readonly journaling: StateStore = {
    load: () => this.options.state.load(),
    save: (state) => this.options.state.save(state),
    record: (changes) => {
      this.recordedSinceSave = true;
      return this.options.state.record(changes);
    },
    close: () => this.options.state.close(),
  };

  /** Whether the store asks for a compaction (a store that does not say is compacted each time). */
  private compactionDue(): boolean {
    const store = this.options.state;
    return typeof store.compactionDue === 'function' ? store.compactionDue() : true;
  }
  private targetProfile: Promise<TargetProfile> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private schedule: { intervalMs: number; timer: NodeJS.Timeout | undefined } | undefined;
  private readonly localFilter = new Set<string>();

  /**
   * @throws EngineOptionsError naming the option at fault; MappingError when a mapping is wrong.
   */
  constructor(options: EngineOptions) {
    super();
    this.options = resolveEngineOptions(options);
    this.matcher = userMatcher(this.options.match.users);
  }

  /**
   * Runs one cycle: incremental when the datastore tracks changes and a watermark is stored, full
   * otherwise or with `full: true`.
   *
   * @throws SyncAbortedError when the target fails as a whole (credentials refused, TLS, DNS,
   *   connection refused, no answer); its `report` holds what was done.
   * @throws the datastore's error when the source cannot be read completely (nothing is applied).
   * @throws StateStoreError when the state cannot be loaded or saved; StateTargetMismatchError when
   *   the state belongs to another target; MappingError when the mapping does not fit the target's
   *   schemas (before anything is written).
   * @example
   * ```ts
   * const report = await engine.sync({ allowRemovals: true });
   * ```
   */
  sync(options: SyncOptions = {}): Promise<SyncReport> {
    const cycleOptions = this.cycleOptions(options);
    return this.exclusive(async () => (await this.run(cycleOptions, (cycle) => cycle.sync(), true)).report);
  }

  /**
   * What `sync()` would do now, without writing: every operation in the order it would be applied.
   * Reads the source, and reads the target as a cycle does (lookups, and a listing in full mode).
   *
   * @example
   * ```ts
   * const plan = await engine.plan();
   * console.table(plan.users.map((operation) => ({ op: operation.op, id: operation.sourceId })));
   * ```
   */
  plan(options: PlanOptions = {}): Promise<ProvisioningPlan> {
    const cycleOptions = this.cycleOptions({ ...options, dryRun: true });
    return this.exclusive(async () => (await this.run(cycleOptions, (cycle) => cycle.sync(), false)).plan);
  }

  /**
   * Provisions one user now (PingFederate's on-demand provisioning): creates, links, updates or
   * re-enables it, or removes it when it is no longer in scope. Its group memberships are left to
   * the next cycle.
   *
   * @example
   * ```ts
   * await engine.provisionOne('6f9619ff-8b86-d011-b42d-00c04fc964ff');
   * ```
   */
  provisionOne(sourceId: string, options: SingleOptions = {}): Promise<SyncReport> {
    if (typeof sourceId !== 'string' || sourceId === '') {
      return Promise.reject(new EngineOptionsError('provisionOne(sourceId)', 'must be a non-empty string'));
    }
    const cycleOptions = this.cycleOptions(options);
    return this.exclusive(
      async () => (await this.run(cycleOptions, (cycle) => cycle.single(sourceId), true, 'single')).report,
    );
  }

  /**
   * Removes everything this engine provisioned (PingFederate's "deprovision on rule deletion"):
   * every provisioned user is disabled or deleted per `removeAction`, every provisioned group is
   * deleted, within the on/off options. Not subject to the deletion threshold. The watermark is
   * dropped, so that a later `sync()` is a full one.
   *
   * @example
   * ```ts
   * const report = await engine.deprovisionAll();
   * ```
   */
  deprovisionAll(options: SingleOptions = {}): Promise<SyncReport> {
    const cycleOptions = this.cycleOptions({ ...options, allowRemovals: true });
    return this.exclusive(
      async () =>
        (await this.run(cycleOptions, (cycle) => cycle.deprovisionAll(), true, 'deprovisionAll')).report,
    );
  }

  /**
   * Runs `sync()` now and then every `intervalMs` after the end of the previous cycle (cycles never
   * overlap). A failed cycle is reported as a `cycleError` event and the schedule goes on.
   *
   * @throws EngineOptionsError when `intervalMs` is not a positive number, or the schedule runs already.
   */
  start(intervalMs: number): void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new EngineOptionsError('start(intervalMs)', 'must be a positive number of milliseconds');
    }
    if (this.schedule !== undefined)
      throw new EngineOptionsError('start(intervalMs)', 'cannot be called twice: stop() first');
    const schedule: { intervalMs: number; timer: NodeJS.Timeout | undefined } = {
      intervalMs,
      timer: undefined,
    };
    this.schedule = schedule;
    const tick = async () => {
      schedule.timer = undefined;
      try {
        await this.sync();
      } catch (error) {
        this.safeEmit('cycleError', error instanceof Error ? error : new Error(String(error)));
      }
      if (this.schedule === schedule) schedule.timer = setTimeout(tick, schedule.intervalMs);
    };
    schedule.timer = setTimeout(tick, 0);
  }

  /**
   * Stops the schedule, waits for the operation in flight to finish, and saves the state.
   */
  async stop(): Promise<void> {
    const schedule = this.schedule;
    this.schedule = undefined;
    if (schedule?.timer !== undefined) clearTimeout(schedule.timer);
    await this.exclusive(async () => {
      if (this.state !== undefined && !this.stateUnsaved && this.recordedSinceSave) {
        await this.options.state.save(this.state);
        this.recordedSinceSave = false;
      }
    }).catch(() => undefined);
  }

  /** Stops (see {@link ProvisioningEngine.stop}) and closes the state store. */
  async close(): Promise<void> {
    await this.stop();
    await this.exclusive(async () => {
      await this.options.state.close();
      this.state = undefined;
    });
  }

  // ----------------------------------------------------------------------------------------------

  private cycleOptions(options: SyncOptions): CycleOptions {
    return {
      dryRun: options.dryRun ?? this.options.dryRun,
      full: options.full ?? false,
      allowRemovals: options.allowRemovals ?? false,
      signal: options.signal,
    };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(
    options: CycleOptions,
    body: (cycle: Cycle) => Promise<CycleResult>,
    announce: boolean,
    mode?: 'single' | 'deprovisionAll',
  ): Promise<CycleResult> {
    options.signal?.throwIfAborted();
    const state = await this.loadState();
    const client = this.options.client;
    const events = isEventSource(client) ? client : undefined;
    this.localFilter.clear();
    let requests = 0;
    const onRequest = () => {
      requests += 1;
    };
    const onFallback = (...args: unknown[]) => {
      const event = args[0] as EngineFallbackEvent;
      if (event.fallback === 'localFilter') this.localFilter.add(event.resourceType);
      this.safeEmit('fallback', event);
    };
    events?.on('request', onRequest);
    events?.on('fallback', onFallback);
    client.beginSync?.();
    const cycle = new Cycle(
      {
        options: this.options,
        state,
        store: this.journaling,
        matcher: this.matcher,
        emit: (event, ...args) => this.safeEmit(event, ...args),
        knowledge: this.knowledge,
        profile: (signal) => this.profile(signal),
        ensureStateSaved: () => this.ensureStateSaved(),
        localFilterSeen: (resourceType) => this.localFilter.has(resourceType),
        requestCount: () => (events === undefined ? undefined : requests),
      },
      options,
      mode ??
        (options.full ||
        sourceWatermark(state.watermark, this.options.fingerprint) === undefined ||
        typeof this.options.datastore.changes !== 'function'
          ? 'full'
          : 'incremental'),
    );
    if (announce) {
      this.safeEmit('cycleStart', {
        mode: cycle.report.mode,
        dryRun: options.dryRun,
        startedAt: cycle.report.startedAt,
      });
    }
    let result: CycleResult | undefined;
    let failure: { error: unknown } | undefined;
    try {
      result = await body(cycle);
    } catch (error) {
      failure = { error: isSyncAbortedError(error) ? error : cycle.asAbort(error) };
    }
    client.endSync?.();
    events?.off('request', onRequest);
    events?.off('fallback', onFallback);
    let saveError: { error: unknown } | undefined;
    // Compacted only when the cycle recorded something and the store finds it worth it: a cycle
    // with nothing to do, or a few changes, rewrites no snapshot (150 MB at a million users).
    if (!options.dryRun && !this.stateUnsaved && this.recordedSinceSave && this.compactionDue()) {
      await this.options.state.save(state).then(
        () => {
          this.recordedSinceSave = false;
        },
        (error: unknown) => {
          saveError = { error };
        },
      );
    }
    if (announce) {
      const partial = isSyncAbortedError(failure?.error) ? failure.error.report : undefined;
      this.safeEmit('cycleEnd', partial ?? cycle.lastReport ?? cycle.finish());
    }
    if (failure !== undefined) throw failure.error;
    // A cycle whose work is done but whose state could not be compacted must say so.
    if (saveError !== undefined) throw saveError.error;
    return result as CycleResult;
  }

  private async loadState(): Promise<ProvisioningState> {
    if (this.state !== undefined) return this.state;
    const loaded = await this.options.state.load();
    if (loaded === undefined) {
      this.state = createProvisioningState({ id: this.options.targetId });
      this.stateUnsaved = true;
      return this.state;
    }
    if (loaded.target.id !== this.options.targetId) {
      throw new StateTargetMismatchError(this.options.targetId, loaded.target.id);
    }
    this.state = loaded;
    return loaded;
  }

  private async ensureStateSaved(): Promise<void> {
    if (!this.stateUnsaved || this.state === undefined) return;
    await this.options.state.save(this.state);
    this.stateUnsaved = false;
  }

  /** Discovers the target once: its schemas (to check the mapping against) and whether it filters. */
  private profile(signal: AbortSignal | undefined): Promise<TargetProfile> {
    if (this.targetProfile === undefined) {
      const { client, mapping } = this.options;
      const pending = (async (): Promise<TargetProfile> => {
        const capabilities =
          typeof client.discover === 'function'
            ? await client.discover(signal === undefined ? {} : { signal })
            : undefined;
        const schemas = capabilities?.schemas;
        const hasSchemas = schemas !== undefined && schemas.length > 0;
        // The configured mapping is kept when the target's schemas change nothing in it, so that
        // the plan's mapping of each user can be written as it is (one mapping per user per cycle).
        const checkedUsers = hasSchemas
          ? compileMapping(mapping.users, { schemas, resourceType: 'User' })
          : undefined;
        const checkedGroups = hasSchemas
          ? compileMapping(mapping.groups, { schemas, resourceType: 'Group' })
          : undefined;
        return {
          userMapping:
            checkedUsers === undefined || mappingsEquivalent(checkedUsers, mapping.compiledUsers)
              ? mapping.compiledUsers
              : checkedUsers,
          groupMapping:
            checkedGroups === undefined || mappingsEquivalent(checkedGroups, mapping.compiledGroups)
              ? mapping.compiledGroups
              : checkedGroups,
          filterSupported: capabilities?.filter.supported,
        };
      })();
      this.targetProfile = pending;
      pending.catch(() => {
        if (this.targetProfile === pending) this.targetProfile = undefined;
      });
    }
    return this.targetProfile;
  }

  private safeEmit<E extends keyof ProvisioningEvents>(event: E, ...args: ProvisioningEvents[E]): void {
    try {
      (this.emit as (name: string, ...payload: unknown[]) => boolean)(event, ...args);
    } catch {
      // A listener's failure must not fail the cycle.
    }
  }
}

function isEventSource(value: unknown): value is EventSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<EventSource>).on === 'function' &&
    typeof (value as Partial<EventSource>).off === 'function'
  );
}
