/**
 * The applier: sends planned operations to the target with bounded concurrency, records each
 * outcome in the state as it completes, and isolates each operation's failure (recorded in the
 * report with the object, the operation and the typed error; the state is not advanced for it, so
 * the next cycle tries again). A circuit breaker stops the cycle when the target fails as a whole.
 *
 * @module
 */

import { isScimConflictError } from '../client/errors/ScimConflictError';
import { isScimHttpError } from '../client/errors/ScimHttpError';
import type { SourceGroup, SourceUser } from '../datastore/types';
import { findKey } from '../scim/attributes';
import type { PatchOperation } from '../scim/models/patch-op';
import type { BreakerTrip, CircuitBreaker } from './circuit-breaker';
import { CreateIntents } from './create-intents';
import { MatchConflictError } from './errors/MatchConflictError';
import type { CyclePhase, EmitEngineEvent } from './events';
import type { CompiledMapping } from './mapping/compile';
import { driftedAttributes, droppedAttributes } from './mapping/drift';
import { type MappedResource, mapGroup, mapUser } from './mapping/map';
import type {
  CreateGroupOperation,
  CreateUserOperation,
  DeleteGroupOperation,
  DeleteUserOperation,
  DisableUserOperation,
  EnableUserOperation,
  GroupMembersOperation,
  GroupOperation,
  LinkGroupOperation,
  LinkUserOperation,
  MemberRef,
  OperationKind,
  RenameGroupOperation,
  UpdateGroupOperation,
  UpdateUserOperation,
  UserOperation,
} from './operations';
import type { ResolvedEngineOptions } from './options';
import { activeOf } from './planner';
import { runPool } from './pool';
import type { ReportBuilder } from './report';
import { applyStateChange, type StateChange } from './state/changes';
import { commitStateChanges, type StateStore } from './state/StateStore';
import { isStateStoreError } from './state/StateStoreError';
import type { ProvisioningState, UserState } from './state/types';
import type { ProvisioningTarget, TargetGroup, TargetUser } from './target';

/** What the engine has learned about the target, kept across cycles. */
export interface TargetKnowledge {
  /** The target answered a group create with 403, 405 or 501. */
  groupCreateRefused: boolean;
  /** The target created a group: creates may go in parallel. */
  groupCreateWorks: boolean;
  /** The target answered a group delete with 403, 405 or 501. */
  groupDeleteRefused: boolean;
  /** The target deleted a group: deletes may go in parallel. */
  groupDeleteWorks: boolean;
  /** The target refused a PUT clearing attributes with `null`: attributes are cleared by leaving them out. */
  nullRejected: boolean;
  /**
   * User mapping keys the target answered a POST or PUT without (it does not retain them): left
   * out of drift comparison, so that full cycles do not rewrite every user each time.
   */
  readonly userAttributesNotRetained: Set<string>;
}

/** Everything the applier works with during one cycle. */
export interface ApplyContext {
  readonly options: ResolvedEngineOptions;
  readonly state: ProvisioningState;
  readonly store: StateStore;
  readonly target: ProvisioningTarget;
  /** The user mapping to build bodies with (checked against the target's schemas when it has them). */
  readonly userMapping: CompiledMapping;
  readonly groupMapping: CompiledMapping;
  readonly sourceUsers: ReadonlyMap<string, SourceUser>;
  /**
   * The plan's mapping of the source users, with the configured mapping: reused to create a user
   * when `userMapping` is that same mapping, so that a user is not mapped twice.
   */
  readonly plannedUsers?: ReadonlyMap<string, MappedResource>;
  readonly sourceGroups: ReadonlyMap<string, SourceGroup>;
  readonly report: ReportBuilder;
  readonly emit: EmitEngineEvent;
  readonly breaker: CircuitBreaker;
  readonly knowledge: TargetKnowledge;
  readonly signal: AbortSignal | undefined;
}

/** Create intents recorded in one batch, per lane: one `fsync` covers this many creates of each lane. */
const CREATE_INTENT_BATCH = 8;

/** Statuses with which a target says it cannot do this at all (not: this object is wrong). */
const REFUSAL_STATUSES = new Set([403, 405, 501]);

/** The applier of one cycle. */
export class Applier {
  private readonly context: ApplyContext;
  /** Target id -> source id of every linked user, to refuse linking one target user twice. */
  private readonly userClaims = new Map<string, string>();
  /** Members of groups created this cycle that could not be written with the create (groups created later). */
  private readonly deferredMembers: { sourceId: string; refs: MemberRef[] }[] = [];
  /** Changes recorded without waiting ({@link Applier.commitWithoutWaiting}) and not yet durable. */
  private readonly unsettledRecords = new Set<Promise<void>>();
  /** The first of them that failed. */
  private recordFailure: { readonly error: unknown } | undefined;
  /** User create intents, recorded ahead in batches. */
  private readonly intents: CreateIntents;
  /** Users given a new target id this cycle (re-created after a 404): old id -> new. */
  readonly retargeted = new Map<string, { sourceId: string; targetId: string }>();

  constructor(context: ApplyContext) {
    this.context = context;
    this.intents = new CreateIntents(
      (changes) => this.commit(changes),
      () => this.now(),
      CREATE_INTENT_BATCH * context.options.concurrency,
    );
    for (const [sourceId, entry] of context.state.users) this.userClaims.set(entry.targetId, sourceId);
  }

  /** Why the cycle must stop, once the breaker has opened. */
  get trip(): BreakerTrip | undefined {
    return this.context.breaker.trip;
  }

  /** Applies state-only changes (no request). */
  async housekeeping(changes: readonly StateChange[]): Promise<void> {
    if (changes.length > 0) await this.commit(changes);
  }

  /** Applies user operations of one phase. */
  async users(phase: CyclePhase, operations: readonly UserOperation[]): Promise<void> {
    this.intents.plan(
      operations.flatMap((operation) =>
        operation.op === 'create' ? [{ sourceId: operation.sourceId, matchKey: operation.userName }] : [],
      ),
    );
    try {
      await this.phase(phase, operations, 'user', (operation) => this.applyUser(operation));
    } finally {
      await this.intents.release();
    }
  }

  /** Applies group operations of one phase (members deferred by creates come first in `memberships`). */
  async groups(phase: CyclePhase, operations: readonly GroupOperation[]): Promise<void> {
    if (phase === 'memberships' && this.deferredMembers.length > 0) {
      const deferred = this.deferredMembers.splice(0);
      await this.phase('memberships', deferred, 'group', (item) =>
        this.addDeferredMembers(item.sourceId, item.refs),
      );
    }
    // Until the target has shown it can create (delete) groups, one goes first: a target that
    // cannot gets one refused request, not one per group in flight.
    const { knowledge } = this.context;
    const probe = operations.findIndex(
      (operation) =>
        (operation.op === 'create' && !knowledge.groupCreateWorks && !knowledge.groupCreateRefused) ||
        (operation.op === 'delete' && !knowledge.groupDeleteWorks && !knowledge.groupDeleteRefused),
    );
    const ordered =
      probe > 0
        ? [operations[probe] as GroupOperation, ...operations.filter((_item, index) => index !== probe)]
        : operations;
    await this.phase(phase, ordered, 'group', (operation) => this.applyGroup(operation), probe >= 0);
  }

  private targetIdOf(kind: 'user' | 'group', sourceId: string): string | undefined {
    const { state } = this.context;
    return kind === 'user' ? state.users.get(sourceId)?.targetId : state.groups.get(sourceId)?.targetId;
  }

  private async phase<
    T extends {
      readonly sourceId: string;
      readonly op?: OperationKind;
      readonly targetId?: string | undefined;
    },
  >(
    phase: CyclePhase,
    items: readonly T[],
    kind: 'user' | 'group',
    apply: (item: T) => Promise<void>,
    firstAlone = false,
  ): Promise<void> {
    if (items.length === 0) return;
    const { emit, report, breaker, signal } = this.context;
    let done = 0;
    emit('progress', { phase, done, total: items.length });
    const worker = async (item: T) => {
      if (this.recordFailure !== undefined) throw this.recordFailure.error;
      const ticket = breaker.begin();
      try {
        await apply(item);
        breaker.success(ticket);
      } catch (error) {
        if (isStateStoreError(error) || signal?.aborted === true) throw error;
        const targetId = item.targetId ?? this.targetIdOf(kind, item.sourceId);
        report.fail({
          kind,
          op: item.op ?? 'members',
          sourceId: item.sourceId,
          ...(targetId === undefined ? {} : { targetId }),
          error: asError(error),
        });
        breaker.failure(error);
      }
      done += 1;
      emit('progress', { phase, done, total: items.length });
    };
    const stopped = () => breaker.trip !== undefined || signal?.aborted === true;
    let rest = items;
    if (firstAlone) {
      // The first item alone: what it teaches (a target that refuses) applies to the others.
      const notStarted = await runPool(items.slice(0, 1), 1, worker, stopped);
      if (notStarted > 0) {
        report.notAttempted += items.length;
        await this.settleRecords();
        return;
      }
      rest = items.slice(1);
    }
    let notStarted: number;
    try {
      notStarted = await runPool(rest, this.context.options.concurrency, worker, stopped);
    } catch (error) {
      // The error that stopped the phase is the one to report; the records are still waited for.
      await this.settleRecords().catch(() => undefined);
      throw error;
    }
    report.notAttempted += notStarted;
    await this.settleRecords();
  }

  // ----------------------------------------------------------------------------------------------
  // Users

  private applyUser(operation: UserOperation): Promise<void> {
    switch (operation.op) {
      case 'create':
        return this.createUser(operation, operation.replaces);
      case 'link':
        return this.linkUser(operation);
      case 'update':
        return this.replaceUser(operation, operation.active);
      case 'enable':
        return this.replaceUser(operation, true);
      case 'disable':
        return this.disableUser(operation);
      case 'delete':
        return this.deleteUser(operation);
    }
  }

  private async createUser(operation: CreateUserOperation, retargetFrom?: string): Promise<void> {
    const { target, report } = this.context;
    if (operation.reason === 'missingInTarget' && retargetFrom === undefined) {
      // A full cycle's listing did not hold this provisioned user. A listing can be wrong (a
      // target that lists short, or lies); the user is looked up by its id before it is created
      // again, so that a target without unique userNames does not get a second account.
      const still = await this.stillInTarget('user', operation.sourceId);
      if (still !== undefined) {
        const existing = still as TargetUser;
        await this.linkUser({
          op: 'link',
          sourceId: operation.sourceId,
          targetId: requireId(existing, 'user'),
          userName: operation.userName,
          active: operation.active,
          reason: operation.reason,
          hash: operation.hash,
          existing,
          write:
            this.context.options.users.update &&
            this.userDiffers(existing, this.mapSourceUser(operation.sourceId), operation.active),
        });
        return;
      }
    }
    const mapped = this.mapSourceUser(operation.sourceId);
    const body: TargetUser = {
      ...mapped.resource,
      userName: String(mapped.resource.userName),
      active: operation.active,
    };
    await this.intents.ready({ sourceId: operation.sourceId, matchKey: operation.userName });
    let created: TargetUser;
    try {
      created = await target.users.create(body, this.call());
    } catch (error) {
      if (isScimConflictError(error)) {
        const existing = error.existing as TargetUser | undefined;
        const owner = typeof existing?.id === 'string' ? this.userClaims.get(existing.id) : undefined;
        if (
          existing !== undefined &&
          typeof existing.id === 'string' &&
          owner !== undefined &&
          owner !== operation.sourceId
        ) {
          await this.commit({ type: 'abandonCreate', kind: 'user', sourceId: operation.sourceId });
          throw new MatchConflictError({
            kind: 'user',
            sourceId: operation.sourceId,
            otherSourceId: owner,
            key: operation.userName,
            targetId: existing.id,
            cause: error,
          });
        }
        if (existing !== undefined && typeof existing.id === 'string') {
          await this.linkUser({
            op: 'link',
            sourceId: operation.sourceId,
            targetId: existing.id,
            userName: operation.userName,
            active: operation.active,
            reason: operation.reason,
            hash: operation.hash,
            existing,
            write: this.context.options.users.update && this.userDiffers(existing, mapped, operation.active),
          });
          return;
        }
      }
      if (isKnownRefusal(error)) {
        await this.commit({ type: 'abandonCreate', kind: 'user', sourceId: operation.sourceId });
      }
      throw error;
    }
    const targetId = requireId(created, 'user');
    // Claimed before anything else is awaited: a concurrent create answered 409 sees it.
    this.userClaims.set(targetId, operation.sourceId);
    this.noteRetention(operation.sourceId, created, mapped);
    const now = this.now();
    // Not awaited: the create intent recorded before the POST already covers a crash from here on
    // (the next cycle finds the user by its userName and links it).
    this.commitWithoutWaiting({
      type: 'setUser',
      sourceId: operation.sourceId,
      user: {
        targetId,
        userName: operation.userName,
        hash: operation.hash,
        status: operation.active ? 'active' : 'disabled',
        createdAt: now,
        updatedAt: now,
      },
    });
    if (retargetFrom !== undefined)
      this.retargeted.set(retargetFrom, { sourceId: operation.sourceId, targetId });
    report.count('user', 'created');
    this.emitUser('create', operation.sourceId, targetId, undefined, body);
  }

  private async linkUser(operation: LinkUserOperation): Promise<void> {
    const { report } = this.context;
    const existing = operation.existing;
    const targetId = requireId(existing, 'user');
    let written: TargetUser | undefined;
    if (operation.write)
      written = await this.putUser(operation.sourceId, targetId, existing, operation.active);
    const now = this.now();
    await this.commit({
      type: 'setUser',
      sourceId: operation.sourceId,
      user: {
        targetId,
        userName: operation.userName,
        hash: operation.hash,
        status: operation.active ? 'active' : 'disabled',
        createdAt: now,
        updatedAt: now,
      },
    });
    this.userClaims.set(targetId, operation.sourceId);
    report.count('user', 'linked');
    this.emitUser('link', operation.sourceId, targetId, existing, written);
  }

  private async replaceUser(
    operation: UpdateUserOperation | EnableUserOperation,
    active: boolean,
  ): Promise<void> {
    const { target, report, state } = this.context;
    const entry = state.users.get(operation.sourceId);
    try {
      const current = operation.current ?? (await target.users.get(operation.targetId, this.call()));
      const body = await this.putUser(operation.sourceId, operation.targetId, current, active);
      await this.commitUser(operation.sourceId, entry, {
        targetId: operation.targetId,
        userName: operation.userName,
        hash: operation.hash,
        status: active ? 'active' : 'disabled',
      });
      report.count('user', operation.op === 'enable' ? 'enabled' : 'updated');
      this.emitUser(operation.op, operation.sourceId, operation.targetId, current, body);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.userGoneFromTarget(
        operation.sourceId,
        operation.targetId,
        operation.userName,
        operation.hash,
        active,
      );
    }
  }

  /** A provisioned user the target no longer has (404): re-created when creates are on, else forgotten. */
  private async userGoneFromTarget(
    sourceId: string,
    targetId: string,
    userName: string,
    hash: string,
    active: boolean,
  ): Promise<void> {
    const { report, options } = this.context;
    if (options.users.create && (active || options.users.provisionDisabled)) {
      await this.createUser(
        { op: 'create', sourceId, userName, active, reason: 'missingInTarget', hash },
        targetId,
      );
      return;
    }
    await this.commit({ type: 'removeUser', sourceId });
    this.userClaims.delete(targetId);
    report.skip({ kind: 'user', op: 'create', sourceId, because: 'users.create is off' });
    this.warn({
      code: 'missingInTarget',
      kind: 'user',
      sourceId,
      message: `User ${sourceId} (${userName}) was deleted in the target and is not re-created`,
    });
  }

  private async disableUser(operation: DisableUserOperation): Promise<void> {
    const { target, report, state } = this.context;
    const entry = state.users.get(operation.sourceId);
    let current: TargetUser;
    try {
      current = operation.current ?? (await target.users.get(operation.targetId, this.call()));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.forgetUser(operation.sourceId, operation.targetId, operation.userName);
      return;
    }
    let body: TargetUser;
    try {
      if (operation.withAttributes) {
        body = await this.putUser(operation.sourceId, operation.targetId, current, false);
      } else {
        body = { ...writableCopy(current), active: false };
        await target.users.replace(operation.targetId, body, this.call());
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.forgetUser(operation.sourceId, operation.targetId, operation.userName);
      return;
    }
    await this.commitUser(operation.sourceId, entry, {
      targetId: operation.targetId,
      userName: operation.userName,
      hash: operation.hash,
      status: 'disabled',
    });
    report.count('user', 'disabled');
    this.emitUser('disable', operation.sourceId, operation.targetId, current, body);
  }

  private async forgetUser(sourceId: string, targetId: string, userName: string): Promise<void> {
    await this.commit({ type: 'removeUser', sourceId });
    this.userClaims.delete(targetId);
    this.warn({
      code: 'missingInTarget',
      kind: 'user',
      sourceId,
      message: `User ${sourceId} (${userName}) to remove was already deleted in the target`,
    });
  }

  private async deleteUser(operation: DeleteUserOperation): Promise<void> {
    const { target, report } = this.context;
    try {
      await target.users.delete(operation.targetId, this.call());
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await this.commit({ type: 'removeUser', sourceId: operation.sourceId });
    this.userClaims.delete(operation.targetId);
    report.count('user', 'deleted');
    this.emitUser('delete', operation.sourceId, operation.targetId, undefined, undefined);
  }

  private async commitUser(
    sourceId: string,
    entry: UserState | undefined,
    next: Pick<UserState, 'targetId' | 'userName' | 'hash' | 'status'>,
  ): Promise<void> {
    const now = this.now();
    await this.commit({
      type: 'setUser',
      sourceId,
      user: { ...next, createdAt: entry?.createdAt ?? now, updatedAt: now },
    });
  }

  /**
   * Replaces a user with the body built from its current resource (unmapped attributes kept,
   * emptied ones cleared). A target that refuses the `null` of a cleared attribute with a 400 gets
   * the body again with the attribute left out, and from then on (a `nullRejected` warning, once).
   */
  private async putUser(
    sourceId: string,
    targetId: string,
    current: TargetUser,
    active: boolean,
  ): Promise<TargetUser> {
    const { target, knowledge, options } = this.context;
    let mapped: MappedResource | undefined;
    const build = (clear: 'null' | 'omit'): TargetUser => {
      mapped = this.mapSourceUser(sourceId, current, clear);
      return { ...mapped.resource, userName: String(mapped.resource.userName), active };
    };
    const mode = knowledge.nullRejected ? 'omit' : options.clear;
    const body = build(mode);
    try {
      const answer = await target.users.replace(targetId, body, this.call());
      if (mapped !== undefined) this.noteRetention(sourceId, answer, mapped);
      return body;
    } catch (error) {
      if (!(mode === 'null' && isScimHttpError(error) && error.status === 400 && holdsNull(body)))
        throw error;
      const retry = build('omit');
      const answer = await target.users.replace(targetId, retry, this.call());
      if (mapped !== undefined) this.noteRetention(sourceId, answer, mapped);
      if (!knowledge.nullRejected) {
        knowledge.nullRejected = true;
        this.warn({
          code: 'nullRejected',
          kind: 'user',
          sourceId,
          message:
            'The target refuses null for an attribute to clear (HTTP 400); attributes are cleared by leaving them out of the PUT from now on',
        });
      }
      return retry;
    }
  }

  /**
   * Learns from the target's answer to a user POST or PUT which mapped attributes it does not
   * retain (sent, answered without): one `attributeNotRetained` warning for the newly found ones.
   * An answer that is not a representation of the user (no `userName`) teaches nothing; a key
   * found retained again is compared again.
   */
  private noteRetention(sourceId: string, answer: TargetUser | undefined, mapped: MappedResource): void {
    if (answer === undefined || typeof answer !== 'object' || answer === null) return;
    if (typeof answer.userName !== 'string') return;
    const known = this.context.knowledge.userAttributesNotRetained;
    const dropped = droppedAttributes(answer, mapped, this.context.userMapping);
    for (const key of known) if (!dropped.includes(key) && mapped.values.has(key)) known.delete(key);
    const fresh = dropped.filter((key) => !known.has(key));
    if (fresh.length === 0) return;
    for (const key of fresh) known.add(key);
    this.warn({
      code: 'attributeNotRetained',
      kind: 'user',
      sourceId,
      message: `The target answered a write of user ${sourceId} without ${fresh.join(', ')}: it does not retain ${fresh.length === 1 ? 'this attribute' : 'these attributes'}, which full cycles no longer compare`,
    });
  }

  private mapSourceUser(sourceId: string, existing?: TargetUser, clear?: 'null' | 'omit'): MappedResource {
    if (existing === undefined && this.context.userMapping === this.context.options.mapping.compiledUsers) {
      const planned = this.context.plannedUsers?.get(sourceId);
      if (planned !== undefined) return planned;
    }
    const source = this.context.sourceUsers.get(sourceId);
    if (source === undefined) throw new Error(`Source user ${sourceId} was not read in this cycle`);
    return mapUser(
      this.context.userMapping,
      source,
      existing === undefined ? {} : { existing, clear: clear ?? this.context.options.clear },
    );
  }

  private userDiffers(target: TargetUser, mapped: MappedResource, active: boolean): boolean {
    return (
      activeOf(target) !== active ||
      driftedAttributes(
        target,
        mapped,
        this.context.userMapping,
        this.context.knowledge.userAttributesNotRetained,
      ).length > 0
    );
  }

  // ----------------------------------------------------------------------------------------------
  // Groups

  private applyGroup(operation: GroupOperation): Promise<void> {
    switch (operation.op) {
      case 'create':
        return this.createGroup(operation);
      case 'link':
        return this.linkGroup(operation);
      case 'rename':
      case 'update':
        return this.updateGroup(operation);
      case 'members':
        return this.setGroupMembers(operation);
      case 'delete':
        return this.deleteGroup(operation);
    }
  }

  private async createGroup(operation: CreateGroupOperation): Promise<void> {
    const { target, report, knowledge } = this.context;
    if (knowledge.groupCreateRefused) {
      this.groupCreateRefused(operation);
      return;
    }
    if (
      operation.reason === 'missingInTarget' &&
      (await this.stillInTarget('group', operation.sourceId)) !== undefined
    ) {
      // The listing left out a group the target still has: it is not created a second time; the
      // next cycle, with a listing that holds it, writes what it needs.
      report.count('group', 'unchanged');
      return;
    }
    const mapped = this.mapSourceGroup(operation.sourceId);
    const present: { value: string; type: 'User' | 'Group' }[] = [];
    const deferred: MemberRef[] = [];
    for (const ref of operation.members) {
      const id = this.resolve(ref);
      if (id === undefined) deferred.push(ref);
      else present.push({ value: id, type: ref.type });
    }
    const body: TargetGroup = {
      ...mapped.resource,
      displayName: operation.displayName,
      ...(present.length > 0 ? { members: present } : {}),
    };
    await this.commit({
      type: 'beginCreate',
      kind: 'group',
      sourceId: operation.sourceId,
      matchKey: operation.displayName,
      at: this.now(),
    });
    let created: TargetGroup;
    try {
      created = await target.groups.create(body, this.call());
    } catch (error) {
      if (isScimHttpError(error) && REFUSAL_STATUSES.has(error.status)) {
        knowledge.groupCreateRefused = true;
        await this.commit({ type: 'abandonCreate', kind: 'group', sourceId: operation.sourceId });
        this.groupCreateRefused(operation);
        return;
      }
      if (isScimConflictError(error)) {
        const existing = error.existing as TargetGroup | undefined;
        if (
          existing !== undefined &&
          typeof existing.id === 'string' &&
          !this.groupClaimedByOther(existing.id, operation.sourceId)
        ) {
          await this.linkGroup({
            op: 'link',
            sourceId: operation.sourceId,
            targetId: existing.id,
            displayName: operation.displayName,
            reason: operation.reason,
            hash: operation.hash,
            existing,
          });
          const group = await target.groups.get(existing.id, this.call());
          await this.makeMembers(operation.sourceId, existing.id, group, operation.members);
          return;
        }
      }
      if (isKnownRefusal(error))
        await this.commit({ type: 'abandonCreate', kind: 'group', sourceId: operation.sourceId });
      throw error;
    }
    const targetId = requireId(created, 'group');
    knowledge.groupCreateWorks = true;
    const now = this.now();
    await this.commit({
      type: 'setGroup',
      sourceId: operation.sourceId,
      group: {
        targetId,
        displayName: operation.displayName,
        hash: operation.hash,
        members: present.map((member) => member.value),
        createdAt: now,
        updatedAt: now,
      },
    });
    report.count('group', 'created');
    report.count('group', 'membersAdded', present.length);
    if (deferred.length > 0) this.deferredMembers.push({ sourceId: operation.sourceId, refs: deferred });
    this.emitGroup('create', operation.sourceId, targetId, undefined, body);
  }

  private groupCreateRefused(operation: CreateGroupOperation): void {
    this.context.report.skip({
      kind: 'group',
      op: 'create',
      sourceId: operation.sourceId,
      because: 'the target cannot create groups',
    });
    this.warn({
      code: 'groupCreateRefused',
      kind: 'group',
      sourceId: operation.sourceId,
      message: `Group ${operation.sourceId} (${operation.displayName}) is not created: the target refuses group creates`,
    });
  }

  private async linkGroup(operation: LinkGroupOperation): Promise<void> {
    const existing = operation.existing;
    const targetId = requireId(existing, 'group');
    const now = this.now();
    const members = Array.isArray(existing.members) ? existing.members.map((member) => member.value) : [];
    await this.commit({
      type: 'setGroup',
      sourceId: operation.sourceId,
      group: {
        targetId,
        displayName: String(existing.displayName),
        hash: operation.hash,
        members: [...new Set(members)],
        createdAt: now,
        updatedAt: now,
      },
    });
    this.context.report.count('group', 'linked');
    this.emitGroup('link', operation.sourceId, targetId, existing, undefined);
  }

  private async updateGroup(operation: RenameGroupOperation | UpdateGroupOperation): Promise<void> {
    const { target, report, state } = this.context;
    const mapped = this.mapSourceGroup(operation.sourceId);
    const { replace, remove } = groupPatch(mapped, this.context.groupMapping, operation.displayName);
    try {
      await target.groups.patch(operation.targetId, [...replace, ...remove], this.call());
    } catch (error) {
      // A `remove` of an attribute the target does not hold may be answered 400 noTarget.
      if (
        !(
          remove.length > 0 &&
          isScimHttpError(error) &&
          error.status === 400 &&
          error.scimType === 'noTarget'
        )
      ) {
        throw error;
      }
      await target.groups.patch(operation.targetId, replace, this.call());
    }
    const entry = state.groups.get(operation.sourceId);
    if (entry !== undefined) {
      await this.commit({
        type: 'setGroup',
        sourceId: operation.sourceId,
        group: { ...entry, displayName: operation.displayName, hash: operation.hash, updatedAt: this.now() },
      });
    }
    report.count('group', operation.op === 'rename' ? 'renamed' : 'updated');
    this.emitGroup(operation.op, operation.sourceId, operation.targetId, undefined, {
      Operations: [...replace, ...remove],
    });
  }

  private async setGroupMembers(operation: GroupMembersOperation): Promise<void> {
    const targetId = operation.targetId ?? this.context.state.groups.get(operation.sourceId)?.targetId;
    if (targetId === undefined) return;
    if (operation.current === 'read') {
      const group = await this.context.target.groups.get(targetId, this.call());
      await this.makeMembers(operation.sourceId, targetId, group, operation.wanted, operation.keep);
      return;
    }
    const add = this.resolveAll(operation.add);
    await this.changeMembers(operation.sourceId, targetId, add, operation.remove);
  }

  /**
   * Reads nothing: makes `group` (as just read) hold `wanted`, and records the result. Members in
   * `keep` (held with a held removal) are not removed.
   */
  private async makeMembers(
    sourceId: string,
    targetId: string,
    group: TargetGroup,
    wanted: readonly MemberRef[],
    keep: readonly string[] = [],
  ): Promise<void> {
    const have = new Set((group.members ?? []).map((member) => member.value));
    const wantedMembers = this.resolveAll(wanted);
    const wantedIds = new Set(wantedMembers.map((member) => member.value));
    const kept = new Set(keep);
    const add = wantedMembers.filter((member) => !have.has(member.value));
    const leaving = [...have].filter((id) => !wantedIds.has(id));
    const remove = leaving.filter((id) => !kept.has(id));
    this.context.report.holdMemberRemovals(leaving.length - remove.length);
    const entry = this.context.state.groups.get(sourceId);
    if (entry !== undefined) {
      // The target's members are now known: record them, so that the deltas below apply to them.
      await this.commit({ type: 'setGroup', sourceId, group: { ...entry, members: [...have] } });
    }
    await this.changeMembers(sourceId, targetId, add, remove);
  }

  private async changeMembers(
    sourceId: string,
    targetId: string,
    add: readonly { value: string; type: 'User' | 'Group' }[],
    remove: readonly string[],
  ): Promise<void> {
    const { target, report } = this.context;
    if (remove.length > 0) {
      await target.groups.removeMembers(targetId, remove, this.call());
      await this.commit({ type: 'removeGroupMembers', sourceId, targetIds: [...remove], at: this.now() });
      report.count('group', 'membersRemoved', remove.length);
    }
    if (add.length > 0) {
      await target.groups.addMembers(targetId, add, this.call());
      await this.commit({
        type: 'addGroupMembers',
        sourceId,
        targetIds: add.map((member) => member.value),
        at: this.now(),
      });
      report.count('group', 'membersAdded', add.length);
    }
    if (add.length > 0 || remove.length > 0) {
      this.emitGroup('members', sourceId, targetId, undefined, {
        added: add.map((member) => member.value),
        removed: [...remove],
      });
    }
  }

  private async addDeferredMembers(sourceId: string, refs: readonly MemberRef[]): Promise<void> {
    const targetId = this.context.state.groups.get(sourceId)?.targetId;
    if (targetId === undefined) return;
    await this.changeMembers(sourceId, targetId, this.resolveAll(refs), []);
  }

  private async deleteGroup(operation: DeleteGroupOperation): Promise<void> {
    const { target, report, knowledge } = this.context;
    if (!knowledge.groupDeleteRefused) {
      try {
        await target.groups.delete(operation.targetId, this.call());
        knowledge.groupDeleteWorks = true;
        await this.commit({ type: 'removeGroup', sourceId: operation.sourceId });
        report.count('group', 'deleted');
        this.emitGroup('delete', operation.sourceId, operation.targetId, undefined, undefined);
        return;
      } catch (error) {
        if (isNotFound(error)) {
          await this.commit({ type: 'removeGroup', sourceId: operation.sourceId });
          report.count('group', 'deleted');
          return;
        }
        if (!(isScimHttpError(error) && REFUSAL_STATUSES.has(error.status))) throw error;
        knowledge.groupDeleteRefused = true;
      }
    }
    // The target cannot delete groups: leave it there, stop tracking it, and say so.
    await this.commit({ type: 'removeGroup', sourceId: operation.sourceId });
    report.skip({
      kind: 'group',
      op: 'delete',
      sourceId: operation.sourceId,
      because: 'the target cannot delete groups',
    });
    this.warn({
      code: 'groupDeleteRefused',
      kind: 'group',
      sourceId: operation.sourceId,
      message: `Group ${operation.sourceId} (${operation.displayName}) is not deleted: the target refuses group deletes; it is no longer managed`,
    });
  }

  private mapSourceGroup(sourceId: string): MappedResource {
    const source = this.context.sourceGroups.get(sourceId);
    if (source === undefined) throw new Error(`Source group ${sourceId} was not read in this cycle`);
    return mapGroup(this.context.groupMapping, source);
  }

  private groupClaimedByOther(targetId: string, sourceId: string): boolean {
    for (const [owner, entry] of this.context.state.groups) {
      if (entry.targetId === targetId && owner !== sourceId) return true;
    }
    return false;
  }

  /** A member's target id now: known at planning, or provisioned since. */
  private resolve(ref: MemberRef): string | undefined {
    if (ref.targetId !== undefined) return ref.targetId;
    const { state } = this.context;
    return ref.type === 'User'
      ? state.users.get(ref.sourceId)?.targetId
      : state.groups.get(ref.sourceId)?.targetId;
  }

  private resolveAll(refs: readonly MemberRef[]): { value: string; type: 'User' | 'Group' }[] {
    const out: { value: string; type: 'User' | 'Group' }[] = [];
    const seen = new Set<string>();
    for (const ref of refs) {
      const id = this.resolve(ref);
      if (id === undefined || seen.has(id)) continue;
      seen.add(id);
      out.push({ value: id, type: ref.type });
    }
    return out;
  }

  // ----------------------------------------------------------------------------------------------
  // Shared

  /**
   * Reads a provisioned object that a full cycle's listing did not hold, by the target id the
   * state has for it: the object when the target still has it (the listing was wrong: a
   * `listingMissedObject` warning), `undefined` when the target answers 404 or 410.
   */
  private async stillInTarget(
    kind: 'user' | 'group',
    sourceId: string,
  ): Promise<TargetUser | TargetGroup | undefined> {
    const { state, target } = this.context;
    const targetId =
      kind === 'user' ? state.users.get(sourceId)?.targetId : state.groups.get(sourceId)?.targetId;
    if (targetId === undefined) return undefined;
    let found: TargetUser | TargetGroup;
    try {
      found =
        kind === 'user'
          ? await target.users.get(targetId, this.call())
          : await target.groups.get(targetId, this.call());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    this.warn({
      code: 'listingMissedObject',
      kind,
      sourceId,
      message: `The target's listing did not hold ${kind} ${sourceId} (${targetId}), which it still has: not created again`,
    });
    return found;
  }

  private async commit(changes: StateChange | readonly StateChange[]): Promise<void> {
    await commitStateChanges(this.context.store, this.context.state, changes);
  }

  /**
   * Applies a change to the state in memory now and records it without making the operation wait
   * for it to be durable. Only for changes a crash before they are durable cannot make wrong; each
   * phase waits for them before it ends ({@link Applier.settleRecords}), and the first failure
   * stops the cycle as an awaited one would.
   */
  private commitWithoutWaiting(change: StateChange): void {
    applyStateChange(this.context.state, change);
    const recorded: Promise<void> = this.context.store.record([change]).then(
      () => {
        this.unsettledRecords.delete(recorded);
      },
      (error: unknown) => {
        this.unsettledRecords.delete(recorded);
        this.recordFailure ??= { error };
      },
    );
    this.unsettledRecords.add(recorded);
  }

  /** Waits for every change recorded without waiting; throws the first that failed. */
  private async settleRecords(): Promise<void> {
    for (let round = 0; this.unsettledRecords.size > 0 && round < 1_000; round += 1) {
      await Promise.all([...this.unsettledRecords]);
    }
    if (this.recordFailure !== undefined) throw this.recordFailure.error;
  }

  private call(): { signal?: AbortSignal } {
    const signal = this.context.signal;
    return signal === undefined ? {} : { signal };
  }

  private now(): number {
    return this.context.options.now();
  }

  private warn(warning: Parameters<ReportBuilder['warnings']['push']>[0]): void {
    this.context.report.warnings.push(warning);
    this.context.emit('warning', warning);
  }

  private emitUser(
    op: UserOperation['op'],
    sourceId: string,
    targetId: string,
    before: Readonly<Record<string, unknown>> | undefined,
    after: Readonly<Record<string, unknown>> | undefined,
  ): void {
    this.emitOperation('userOperation', op, sourceId, targetId, before, after);
  }

  private emitGroup(
    op: GroupOperation['op'],
    sourceId: string,
    targetId: string,
    before: Readonly<Record<string, unknown>> | undefined,
    after: Readonly<Record<string, unknown>> | undefined,
  ): void {
    this.emitOperation('groupOperation', op, sourceId, targetId, before, after);
  }

  /** Emits one object's operation, with `before`/`after` stripped of secrets. */
  private emitOperation(
    event: 'userOperation' | 'groupOperation',
    op: UserOperation['op'] | GroupOperation['op'],
    sourceId: string,
    targetId: string,
    before: Readonly<Record<string, unknown>> | undefined,
    after: Readonly<Record<string, unknown>> | undefined,
  ): void {
    this.context.emit(event, {
      op,
      sourceId,
      targetId,
      ...(before === undefined ? {} : { before: withoutSecrets(before) }),
      ...(after === undefined ? {} : { after: withoutSecrets(after) }),
      dryRun: false,
    });
  }
}

/** The PATCH operations that write a group's mapped attributes: `replace` each value, `remove` each cleared one. */
export function groupPatch(
  mapped: MappedResource,
  compiled: CompiledMapping,
  displayName: string,
): { replace: PatchOperation[]; remove: PatchOperation[] } {
  const replace: PatchOperation[] = [];
  const remove: PatchOperation[] = [];
  let wroteName = false;
  for (const rule of compiled.rules) {
    const value = mapped.values.get(rule.key);
    if (value !== undefined) {
      replace.push({ op: 'replace', path: rule.key, value: Array.isArray(value) ? [...value] : value });
      if (rule.schema === undefined && rule.attr.toLowerCase() === 'displayname') wroteName = true;
    } else if (mapped.cleared.includes(rule.key)) {
      remove.push({ op: 'remove', path: rule.key });
    }
  }
  if (!wroteName) replace.unshift({ op: 'replace', path: 'displayName', value: displayName });
  return { replace, remove };
}

/** A copy of a target resource fit for a PUT: no `meta`, no read-only `groups`, no `password`. */
export function writableCopy(resource: TargetUser): TargetUser {
  const copy = structuredClone(resource) as Record<string, unknown>;
  for (const name of ['meta', 'groups', 'password']) {
    const key = findKey(copy, name);
    if (key !== undefined) delete copy[key];
  }
  return copy as TargetUser;
}

/** A shallow copy without `password` (events never carry secrets). */
export function withoutSecrets(
  resource: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const key = findKey(resource as Record<string, unknown>, 'password');
  if (key === undefined) return resource;
  const { [key]: _secret, ...rest } = resource;
  return rest;
}

/** Whether a body holds a `null` anywhere (an attribute cleared in `'null'` mode). */
function holdsNull(value: unknown): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.some(holdsNull);
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).some(holdsNull);
  return false;
}

function requireId(resource: { id?: unknown }, kind: 'user' | 'group'): string {
  if (typeof resource.id !== 'string' || resource.id === '') {
    throw new Error(`The target answered a ${kind} without an id`);
  }
  return resource.id;
}

function isNotFound(error: unknown): boolean {
  return isScimHttpError(error) && (error.status === 404 || error.status === 410);
}

/** A 4xx the target answered deliberately (the create was refused, not lost). */
function isKnownRefusal(error: unknown): boolean {
  return (
    isScimHttpError(error) &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 408 &&
    error.status !== 429
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
