/**
 * One cycle from start to end: read the source, map, find existing target objects, plan, check the
 * deletion threshold, apply phase by phase (users, groups, memberships, removals), move the
 * watermark on, compact the state, report.
 *
 * @module
 */
import type { SourceGroup, SourceUser } from '../datastore/types';
import { Applier, type TargetKnowledge } from './apply';
import { CircuitBreaker } from './circuit-breaker';
import { isMatchConflictError } from './errors/MatchConflictError';
import { SyncAbortedError } from './errors/SyncAbortedError';
import type { EmitEngineEvent } from './events';
import { classifyFailure, describeSystemicFailure } from './failure-class';
import { findExisting, firstOf, type MatchSettings } from './lookups';
import type { CompiledMapping } from './mapping/compile';
import { isMappingError } from './mapping/MappingError';
import { type MappedResource, mapGroup, mapUser } from './mapping/map';
import { groupKey, type UserMatcher } from './match';
import type {
  EngineWarning,
  GroupOperation,
  HeldRemovals,
  PlanningFailure,
  ProvisioningPlan,
  SkippedOperation,
  UserOperation,
} from './operations';
import type { ResolvedEngineOptions } from './options';
import {
  desiredUser,
  type GroupRemovalPlan,
  groupIndexKeys,
  groupsToMatch,
  planGroupRemovals,
  planGroups,
  planUserRemoval,
  planUsers,
  type UserPlan,
  usersToMatch,
} from './planner';
import { ReportBuilder, type SyncReport } from './report';
import { checkRemovals } from './safety';
import { readOneUser, readSource, type SourceRead } from './source';
import type { StateChange } from './state/changes';
import { commitStateChanges, type StateStore } from './state/StateStore';
import type { ProvisioningState } from './state/types';
import type { TargetGroup, TargetUser } from './target';
import type { TargetIndex } from './target-index';
import { indexListing } from './target-index';
import { sameWatermark, sourceWatermark, storedWatermark, watermarkRecordedAt } from './watermark';

/** What the engine learned of the target once (discovery), kept for its lifetime. */
export interface TargetProfile {
  /** The user mapping checked against the target's schemas (or the RFC 7643 one). */
  readonly userMapping: CompiledMapping;
  readonly groupMapping: CompiledMapping;
  readonly filterSupported: boolean | undefined;
}

/** What a cycle needs from the engine. */
export interface CycleDependencies {
  readonly options: ResolvedEngineOptions;
  readonly state: ProvisioningState;
  readonly store: StateStore;
  readonly matcher: UserMatcher;
  readonly emit: EmitEngineEvent;
  readonly knowledge: TargetKnowledge;
  /** Discovers the target once (the engine keeps the result); called before its first use. */
  readonly profile: (signal: AbortSignal | undefined) => Promise<TargetProfile>;
  /** Persists a state created by this engine before the first change is recorded. */
  readonly ensureStateSaved: () => Promise<void>;
  /** True once the client fell back to filtering locally for `resourceType` in this cycle. */
  readonly localFilterSeen: (resourceType: 'Users' | 'Groups') => boolean;
  /** Requests sent to the target so far in this cycle, when the client reports them. */
  readonly requestCount: () => number | undefined;
}

/** Options of one cycle. */
export interface CycleOptions {
  readonly dryRun: boolean;
  readonly full: boolean;
  readonly allowRemovals: boolean;
  readonly signal: AbortSignal | undefined;
}

/** What a cycle returns: its plan and its report. */
export interface CycleResult {
  readonly plan: ProvisioningPlan;
  readonly report: SyncReport;
}

/** One cycle. Use once. */
export class Cycle {
  private readonly deps: CycleDependencies;
  private readonly options: CycleOptions;
  readonly report: ReportBuilder;
  private readonly breaker = new CircuitBreaker();
  private profileResult: TargetProfile | undefined;

  constructor(deps: CycleDependencies, options: CycleOptions, mode: ProvisioningPlan['mode']) {
    this.deps = deps;
    this.options = options;
    this.report = new ReportBuilder(mode, options.dryRun, deps.options.now());
  }

  // ----------------------------------------------------------------------------------------------
  // sync()

  /** Runs a sync cycle (or, with `dryRun`, plans it). */
  async sync(): Promise<CycleResult> {
    const { options: engine, state, emit } = this.deps;
    emit('progress', { phase: 'read', done: 0, total: 0 });
    const source = await readSource(engine.datastore, state, {
      full: this.options.full,
      watermark: sourceWatermark(state.watermark, engine.fingerprint),
      watermarkRecordedAt: watermarkRecordedAt(state.watermark, engine.fingerprint),
      userAttributes: this.userAttributes(),
      groupAttributes: engine.mapping.compiledGroups.sourceAttributes,
    });
    this.report.mode = source.full ? 'full' : 'incremental';
    emit('progress', {
      phase: 'read',
      done: source.users.size + source.groups.size,
      total: source.users.size + source.groups.size,
    });

    const mappedUsers = this.mapUsers(source.users.values());
    const mappedGroups = this.mapGroups(source.groups.values());

    // What the target holds: a listing in full cycles, lookups for new objects otherwise.
    let userListing: TargetIndex<TargetUser> | undefined;
    let groupListing: TargetIndex<TargetGroup> | undefined;
    if (source.full) {
      await this.profile();
      userListing = await this.targetCall(() =>
        indexListing(
          engine.client.users.list({ ...this.call(), pageSize: engine.pageSize }),
          (user) => this.deps.matcher.keysOfTarget(user),
          { pageSize: engine.pageSize },
        ),
      );
      groupListing = await this.targetCall(() =>
        indexListing(
          engine.client.groups.list({ ...this.call(), pageSize: engine.pageSize }),
          groupIndexKeys,
          {
            pageSize: engine.pageSize,
          },
        ),
      );
    }
    let removedUsers = source.removedUsers;
    const userInput = {
      state,
      users: source.users,
      removed: removedUsers,
      mapped: mappedUsers,
      options: engine.users,
      matcher: this.deps.matcher,
      compiled: engine.mapping.compiledUsers,
      notRetained: this.deps.knowledge.userAttributesNotRetained,
      listing: userListing,
    };
    const userNeeds = usersToMatch(userInput);
    let userLookups = new Map<string, TargetUser | undefined>();
    if (userNeeds.length > 0) {
      emit('progress', { phase: 'match', done: 0, total: userNeeds.length });
      const outcome = await this.findUsers(userNeeds, source.users, mappedUsers);
      userLookups = outcome.lookups;
      userListing ??= outcome.index;
    }
    let userPlan = planUsers({ ...userInput, listing: userListing, lookups: userLookups });
    // An incremental read only reports removals since the watermark: a newcomer clashing with a
    // provisioned user removed in an earlier cycle (a re-hire) is checked against the source.
    const gone = source.full ? [] : await this.departedOwners(userPlan, source);
    if (gone.length > 0) {
      removedUsers = [...removedUsers, ...gone];
      userPlan = planUsers({
        ...userInput,
        removed: removedUsers,
        listing: userListing,
        lookups: userLookups,
      });
    }
    this.reportPlanning(userPlan);
    let groupRemovals = planGroupRemovals(state, source.removedGroups, engine.groups, groupListing);

    // Safety: hold every removal when there are too many.
    const removedSet = new Set(removedUsers);
    const sourceEmpty =
      (source.full && source.users.size === 0) ||
      (state.users.size > 0 && [...state.users.keys()].every((id) => removedSet.has(id)));
    const { held } = checkRemovals({
      threshold: engine.safety.deletionThreshold,
      provisionedUsers: state.users.size,
      userRemovals: userPlan.removals,
      groupRemovals: groupRemovals.removals,
      sourceEmpty,
      allowRemovals: this.options.allowRemovals,
    });
    // What follows from a held removal is held too: held users and groups stay in their groups.
    const heldMembers = new Set<string>();
    if (held !== undefined) {
      this.report.held = held;
      for (const operation of userPlan.removals)
        if ('targetId' in operation) heldMembers.add(operation.targetId);
      for (const operation of groupRemovals.removals)
        if (operation.op === 'delete') heldMembers.add(operation.targetId);
      userPlan.removals.length = 0;
      groupRemovals = { ...groupRemovals, removals: [] };
    }

    const groupNeeds = groupsToMatch(source.groups, mappedGroups, state, groupListing);
    let groupLookups = new Map<string, TargetGroup | undefined>();
    if (groupNeeds.length > 0) {
      const outcome = await this.findGroups(groupNeeds, mappedGroups);
      groupLookups = outcome.lookups;
      groupListing ??= outcome.index;
    }

    const deleting = new Set(
      userPlan.removals
        .filter((operation) => operation.op === 'delete')
        .map((operation) => operation.sourceId),
    );
    // Incremental cycles also fix the groups the source did not report: members gone from the scope.
    const staleSources = held === undefined && !source.full ? [...removedUsers, ...deleting] : [];
    const staleMembers = new Set<string>();
    for (const sourceId of staleSources) {
      const entry = state.users.get(sourceId);
      if (entry !== undefined) staleMembers.add(entry.targetId);
    }
    // A target user a newcomer takes over (a re-hire) stays a member: it is the newcomer now.
    for (const operation of userPlan.upserts)
      if (operation.op === 'link') staleMembers.delete(operation.targetId);
    const groupInput = (
      provisionedUsers: Pick<ReadonlyMap<string, string | undefined>, 'has' | 'get'>,
      retargeted: Applier['retargeted'],
    ) =>
      planGroups({
        state,
        groups: source.groups,
        mapped: mappedGroups,
        removals: groupRemovals,
        provisionedUsers,
        staleMembers,
        heldMembers,
        retargeted,
        notInScope: new Set(source.removedGroups),
        options: engine.groups,
        compiled: engine.mapping.compiledGroups,
        listing: groupListing,
        lookups: groupLookups,
        createRefused: this.deps.knowledge.groupCreateRefused,
      });

    if (this.options.dryRun) {
      const groupPlan = groupInput(projectedUsers(state, userPlan, deleting), new Map());
      this.reportPlanning(groupPlan);
      this.report.holdMemberRemovals(groupPlan.heldMemberRemovals);
      const plan = this.assemble(userPlan, groupPlan, this.report.held);
      this.countPlan(plan);
      return { plan, report: this.finish() };
    }

    const planned = (groups: ReturnType<typeof groupInput>) => {
      this.report.holdMemberRemovals(groups.heldMemberRemovals);
      return this.assemble(userPlan, groups, this.report.held);
    };
    if (!hasWork(userPlan) && userPlan.housekeeping.length === 0) {
      const groupPlan = groupInput(provisioned(state, deleting), new Map());
      if (!hasGroupWork(groupPlan)) {
        this.reportPlanning(groupPlan);
        const plan = planned(groupPlan);
        this.countUnchangedAndSkipped(plan);
        await this.advanceWatermark(source);
        return { plan, report: this.finish() };
      }
    }

    // Apply.
    await this.deps.ensureStateSaved();
    const applier = await this.applier(source.users, source.groups, true, mappedUsers);
    await applier.housekeeping(userPlan.housekeeping);
    // Deletes of departed users whose key a newcomer is created with (re-hires) go first.
    const deleteFirst = userPlan.removals.filter((operation) => userPlan.deleteFirst.has(operation.sourceId));
    if (deleteFirst.length > 0) {
      await applier.users('removals', deleteFirst);
      this.stopIfTripped(applier);
    }
    await applier.users('users', userPlan.upserts);
    this.stopIfTripped(applier);
    const groupPlan = groupInput(provisioned(state, deleting), applier.retargeted);
    this.reportPlanning(groupPlan);
    const plan = planned(groupPlan);
    this.countUnchangedAndSkipped(plan);
    await applier.housekeeping(groupPlan.housekeeping);
    await applier.groups('groups', groupPlan.upserts);
    this.stopIfTripped(applier);
    await applier.groups('memberships', groupPlan.memberships);
    this.stopIfTripped(applier);
    await applier.groups('removals', groupPlan.removals);
    this.stopIfTripped(applier);
    await applier.users(
      'removals',
      userPlan.removals.filter((operation) => !userPlan.deleteFirst.has(operation.sourceId)),
    );
    this.stopIfTripped(applier);
    await this.advanceWatermark(source);
    return { plan, report: this.finish() };
  }

  /**
   * The provisioned users a planned newcomer clashes with (`MatchConflictError`) that are no longer
   * in the source: read one by one through the adapter's `user()` (an adapter without it leaves
   * them to the next full cycle).
   */
  private async departedOwners(plan: UserPlan, source: SourceRead): Promise<string[]> {
    const { datastore } = this.deps.options;
    if (typeof datastore.user !== 'function') return [];
    const owners = new Set<string>();
    for (const failure of plan.failures) {
      const error = failure.error;
      if (!isMatchConflictError(error)) continue;
      const owner = error.otherSourceId;
      if (
        this.deps.state.users.has(owner) &&
        !source.users.has(owner) &&
        !source.removedUsers.includes(owner)
      )
        owners.add(owner);
    }
    const gone: string[] = [];
    for (const owner of owners) {
      const user = await readOneUser(datastore, owner, this.userAttributes());
      if (user === undefined) gone.push(owner);
    }
    return gone;
  }

  // ----------------------------------------------------------------------------------------------
  // provisionOne()

  /** Provisions one user: create, link, update, re-enable, or remove it when it left the scope. */
  async single(sourceId: string): Promise<CycleResult> {
    const { options: engine, state } = this.deps;
    const user = await readOneUser(engine.datastore, sourceId, this.userAttributes());
    const users = new Map<string, SourceUser>(user === undefined ? [] : [[user.id, user]]);
    const mapped = this.mapUsers(users.values());
    const input = {
      state,
      users,
      removed: user === undefined && state.users.has(sourceId) ? [sourceId] : [],
      mapped,
      options: engine.users,
      matcher: this.deps.matcher,
      compiled: engine.mapping.compiledUsers,
      notRetained: this.deps.knowledge.userAttributesNotRetained,
      listing: undefined,
    };
    const needs = usersToMatch(input);
    const lookups = needs.length > 0 ? (await this.findUsers(needs, users, mapped)).lookups : new Map();
    const userPlan = planUsers({ ...input, lookups });
    this.reportPlanning(userPlan);
    const { held } = checkRemovals({
      threshold: engine.safety.deletionThreshold,
      provisionedUsers: state.users.size,
      userRemovals: userPlan.removals,
      groupRemovals: [],
      sourceEmpty: false,
      allowRemovals: this.options.allowRemovals,
    });
    if (held !== undefined) {
      this.report.held = held;
      userPlan.removals.length = 0;
    }
    const plan = this.assemble(userPlan, emptyGroupPlan(), held);
    if (this.options.dryRun) {
      this.countPlan(plan);
      return { plan, report: this.finish() };
    }
    this.countUnchangedAndSkipped(plan);
    if (hasWork(userPlan) || userPlan.housekeeping.length > 0) {
      await this.deps.ensureStateSaved();
      const applier = await this.applier(users, new Map(), userPlan.upserts.length > 0, mapped);
      await applier.housekeeping(userPlan.housekeeping);
      await applier.users('users', userPlan.upserts);
      this.stopIfTripped(applier);
      await applier.users('removals', userPlan.removals);
      this.stopIfTripped(applier);
    }
    return { plan, report: this.finish() };
  }

  // ----------------------------------------------------------------------------------------------
  // deprovisionAll()

  /** Removes every provisioned user (per `removeAction`) and deletes every provisioned group. */
  async deprovisionAll(): Promise<CycleResult> {
    const { options: engine, state } = this.deps;
    const userPlan: UserPlan = {
      upserts: [],
      removals: [],
      skipped: [],
      unchanged: 0,
      housekeeping: [],
      warnings: [],
      failures: [],
      deleteFirst: new Set(),
    };
    for (const [sourceId, entry] of state.users) {
      const removal = planUserRemoval(sourceId, entry, 'deprovisionAll', engine.users, undefined);
      if (removal === 'none') userPlan.unchanged += 1;
      else if (removal === 'forget') userPlan.housekeeping.push({ type: 'removeUser', sourceId });
      else if ('because' in removal) userPlan.skipped.push(removal);
      else userPlan.removals.push(removal);
    }
    for (const sourceId of state.pending.users.keys()) {
      userPlan.housekeeping.push({ type: 'abandonCreate', kind: 'user', sourceId });
    }
    const removals = planGroupRemovals(
      state,
      [...state.groups.keys(), ...state.pending.groups.keys()],
      engine.groups,
      undefined,
      'deprovisionAll',
    );
    const groupPlan = {
      ...emptyGroupPlan(),
      removals: removals.removals,
      skipped: removals.skipped,
      housekeeping: removals.housekeeping,
    };
    const plan = this.assemble(userPlan, groupPlan, undefined);
    if (this.options.dryRun) {
      this.countPlan(plan);
      return { plan, report: this.finish() };
    }
    this.countUnchangedAndSkipped(plan);
    await this.deps.ensureStateSaved();
    const applier = await this.applier(new Map(), new Map(), false);
    await applier.housekeeping([...userPlan.housekeeping, ...groupPlan.housekeeping]);
    await applier.groups('removals', groupPlan.removals);
    this.stopIfTripped(applier);
    await applier.users('removals', userPlan.removals);
    this.stopIfTripped(applier);
    if (state.watermark !== undefined) {
      await this.commit({ type: 'setWatermark', watermark: undefined });
    }
    return { plan, report: this.finish() };
  }

  // ----------------------------------------------------------------------------------------------
  // Shared steps

  /** The last report built by {@link Cycle.finish}. */
  lastReport: SyncReport | undefined;

  /** Builds the cycle's report (also for a cycle that stopped early). */
  finish(): SyncReport {
    this.announceHeld();
    this.report.requests = this.deps.requestCount();
    this.lastReport = this.report.build(this.deps.options.now());
    return this.lastReport;
  }

  private heldAnnounced = false;

  /**
   * Emits `removalsHeld` once, as the cycle ends: the member removals held with the removals are
   * only known once the groups are planned (and, for groups read in the apply phase, applied).
   */
  private announceHeld(): void {
    const held = this.report.held;
    if (held === undefined || this.heldAnnounced) return;
    this.heldAnnounced = true;
    this.deps.emit('removalsHeld', held);
  }

  /** The error to throw for a failure that ended the cycle before or between phases. */
  asAbort(error: unknown): unknown {
    const kind = classifyFailure(error);
    if (kind === undefined) return error;
    const report = this.finishAborted(kind);
    return new SyncAbortedError(kind, `Sync stopped: ${describeSystemicFailure(kind)}`, {
      cause: error,
      report,
    });
  }

  private finishAborted(kind: NonNullable<ReturnType<typeof classifyFailure>>): SyncReport {
    this.report.aborted ??= { reason: kind, message: describeSystemicFailure(kind) };
    return this.finish();
  }

  private stopIfTripped(applier: Applier): void {
    const trip = applier.trip;
    if (trip === undefined) return;
    this.report.aborted = { reason: trip.kind, message: describeSystemicFailure(trip.kind) };
    const report = this.finish();
    throw new SyncAbortedError(
      trip.kind,
      `Sync stopped after ${this.report.failures.length} failed operations: ${describeSystemicFailure(trip.kind)}`,
      { cause: trip.cause, report },
    );
  }

  private async advanceWatermark(source: SourceRead): Promise<void> {
    if (source.nextWatermark === undefined || this.report.held !== undefined) return;
    if (this.report.failures.some((failure) => failure.op !== 'map')) return;
    if (this.report.notAttempted > 0) return;
    const next = storedWatermark(
      source.nextWatermark,
      this.deps.options.fingerprint,
      this.deps.options.now(),
    );
    // Rewritten when users were created or linked, so that `recordedAt` stays after their creation.
    const usersAdded = this.report.users.created + this.report.users.linked > 0;
    if (!usersAdded && sameWatermark(next, this.deps.state.watermark)) {
      this.report.watermarkAdvanced = true;
      return;
    }
    await this.deps.ensureStateSaved();
    await this.commit({ type: 'setWatermark', watermark: next });
    this.report.watermarkAdvanced = true;
  }

  private async commit(change: StateChange): Promise<void> {
    await commitStateChanges(this.deps.store, this.deps.state, change);
  }

  private async applier(
    users: ReadonlyMap<string, SourceUser>,
    groups: ReadonlyMap<string, SourceGroup>,
    needsProfile: boolean,
    plannedUsers?: ReadonlyMap<string, MappedResource>,
  ): Promise<Applier> {
    const { options: engine } = this.deps;
    const profile = needsProfile ? await this.profile() : this.profileResult;
    return new Applier({
      options: engine,
      state: this.deps.state,
      store: this.deps.store,
      target: engine.client,
      userMapping: profile?.userMapping ?? engine.mapping.compiledUsers,
      groupMapping: profile?.groupMapping ?? engine.mapping.compiledGroups,
      sourceUsers: users,
      ...(plannedUsers === undefined ? {} : { plannedUsers }),
      sourceGroups: groups,
      report: this.report,
      emit: this.deps.emit,
      breaker: this.breaker,
      knowledge: this.deps.knowledge,
      signal: this.options.signal,
    });
  }

  private async profile(): Promise<TargetProfile> {
    this.profileResult ??= await this.targetCall(() => this.deps.profile(this.options.signal));
    return this.profileResult;
  }

  /** Runs a read of the target; a systemic failure becomes one `SyncAbortedError`. */
  private async targetCall<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.asAbort(error);
    }
  }

  private call(): { signal?: AbortSignal } {
    return this.options.signal === undefined ? {} : { signal: this.options.signal };
  }

  private userAttributes(): string[] {
    const { options: engine, matcher } = this.deps;
    const names = [...engine.mapping.compiledUsers.sourceAttributes];
    if (matcher.rule.kind === 'template') names.push(...matcher.rule.placeholders);
    return names;
  }

  private mapUsers(users: Iterable<SourceUser>): Map<string, MappedResource> {
    const { options: engine, state } = this.deps;
    const mapped = new Map<string, MappedResource>();
    for (const user of users) {
      const provisioned = state.users.has(user.id);
      if (
        !provisioned &&
        !state.pending.users.has(user.id) &&
        desiredUser(user, false, engine.users) === 'absent'
      ) {
        continue;
      }
      try {
        mapped.set(user.id, mapUser(engine.mapping.compiledUsers, user));
      } catch (error) {
        if (!isMappingError(error)) throw error;
        this.report.fail({ kind: 'user', op: 'map', sourceId: user.id, error });
      }
    }
    return mapped;
  }

  private mapGroups(groups: Iterable<SourceGroup>): Map<string, MappedResource> {
    const { options: engine } = this.deps;
    const mapped = new Map<string, MappedResource>();
    for (const group of groups) {
      try {
        mapped.set(group.id, mapGroup(engine.mapping.compiledGroups, group));
      } catch (error) {
        if (!isMappingError(error)) throw error;
        this.report.fail({ kind: 'group', op: 'map', sourceId: group.id, error });
      }
    }
    return mapped;
  }

  private async findUsers(
    needs: readonly string[],
    users: ReadonlyMap<string, SourceUser>,
    mapped: ReadonlyMap<string, MappedResource>,
  ) {
    const { options: engine, matcher } = this.deps;
    const profile = await this.profile();
    const client = engine.client;
    return this.targetCall(() =>
      findExisting<TargetUser>(
        needs,
        {
          keysOfTarget: (resource) => matcher.keysOfTarget(resource),
          list: (options) => client.users.list(options),
          count:
            client.users.count === undefined
              ? undefined
              : (options) => client.users.count?.(options) ?? Promise.resolve(undefined),
          settle: (sourceId, index) => {
            const user = users.get(sourceId);
            const result = mapped.get(sourceId);
            if (user === undefined || result === undefined) return undefined;
            if (!matcher.indexable) return index.all.find((candidate) => matcher.matches(candidate, user));
            const key = matcher.keyOf(user, result.resource);
            return key === undefined
              ? undefined
              : index.byKey.get(key)?.find((candidate) => matcher.matches(candidate, user));
          },
          lookup: async (sourceId, options) => {
            const user = users.get(sourceId);
            const result = mapped.get(sourceId);
            if (user === undefined || result === undefined) return undefined;
            if (matcher.rule.kind === 'userName') {
              return client.users.findByUserName(String(result.resource.userName), options);
            }
            const filterText = matcher.filterOf(user, result.resource);
            if (filterText === undefined) return undefined;
            return firstOf(client.users.list({ ...options, filter: filterText }));
          },
        },
        this.matchSettings(profile, 'Users', this.deps.state.users.size),
      ),
    );
  }

  private async findGroups(needs: readonly string[], mapped: ReadonlyMap<string, MappedResource>) {
    const { options: engine } = this.deps;
    const profile = await this.profile();
    const client = engine.client;
    const nameOf = (sourceId: string) => {
      const result = mapped.get(sourceId);
      return result === undefined ? undefined : String(result.resource.displayName);
    };
    return this.targetCall(() =>
      findExisting<TargetGroup>(
        needs,
        {
          keysOfTarget: groupIndexKeys,
          list: (options) => client.groups.list(options),
          count:
            client.groups.count === undefined
              ? undefined
              : (options) => client.groups.count?.(options) ?? Promise.resolve(undefined),
          settle: (sourceId, index) => {
            const name = nameOf(sourceId);
            return name === undefined ? undefined : index.byKey.get(groupKey(name))?.[0];
          },
          lookup: async (sourceId, options) => {
            const name = nameOf(sourceId);
            return name === undefined ? undefined : client.groups.findByDisplayName(name, options);
          },
        },
        this.matchSettings(profile, 'Groups', this.deps.state.groups.size),
      ),
    );
  }

  private matchSettings(
    profile: TargetProfile,
    resourceType: 'Users' | 'Groups',
    knownMinimum: number,
  ): MatchSettings {
    const { options: engine } = this.deps;
    return {
      knownMinimum,
      pageSize: engine.pageSize,
      concurrency: engine.concurrency,
      signal: this.options.signal,
      filterSupported: profile.filterSupported,
      localFilterSeen: () => this.deps.localFilterSeen(resourceType),
    };
  }

  /** The plan as published: operations in the order they are applied. */
  /** Records the warnings and failures a planning step found (once per step). */
  private reportPlanning(part: Pick<GroupPlanLike, 'warnings' | 'failures'>): void {
    for (const warning of part.warnings) {
      this.report.warnings.push(warning);
      this.deps.emit('warning', warning);
    }
    for (const failure of part.failures) {
      const targetId = 'targetId' in failure.error ? failure.error.targetId : undefined;
      this.report.fail({
        kind: failure.kind,
        op: targetId === undefined ? 'create' : 'link',
        sourceId: failure.sourceId,
        ...(typeof targetId === 'string' ? { targetId } : {}),
        error: failure.error,
      });
    }
  }

  /** The plan as published: operations in the order they are applied. */
  private assemble(users: UserPlan, groups: GroupPlanLike, held: HeldRemovals | undefined): ProvisioningPlan {
    return {
      mode: this.report.mode,
      users: [...users.upserts, ...users.removals],
      groups: [...groups.upserts, ...groups.memberships, ...groups.removals],
      skipped: [...users.skipped, ...groups.skipped],
      held,
      failures: [
        ...this.report.failures
          .filter((failure) => failure.op === 'map')
          .map((failure) => ({ kind: failure.kind, sourceId: failure.sourceId, error: failure.error })),
        ...users.failures,
        ...groups.failures,
      ],
      unchanged: { users: users.unchanged, groups: groups.unchanged },
      housekeeping: [...users.housekeeping, ...groups.housekeeping],
      warnings: [...users.warnings, ...groups.warnings],
    };
  }

  private countUnchangedAndSkipped(plan: ProvisioningPlan): void {
    this.report.count('user', 'unchanged', plan.unchanged.users);
    this.report.count('group', 'unchanged', plan.unchanged.groups);
    for (const skipped of plan.skipped) this.report.skip(skipped);
  }

  /** Dry run: the counts the plan would give, and an event per operation (with `dryRun: true`). */
  private countPlan(plan: ProvisioningPlan): void {
    this.countUnchangedAndSkipped(plan);
    const { emit } = this.deps;
    for (const operation of plan.users) {
      this.report.count('user', USER_COUNTER[operation.op]);
      emit('userOperation', {
        op: operation.op,
        sourceId: operation.sourceId,
        targetId: 'targetId' in operation ? operation.targetId : undefined,
        dryRun: true,
      });
    }
    for (const operation of plan.groups) {
      countGroupOperation(this.report, operation);
      emit('groupOperation', {
        op: operation.op,
        sourceId: operation.sourceId,
        targetId: 'targetId' in operation ? operation.targetId : undefined,
        dryRun: true,
      });
    }
  }
}

/** The shape of a group plan as `assemble` reads it. */
interface GroupPlanLike {
  readonly upserts: readonly GroupOperation[];
  readonly memberships: readonly GroupOperation[];
  readonly removals: readonly GroupOperation[];
  readonly skipped: readonly SkippedOperation[];
  readonly unchanged: number;
  readonly housekeeping: readonly StateChange[];
  readonly warnings: readonly EngineWarning[];
  readonly failures: readonly PlanningFailure[];
}

const USER_COUNTER = {
  create: 'created',
  link: 'linked',
  update: 'updated',
  enable: 'enabled',
  disable: 'disabled',
  delete: 'deleted',
} as const satisfies Record<UserOperation['op'], keyof SyncReport['users']>;

function countGroupOperation(report: ReportBuilder, operation: GroupOperation): void {
  switch (operation.op) {
    case 'create':
      report.count('group', 'created');
      report.count('group', 'membersAdded', operation.members.length);
      return;
    case 'link':
      report.count('group', 'linked');
      return;
    case 'rename':
      report.count('group', 'renamed');
      return;
    case 'update':
      report.count('group', 'updated');
      return;
    case 'members':
      report.count('group', 'membersAdded', operation.add.length);
      report.count('group', 'membersRemoved', operation.remove.length);
      return;
    case 'delete':
      report.count('group', 'deleted');
      return;
  }
}

function emptyGroupPlan(): GroupPlanLike & GroupRemovalPlan {
  return {
    upserts: [],
    memberships: [],
    removals: [],
    skipped: [],
    unchanged: 0,
    housekeeping: [],
    warnings: [],
    failures: [],
  };
}

function hasWork(plan: UserPlan): boolean {
  return plan.upserts.length > 0 || plan.removals.length > 0;
}

function hasGroupWork(plan: GroupPlanLike): boolean {
  return (
    plan.upserts.length > 0 ||
    plan.memberships.length > 0 ||
    plan.removals.length > 0 ||
    plan.housekeeping.length > 0
  );
}

/** Users provisioned now, minus those about to be deleted: a view of the state, not a copy. */
function provisioned(
  state: ProvisioningState,
  deleting: ReadonlySet<string>,
): Pick<ReadonlyMap<string, string | undefined>, 'has' | 'get'> {
  return {
    has: (sourceId) => state.users.has(sourceId) && !deleting.has(sourceId),
    get: (sourceId) => (deleting.has(sourceId) ? undefined : state.users.get(sourceId)?.targetId),
  };
}

/** {@link provisioned} as a copy, for a dry run that projects the planned operations onto it. */
function provisionedCopy(
  state: ProvisioningState,
  deleting: ReadonlySet<string>,
): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const [sourceId, entry] of state.users) if (!deleting.has(sourceId)) out.set(sourceId, entry.targetId);
  return out;
}

/** Users as they would be provisioned once the planned user operations are applied (dry run). */
function projectedUsers(
  state: ProvisioningState,
  plan: UserPlan,
  deleting: ReadonlySet<string>,
): Map<string, string | undefined> {
  const out = provisionedCopy(state, deleting);
  for (const change of plan.housekeeping) if (change.type === 'removeUser') out.delete(change.sourceId);
  for (const operation of plan.upserts) {
    if (operation.op === 'create') out.set(operation.sourceId, undefined);
    else if (operation.op === 'link') out.set(operation.sourceId, operation.targetId);
  }
  return out;
}
